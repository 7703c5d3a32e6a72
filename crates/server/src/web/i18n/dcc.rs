//! Page texts: EU Digital COVID Certificates at checkpoints (area `dcc`). key -> [English, 简体中文, Tiếng Việt]

pub const MESSAGES: &[(&str, [&str; 3])] = &[
    // dcc
    ("scan.dcc", ["EU certificate: {n}", "欧盟证书：{n}", "Chứng nhận EU: {n}"]),
    ("dcc.kind.v", ["vaccination", "疫苗接种", "tiêm chủng"]),
    ("dcc.kind.t", ["test", "检测", "xét nghiệm"]),
    ("dcc.kind.r", ["recovery", "康复", "khỏi bệnh"]),
    ("reason.DCC_ACCEPTED", ["EU certificate meets the rule", "欧盟证书符合规则", "Chứng nhận EU đạt quy định"]),
    (
        "reason.DCC_RULE_NOT_MET",
        ["EU certificate does not meet the rule", "欧盟证书不符合规则", "Chứng nhận EU không đạt quy định"],
    ),
    ("reason.DCC_MALFORMED", ["Damaged EU certificate", "欧盟证书已损坏", "Chứng nhận EU bị hỏng"]),
    (
        "reason.DCC_ALGORITHM_UNSUPPORTED",
        [
            "EU certificate signed in an unsupported way",
            "欧盟证书签名算法不受支持",
            "Chứng nhận EU ký theo cách không hỗ trợ",
        ],
    ),
    (
        "reason.DCC_KEY_UNKNOWN",
        ["EU certificate from an unknown signer", "欧盟证书签发者未知", "Chứng nhận EU từ bên ký không xác định"],
    ),
    (
        "reason.DCC_SIGNATURE_INVALID",
        ["Forged or altered EU certificate", "欧盟证书被伪造或篡改", "Chứng nhận EU bị giả mạo hoặc sửa đổi"],
    ),
    (
        "reason.DCC_SCHEMA_INVALID",
        ["EU certificate content is invalid", "欧盟证书内容无效", "Nội dung chứng nhận EU không hợp lệ"],
    ),
    ("reason.DCC_EXPIRED", ["EU certificate expired", "欧盟证书已过期", "Chứng nhận EU đã hết hạn"]),
    (
        "reason.DCC_NOT_YET_VALID",
        ["EU certificate not valid yet", "欧盟证书尚未生效", "Chứng nhận EU chưa có hiệu lực"],
    ),
    (
        "reason.DCC_DSC_NOT_VALID",
        [
            "EU certificate's signer was not valid",
            "欧盟证书签发证书当时无效",
            "Bên ký chứng nhận EU không còn hiệu lực",
        ],
    ),
    (
        "reason.DCC_WRONG_USAGE",
        [
            "Signer may not issue this kind of EU certificate",
            "签发者无权签发此类欧盟证书",
            "Bên ký không được cấp loại chứng nhận EU này",
        ],
    ),
    // attaching a certificate to a declaration, and the resident's page
    (
        "declare.dcc",
        [
            "EU Digital COVID Certificate (optional): paste the text of its QR code, starting with HC1:",
            "欧盟数字新冠证书（可选）：粘贴其二维码文本，以 HC1: 开头",
            "Chứng nhận COVID số của EU (không bắt buộc): dán nội dung mã QR, bắt đầu bằng HC1:",
        ],
    ),
    (
        "declare.dcc_note",
        [
            "It is verified here; only the result (type, rule, validity) is kept, not your name or the certificate.",
            "证书在此核验；只保存核验结果（类型、规则、有效期），不保存姓名或证书本身。",
            "Chứng nhận được kiểm tra tại đây; chỉ lưu kết quả (loại, quy định, thời hạn), không lưu tên hay chứng nhận.",
        ],
    ),
    ("declare.dcc_legend", ["Foreign certificate", "境外证书", "Chứng nhận nước ngoài"]),
    ("dcc.attached", ["EU certificate", "欧盟证书", "Chứng nhận EU"]),
    ("dcc.attached.accepted", ["accepted", "已接受", "được chấp nhận"]),
    ("dcc.attached.not_accepted", ["not accepted", "未接受", "không được chấp nhận"]),
    (
        "dcc.attached.window",
        ["counts from {from} until {until}", "有效期 {from} 至 {until}", "có hiệu lực từ {from} đến {until}"],
    ),
    ("code.dccs", ["Attached EU certificates", "已添加的欧盟证书", "Chứng nhận EU đã đính kèm"]),
];
