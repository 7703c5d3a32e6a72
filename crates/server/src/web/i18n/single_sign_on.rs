//! Page texts: staff single sign-on (issue 16, item 2). key -> [English, 简体中文, Tiếng Việt]

pub const MESSAGES: &[(&str, [&str; 3])] = &[
    ("staff.sso_signin", ["Sign in with", "登录方式：", "Đăng nhập bằng"]),
    ("staff.sso_or", ["or with your staff login:", "或使用工作人员账号登录：", "hoặc bằng tài khoản cán bộ:"]),
    (
        "apierr.OIDC_NO_ROLE",
        [
            "Your account at the identity provider holds no healthcode staff role. Ask a supervisor to grant one.",
            "您在身份提供方的账号没有健康码工作人员角色，请联系主管开通。",
            "Tài khoản của bạn tại nhà cung cấp danh tính không có vai trò cán bộ healthcode. Hãy nhờ giám sát viên cấp quyền.",
        ],
    ),
    (
        "apierr.OIDC_STATE_MISMATCH",
        [
            "This sign-in was not started in this browser, or was already used. Start again.",
            "此登录不是在本浏览器中发起的，或已被使用。请重新开始。",
            "Lần đăng nhập này không bắt đầu từ trình duyệt này hoặc đã được dùng. Hãy bắt đầu lại.",
        ],
    ),
    (
        "apierr.OIDC_DENIED",
        [
            "The identity provider did not sign you in.",
            "身份提供方未能让您登录。",
            "Nhà cung cấp danh tính không cho bạn đăng nhập.",
        ],
    ),
    (
        "apierr.OIDC_CODE_MISSING",
        ["The identity provider sent no code.", "身份提供方未返回授权码。", "Nhà cung cấp danh tính không gửi mã."],
    ),
    (
        "apierr.OIDC_CODE_REFUSED",
        [
            "The identity provider did not accept this sign-in (used twice or too old). Start again.",
            "身份提供方不接受此次登录（已使用或已过期）。请重新开始。",
            "Nhà cung cấp danh tính không chấp nhận lần đăng nhập này (đã dùng hoặc quá cũ). Hãy bắt đầu lại.",
        ],
    ),
    (
        "apierr.OIDC_PROVIDER_UNAVAILABLE",
        [
            "The identity provider cannot be reached. Try again, or sign in with your password.",
            "无法连接身份提供方。请重试，或使用密码登录。",
            "Không kết nối được nhà cung cấp danh tính. Hãy thử lại hoặc đăng nhập bằng mật khẩu.",
        ],
    ),
    (
        "apierr.OIDC_ACCOUNT_CONFLICT",
        [
            "This staff account signs in with a password, not through the identity provider.",
            "此工作人员账号使用密码登录，而非通过身份提供方。",
            "Tài khoản cán bộ này đăng nhập bằng mật khẩu, không qua nhà cung cấp danh tính.",
        ],
    ),
    (
        "apierr.OIDC_TOKEN_MALFORMED",
        [
            "The identity provider's answer could not be read.",
            "无法读取身份提供方的应答。",
            "Không đọc được phản hồi của nhà cung cấp danh tính.",
        ],
    ),
    (
        "apierr.OIDC_TOKEN_ALGORITHM",
        [
            "The identity provider signed with an algorithm we do not accept.",
            "身份提供方使用了不被接受的签名算法。",
            "Nhà cung cấp danh tính ký bằng thuật toán không được chấp nhận.",
        ],
    ),
    (
        "apierr.OIDC_TOKEN_UNKNOWN_KEY",
        [
            "The identity provider signed with a key it does not publish.",
            "身份提供方使用了未公布的密钥签名。",
            "Nhà cung cấp danh tính ký bằng khóa không được công bố.",
        ],
    ),
    (
        "apierr.OIDC_TOKEN_SIGNATURE",
        [
            "The identity provider's signature does not verify.",
            "身份提供方的签名验证失败。",
            "Chữ ký của nhà cung cấp danh tính không hợp lệ.",
        ],
    ),
    (
        "apierr.OIDC_TOKEN_ISSUER",
        [
            "The sign-in came from another identity provider.",
            "此登录来自其他身份提供方。",
            "Lần đăng nhập đến từ nhà cung cấp danh tính khác.",
        ],
    ),
    (
        "apierr.OIDC_TOKEN_AUDIENCE",
        [
            "The sign-in was issued for another application.",
            "此登录是为其他应用签发的。",
            "Lần đăng nhập được cấp cho ứng dụng khác.",
        ],
    ),
    (
        "apierr.OIDC_TOKEN_EXPIRED",
        [
            "The sign-in has expired. Start again.",
            "登录已过期，请重新开始。",
            "Lần đăng nhập đã hết hạn. Hãy bắt đầu lại.",
        ],
    ),
    (
        "apierr.OIDC_TOKEN_NOT_YET_VALID",
        [
            "The sign-in is not valid yet; check the server's clock.",
            "登录尚未生效，请检查服务器时间。",
            "Lần đăng nhập chưa có hiệu lực; hãy kiểm tra đồng hồ máy chủ.",
        ],
    ),
    (
        "apierr.OIDC_TOKEN_NONCE",
        [
            "The sign-in does not belong to this attempt. Start again.",
            "此登录不属于本次尝试，请重新开始。",
            "Lần đăng nhập không thuộc lần thử này. Hãy bắt đầu lại.",
        ],
    ),
];
