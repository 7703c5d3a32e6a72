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
    ("staff.change_roles", ["Change roles", "更改角色", "Đổi vai trò"]),
    ("staff.disable", ["Disable", "停用", "Vô hiệu hóa"]),
    ("staff.state_invited", ["invited", "已邀请", "đã mời"]),
    ("staff.state_active", ["active", "正常", "đang hoạt động"]),
    ("staff.state_locked", ["locked", "已锁定", "đã khóa"]),
    ("staff.state_disabled", ["disabled", "已停用", "đã vô hiệu hóa"]),
    // on-site enrolment (issue 16 item 4)
    ("enrol.title", ["Enrol a person on site", "现场登记", "Đăng ký tại chỗ"]),
    (
        "enrol.help",
        [
            "For arrivals without an account: check the document, type what the person tells you, and hand over a sign-in link or a printed pass. You are named as the staff member who helped.",
            "为没有账号的到达人员登记：核对证件，录入本人所述信息，并发送登录链接或打印纸质通行证。系统将记录您为协助登记的工作人员。",
            "Dành cho người đến chưa có tài khoản: kiểm tra giấy tờ, nhập thông tin người đó cung cấp, rồi gửi liên kết đăng nhập hoặc in thẻ giấy. Bạn được ghi nhận là cán bộ hỗ trợ.",
        ],
    ),
    (
        "enrol.contact",
        ["Phone or e-mail of the person", "本人手机号或电子邮箱", "Số điện thoại hoặc e-mail của người đó"],
    ),
    ("enrol.origin", ["Coming from", "出发地", "Đến từ"]),
    (
        "enrol.arrival",
        [
            "Arrival (date, time, train or flight)",
            "到达（日期、时间、车次或航班）",
            "Đến nơi (ngày, giờ, chuyến tàu hoặc chuyến bay)",
        ],
    ),
    ("enrol.handover", ["Hand over", "交付方式", "Bàn giao"]),
    (
        "enrol.handover_link",
        [
            "Send a sign-in link (SMS or e-mail)",
            "发送登录链接（短信或电子邮件）",
            "Gửi liên kết đăng nhập (SMS hoặc e-mail)",
        ],
    ),
    ("enrol.handover_pass", ["Print a paper pass", "打印纸质通行证", "In thẻ giấy"]),
    (
        "enrol.truth",
        [
            "Read the answers back to the person before you submit: the declaration is theirs.",
            "提交前请向本人复述所填内容：申报内容由本人负责。",
            "Đọc lại câu trả lời cho người đó trước khi gửi: tờ khai là của họ.",
        ],
    ),
    ("enrol.submit", ["Enrol and hand over", "登记并交付", "Đăng ký và bàn giao"]),
    (
        "enrol.link_sent_sms",
        [
            "Enrolled. The sign-in link was sent by SMS.",
            "登记完成，登录链接已通过短信发送。",
            "Đã đăng ký. Liên kết đăng nhập đã được gửi qua SMS.",
        ],
    ),
    (
        "enrol.link_sent_email",
        [
            "Enrolled. The sign-in link was sent by e-mail.",
            "登记完成，登录链接已通过电子邮件发送。",
            "Đã đăng ký. Liên kết đăng nhập đã được gửi qua e-mail.",
        ],
    ),
    (
        "enrol.link_failed",
        [
            "Enrolled, but the sign-in link could not be sent: print this pass for the person.",
            "登记完成，但登录链接未能发送：请为本人打印此通行证。",
            "Đã đăng ký nhưng không gửi được liên kết đăng nhập: hãy in thẻ này cho người đó.",
        ],
    ),
    ("enrol.next", ["Enrol the next person", "登记下一位", "Đăng ký người tiếp theo"]),
    ("link.title", ["Sign in to healthcode", "登录健康码", "Đăng nhập healthcode"]),
    (
        "link.help",
        [
            "A staff member enrolled you. This link works once: sign in to see your health code.",
            "工作人员已为您登记。此链接仅可使用一次：登录后即可查看您的健康码。",
            "Cán bộ đã đăng ký cho bạn. Liên kết này chỉ dùng được một lần: đăng nhập để xem mã sức khỏe của bạn.",
        ],
    ),
    ("link.submit", ["Sign in", "登录", "Đăng nhập"]),
    (
        "field.DOCUMENT_ALREADY_ENROLLED",
        [
            "This document is enrolled already: the person signs in with the link or pass they were given.",
            "此证件已登记：请本人使用已收到的链接或通行证登录。",
            "Giấy tờ này đã được đăng ký: người đó đăng nhập bằng liên kết hoặc thẻ đã nhận.",
        ],
    ),
    (
        "field.DOCUMENT_HAS_ACCOUNT",
        [
            "This document is on an account already: the person signs in with the phone or e-mail they signed up with.",
            "此证件已关联账号：请本人使用注册时的手机号或电子邮箱登录。",
            "Giấy tờ này đã gắn với một tài khoản: người đó đăng nhập bằng số điện thoại hoặc e-mail đã dùng khi đăng ký.",
        ],
    ),
    (
        "field.CONTACT_HAS_ACCOUNT",
        [
            "This phone or e-mail has an account already: the person signs in with it.",
            "此手机号或电子邮箱已有账号：请本人直接登录。",
            "Số điện thoại hoặc e-mail này đã có tài khoản: người đó đăng nhập bằng nó.",
        ],
    ),
    (
        "field.VISITOR_DOCUMENT_REQUIRED",
        [
            "Sign-in by e-mail is for visitors: give a phone number for a national ID.",
            "电子邮箱登录仅限访客：持身份证者请填写手机号。",
            "Đăng nhập bằng e-mail dành cho khách: với CCCD hãy nhập số điện thoại.",
        ],
    ),
    (
        "field.HANDOVER_INVALID",
        [
            "Choose a sign-in link or a paper pass.",
            "请选择登录链接或纸质通行证。",
            "Chọn liên kết đăng nhập hoặc thẻ giấy.",
        ],
    ),
    (
        "apierr.LINK_INVALID",
        [
            "This sign-in link is used, expired or wrong. Sign in with your phone or e-mail instead.",
            "此登录链接已使用、已过期或无效。请改用手机号或电子邮箱登录。",
            "Liên kết đăng nhập này đã dùng, hết hạn hoặc sai. Hãy đăng nhập bằng số điện thoại hoặc e-mail.",
        ],
    ),
    (
        "apierr.STAFF_CHANGED",
        [
            "This account was changed by someone else since the page was shown; look again and repeat.",
            "页面显示后此账号已被他人更改；请重新查看后再操作。",
            "Tài khoản này đã bị người khác thay đổi kể từ khi trang hiển thị; hãy xem lại rồi làm lại.",
        ],
    ),
    (
        "apierr.STAFF_VERSION_MISSING",
        [
            "Send the change from the staff accounts page.",
            "请在工作人员账号页面提交更改。",
            "Hãy gửi thay đổi từ trang tài khoản cán bộ.",
        ],
    ),
];
