//! Page texts: staff accounts (issue 16). key -> [English, 简体中文, Tiếng Việt]

pub const MESSAGES: &[(&str, [&str; 3])] = &[
    // staff accounts: sign-in, invitation, the supervisor's page
    ("staff.login", ["Login", "登录名", "Tên đăng nhập"]),
    ("staff.password", ["Password", "密码", "Mật khẩu"]),
    ("staff.code", ["Code from the authenticator app", "验证器应用中的验证码", "Mã từ ứng dụng xác thực"]),
    ("staff.device_token", ["Sign in with a device token", "使用设备令牌登录", "Đăng nhập bằng mã thiết bị"]),
    ("staff.invite_title", ["Set up your staff account", "设置工作人员账号", "Thiết lập tài khoản cán bộ"]),
    (
        "staff.new_password",
        ["New password (10 characters or more)", "新密码（至少 10 个字符）", "Mật khẩu mới (từ 10 ký tự)"],
    ),
    ("staff.second_factor", ["Second factor", "第二重验证", "Xác thực lớp hai"]),
    (
        "staff.totp_required",
        [
            "Required for your role: scan the QR with an authenticator app, then enter the code it shows.",
            "您的角色必须启用：用验证器应用扫描二维码，然后输入其显示的验证码。",
            "Bắt buộc với vai trò của bạn: quét mã QR bằng ứng dụng xác thực rồi nhập mã hiển thị.",
        ],
    ),
    (
        "staff.totp_optional",
        [
            "Recommended: scan the QR with an authenticator app and enter the code it shows; leave the code empty to skip.",
            "建议启用：用验证器应用扫描二维码并输入验证码；留空则跳过。",
            "Khuyến nghị: quét mã QR bằng ứng dụng xác thực và nhập mã; để trống để bỏ qua.",
        ],
    ),
    ("staff.totp_qr", ["QR code for the authenticator app", "验证器应用二维码", "Mã QR cho ứng dụng xác thực"]),
    ("staff.totp_key", ["Or type this key:", "或手动输入密钥：", "Hoặc nhập khóa này:"]),
    ("staff.enrol", ["Save and sign in", "保存并登录", "Lưu và đăng nhập"]),
    ("staff.accounts", ["Staff accounts", "工作人员账号", "Tài khoản cán bộ"]),
    ("staff.invite", ["Invite", "邀请", "Mời"]),
    (
        "staff.invitation_made",
        [
            "Send this one-use link to the person (it works for 24 hours):",
            "请将此一次性链接发给本人（24 小时内有效）：",
            "Gửi liên kết dùng một lần này cho người đó (hiệu lực 24 giờ):",
        ],
    ),
    ("staff.display_name", ["Name", "姓名", "Họ tên"]),
    ("staff.roles", ["Roles", "角色", "Vai trò"]),
    (
        "staff.scope",
        [
            "Where (optional): district:CODE, checkpoint:ID",
            "工作范围（可选）：district:代码, checkpoint:编号",
            "Phạm vi (tùy chọn): district:MÃ, checkpoint:ID",
        ],
    ),
    ("staff.role_officer", ["Checkpoint officer", "卡口执勤人员", "Cán bộ chốt kiểm soát"]),
    ("staff.role_authority", ["Health authority", "卫健部门", "Cơ quan y tế"]),
    ("staff.role_supervisor", ["Supervisor", "主管", "Giám sát viên"]),
    ("staff.role_auditor", ["Auditor", "审计员", "Kiểm toán viên"]),
    ("staff.reset", ["Reset", "重置", "Đặt lại"]),
    ("staff.disable", ["Disable", "停用", "Vô hiệu hóa"]),
    ("staff.state_invited", ["invited", "已邀请", "đã mời"]),
    ("staff.state_active", ["active", "正常", "đang hoạt động"]),
    ("staff.state_locked", ["locked", "已锁定", "đã khóa"]),
    ("staff.state_disabled", ["disabled", "已停用", "đã vô hiệu hóa"]),
];
