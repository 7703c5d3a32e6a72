//! Page texts: test results and false declarations. key -> [English, 简体中文, Tiếng Việt]

pub const MESSAGES: &[(&str, [&str; 3])] = &[
    ("nav.tests", ["My test results", "我的检测结果", "Kết quả xét nghiệm của tôi"]),
    ("lab.title", ["Test results", "检测结果", "Kết quả xét nghiệm"]),
    (
        "lab.help",
        [
            "Record a laboratory result one by one, or import a CSV file. A positive result opens a case unless the person has one.",
            "逐条录入检测结果，或导入 CSV 文件。阳性结果将为尚无病例的人员建立病例。",
            "Nhập từng kết quả xét nghiệm, hoặc nhập tệp CSV. Kết quả dương tính sẽ mở ca bệnh nếu người đó chưa có ca bệnh.",
        ],
    ),
    ("lab.record", ["Record a result", "录入结果", "Ghi nhận kết quả"]),
    ("lab.kind", ["Test", "检测类型", "Loại xét nghiệm"]),
    ("lab.kind.pcr", ["PCR", "核酸 (PCR)", "PCR"]),
    ("lab.kind.antigen", ["Antigen", "抗原", "Kháng nguyên"]),
    ("lab.outcome", ["Result", "结果", "Kết quả"]),
    ("lab.outcome.negative", ["Negative", "阴性", "Âm tính"]),
    ("lab.outcome.positive", ["Positive", "阳性", "Dương tính"]),
    ("lab.sampled_at", ["Sample taken", "采样时间", "Thời điểm lấy mẫu"]),
    ("lab.lab", ["Laboratory", "检测机构", "Phòng xét nghiệm"]),
    ("lab.import", ["Import CSV", "导入 CSV", "Nhập CSV"]),
    (
        "lab.import_help",
        [
            "Paste the file: a header naming phone, kind, outcome, sampled_at and lab (any order), then one result a line. One bad row refuses the whole file; importing it again records nothing twice.",
            "粘贴文件内容：首行为列名 phone、kind、outcome、sampled_at、lab（顺序不限），之后每行一条结果。任何一行有误则整个文件不导入；重复导入不会重复记录。",
            "Dán nội dung tệp: dòng tiêu đề gồm phone, kind, outcome, sampled_at và lab (thứ tự tùy ý), sau đó mỗi dòng một kết quả. Một dòng sai thì cả tệp bị từ chối; nhập lại không ghi trùng.",
        ],
    ),
    ("lab.csv", ["CSV text", "CSV 内容", "Nội dung CSV"]),
    ("lab.import_report", ["Import", "导入结果", "Kết quả nhập"]),
    ("lab.rows", ["rows", "行数", "số dòng"]),
    ("lab.accepted", ["accepted", "已接受", "đã nhận"]),
    ("lab.duplicates", ["already recorded", "已存在", "đã có sẵn"]),
    ("lab.cases_opened", ["cases opened", "新建病例", "ca bệnh mới"]),
    (
        "lab.refused_help",
        [
            "The file was refused and nothing was recorded. Correct these rows and import it again.",
            "文件未导入，未记录任何结果。请更正以下各行后重新导入。",
            "Tệp bị từ chối, không kết quả nào được ghi. Hãy sửa các dòng sau và nhập lại.",
        ],
    ),
    ("lab.line", ["Line", "行", "Dòng"]),
    ("lab.refused", ["Refused because", "拒绝原因", "Lý do từ chối"]),
    ("lab.recent", ["Recently recorded", "最近录入", "Mới ghi nhận"]),
    ("lab.none", ["No result is recorded yet.", "尚无检测结果。", "Chưa có kết quả nào."]),
    ("lab.opened_case", ["opened a case", "已建病例", "đã mở ca bệnh"]),
    ("fd.title", ["False declarations", "虚假申报", "Khai báo gian dối"]),
    (
        "fd.four_eyes",
        [
            "A false declaration changes nothing until a supervisor other than the requester approves it; approval turns the person red by the policy's rule. Every step is in the audit log.",
            "虚假申报须经申请人以外的主管批准后才生效；批准后按政策规则转为红码。每一步都记入审计日志。",
            "Khai báo gian dối chỉ có hiệu lực khi một giám sát viên khác người đề nghị phê duyệt; khi được duyệt, người đó chuyển sang đỏ theo quy tắc. Mọi bước đều được ghi vào nhật ký kiểm toán.",
        ],
    ),
    ("fd.request", ["Record a false declaration", "记录虚假申报", "Ghi nhận khai báo gian dối"]),
    ("fd.evidence", ["Evidence", "证据", "Bằng chứng"]),
    (
        "fd.none",
        ["No false declaration is waiting.", "暂无待审批的虚假申报。", "Không có khai báo gian dối nào đang chờ."],
    ),
    ("fd.recorded", ["False declaration recorded", "已记录虚假申报", "Đã ghi nhận khai báo gian dối"]),
    ("lab.person", ["Person", "人员", "Người"]),
    ("mytests.title", ["My test results", "我的检测结果", "Kết quả xét nghiệm của tôi"]),
    (
        "mytests.none",
        ["No test result is recorded for you.", "暂无您的检测结果。", "Chưa có kết quả xét nghiệm nào của bạn."],
    ),
    ("mytests.declarations", ["False declarations", "虚假申报记录", "Khai báo gian dối"]),
    (
        "mytests.no_declarations",
        [
            "No false declaration is recorded against you.",
            "没有针对您的虚假申报记录。",
            "Không có khai báo gian dối nào được ghi nhận về bạn.",
        ],
    ),
    (
        "mytests.declarations_help",
        [
            "The health authority recorded that a declaration of yours was false, and a second person approved it. This is why your code is red.",
            "卫生部门记录了您的某次申报不实，并经另一人批准。这是您被赋红码的原因。",
            "Cơ quan y tế đã ghi nhận một lần khai báo của bạn là gian dối và người thứ hai đã phê duyệt. Đây là lý do mã của bạn màu đỏ.",
        ],
    ),
    ("mytests.appeal", ["Appeal this decision", "对此提出申诉", "Khiếu nại quyết định này"]),
    ("field.TEST_KIND_INVALID", ["Choose PCR or antigen.", "请选择核酸 (PCR) 或抗原。", "Chọn PCR hoặc kháng nguyên."]),
    (
        "field.TEST_OUTCOME_INVALID",
        ["Choose positive or negative.", "请选择阳性或阴性。", "Chọn dương tính hoặc âm tính."],
    ),
    (
        "field.SAMPLE_TIME_INVALID",
        [
            "Write the sample time as 2026-11-02 08:30.",
            "采样时间格式如 2026-11-02 08:30。",
            "Ghi thời điểm lấy mẫu dạng 2026-11-02 08:30.",
        ],
    ),
    (
        "field.SAMPLE_TIME_IN_FUTURE",
        ["The sample time is in the future.", "采样时间晚于当前时间。", "Thời điểm lấy mẫu ở tương lai."],
    ),
    (
        "field.SAMPLE_TIME_TOO_OLD",
        ["The sample is more than 60 days old.", "样本采集已超过 60 天。", "Mẫu đã lấy hơn 60 ngày."],
    ),
    (
        "field.LAB_INVALID",
        [
            "Name the laboratory in 1 to 80 characters.",
            "请填写检测机构（1 至 80 个字）。",
            "Ghi tên phòng xét nghiệm (1 đến 80 ký tự).",
        ],
    ),
    (
        "field.EVIDENCE_REQUIRED",
        [
            "State the evidence in 10 to 1000 characters.",
            "请写明证据（10 至 1000 个字）。",
            "Nêu bằng chứng (10 đến 1000 ký tự).",
        ],
    ),
    (
        "field.TEST_RESULT_DUPLICATE",
        [
            "This sample (person, test, time, laboratory) is already recorded.",
            "该样本（人员、检测类型、时间、机构）已录入。",
            "Mẫu này (người, loại, thời điểm, phòng xét nghiệm) đã được ghi nhận.",
        ],
    ),
    (
        "field.FALSE_DECLARATION_DECIDED",
        [
            "This false declaration was already decided.",
            "该虚假申报已审批。",
            "Khai báo gian dối này đã được quyết định.",
        ],
    ),
    (
        "field.FALSE_DECLARATION_SELF_APPROVAL",
        [
            "A second person must decide: you requested this one.",
            "须由另一人审批：此申请由您提出。",
            "Phải do người thứ hai quyết định: bạn là người đề nghị.",
        ],
    ),
    ("field.CSV_QUOTE_UNCLOSED", ["A quote is not closed.", "引号未闭合。", "Dấu ngoặc kép chưa được đóng."]),
    (
        "field.CSV_COLUMNS_MISSING",
        ["The row has fewer columns than the header.", "该行的列数少于标题行。", "Dòng có ít cột hơn dòng tiêu đề."],
    ),
    (
        "field.TEST_IMPORT_HEADER",
        [
            "The header must name phone, kind, outcome, sampled_at and lab.",
            "标题行须包含 phone、kind、outcome、sampled_at、lab。",
            "Dòng tiêu đề phải gồm phone, kind, outcome, sampled_at và lab.",
        ],
    ),
    ("field.TEST_IMPORT_EMPTY", ["The file has no header and no rows.", "文件为空。", "Tệp trống."]),
    (
        "field.TEST_IMPORT_TOO_LARGE",
        [
            "At most 10000 rows a file: split it.",
            "每个文件最多 10000 行，请拆分。",
            "Tối đa 10000 dòng mỗi tệp: hãy chia nhỏ.",
        ],
    ),
];
