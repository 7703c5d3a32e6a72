//! Page texts: Alarms and overrides. key -> [English, 简体中文, Tiếng Việt]

pub const MESSAGES: &[(&str, [&str; 3])] = &[
    // alarms and overrides
    ("ovr.title", ["Manual overrides", "人工改码", "Điều chỉnh thủ công"]),
    (
        "ovr.four_eyes",
        [
            "An override changes nothing until a supervisor other than the requester approves it. Every step is in the audit log.",
            "人工改码须经申请人以外的主管批准后才生效，每一步都记入审计日志。",
            "Việc điều chỉnh chỉ có hiệu lực khi một giám sát viên khác người đề nghị phê duyệt. Mọi bước đều được ghi vào nhật ký kiểm toán.",
        ],
    ),
    ("ovr.request", ["Request an override", "申请人工改码", "Đề nghị điều chỉnh"]),
    ("ovr.colour", ["New colour", "新码色", "Màu mới"]),
    ("ovr.reason_code", ["Reason code", "原因代码", "Mã lý do"]),
    ("ovr.basis", ["Basis: what justifies it", "依据：改码的理由", "Căn cứ: lý do điều chỉnh"]),
    ("ovr.pending", ["Waiting for a supervisor", "待主管审批", "Chờ giám sát viên duyệt"]),
    ("ovr.none", ["No override is waiting.", "暂无待审批的改码申请。", "Không có đề nghị nào đang chờ."]),
    ("ovr.approve", ["Approve", "批准", "Phê duyệt"]),
    ("ovr.reject", ["Reject", "驳回", "Từ chối"]),
    ("alarm.title", ["Alarms", "异常告警", "Cảnh báo"]),
    (
        "alarm.help",
        [
            "Raised when manual colour changes come in a burst, or turn someone red with no recorded basis: not a case, not linked to one by tracing, not in a risk area while it was marked. A visit to an ordinary venue is no basis.",
            "当人工改码短时间内集中出现，或有人在无记录依据的情况下被改为红码时触发：非病例、未经流调关联病例、风险区标记期间未到过该区。到访普通场所不构成依据。",
            "Phát sinh khi có nhiều lần đổi màu thủ công trong thời gian ngắn, hoặc khi một người bị chuyển sang đỏ mà không có căn cứ được ghi nhận: không phải ca bệnh, không được truy vết liên quan ca bệnh, không ở vùng nguy cơ trong thời gian bị khoanh vùng. Việc đến một địa điểm thông thường không phải là căn cứ.",
        ],
    ),
    ("alarm.open", ["Open alarms", "未处理告警", "Cảnh báo chưa xử lý"]),
    ("alarm.none_open", ["No open alarm.", "没有未处理的告警。", "Không có cảnh báo nào chưa xử lý."]),
    ("alarm.acknowledged", ["Acknowledged", "已确认", "Đã xác nhận"]),
    ("alarm.note", ["Note: what you checked or did", "说明：核查或处理情况", "Ghi chú: đã kiểm tra hoặc xử lý gì"]),
    ("alarm.acknowledge", ["Acknowledge", "确认", "Xác nhận"]),
    (
        "alarm.kind.MANUAL_CHANGES_BURST",
        [
            "Many manual colour changes in a short time",
            "短时间内大量人工改码",
            "Nhiều lần đổi màu thủ công trong thời gian ngắn",
        ],
    ),
    (
        "alarm.kind.RED_WITHOUT_CASE_OR_PRESENCE",
        [
            "Turned red with no recorded basis (no case, no tracing link to a case, no stay in a risk area)",
            "无记录依据却被改为红码（非病例、无病例关联、未到过风险区）",
            "Bị chuyển sang đỏ mà không có căn cứ được ghi nhận (không phải ca bệnh, không liên quan ca bệnh, không ở vùng nguy cơ)",
        ],
    ),
];
