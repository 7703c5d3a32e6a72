//! Page texts: error pages, form errors beside their fields, and the check-in
//! confirmation. key -> [English, 简体中文, Tiếng Việt]

pub const MESSAGES: &[(&str, [&str; 3])] = &[
    // error pages
    ("error.401.title", ["Please sign in", "请先登录", "Vui lòng đăng nhập"]),
    (
        "error.401.text",
        [
            "This page is only for people who are signed in.",
            "此页面需要登录后才能查看。",
            "Trang này chỉ dành cho người đã đăng nhập.",
        ],
    ),
    ("error.403.title", ["You may not open this page", "您无权访问此页面", "Bạn không được mở trang này"]),
    (
        "error.403.text",
        [
            "Your account has no access here. If you think it should, ask whoever gave you the account.",
            "您的账户无权访问此处。如有疑问，请联系为您开通账户的部门。",
            "Tài khoản của bạn không được vào đây. Nếu bạn nghĩ là được, hãy hỏi nơi đã cấp tài khoản.",
        ],
    ),
    ("error.404.title", ["Page not found", "找不到此页面", "Không tìm thấy trang"]),
    (
        "error.404.text",
        [
            "The address may be mistyped, or what it pointed to no longer exists.",
            "网址可能有误，或其指向的内容已不存在。",
            "Địa chỉ có thể bị gõ sai, hoặc nội dung không còn tồn tại.",
        ],
    ),
    (
        "error.405.title",
        ["This address does not work that way", "此网址不支持该操作", "Địa chỉ này không dùng được như vậy"],
    ),
    (
        "error.405.text",
        [
            "Open it from a link or a button on our pages.",
            "请通过本网站页面上的链接或按钮打开。",
            "Hãy mở từ một liên kết hoặc nút trên trang của chúng tôi.",
        ],
    ),
    ("error.500.title", ["Something went wrong on our side", "服务器出错了", "Máy chủ gặp sự cố"]),
    (
        "error.500.text",
        [
            "It has been logged. Please try again in a moment.",
            "错误已记录，请稍后再试。",
            "Lỗi đã được ghi lại. Vui lòng thử lại sau ít phút.",
        ],
    ),
    ("error.503.title", ["The service is busy", "服务繁忙", "Hệ thống đang bận"]),
    ("error.503.text", ["Please try again in a moment.", "请稍后再试。", "Vui lòng thử lại sau ít phút."]),
    ("error.other.title", ["Something is not right", "出现问题", "Có lỗi xảy ra"]),
    ("error.other.text", ["This could not be done.", "此操作未能完成。", "Không thực hiện được việc này."]),
    ("error.home", ["Go to the start page", "返回首页", "Về trang chủ"]),
    ("error.back", ["Back to the previous page", "返回上一页", "Quay lại trang trước"]),
    ("error.signin", ["Sign in", "登录", "Đăng nhập"]),
    ("error.status", ["Error code", "错误代码", "Mã lỗi"]),
    // details of errors shown on pages, by stable code (else the server's English message)
    (
        "apierr.RESIDENT_NOT_FOUND",
        [
            "No resident with this phone number.",
            "没有使用此手机号的居民。",
            "Không có người dân nào dùng số điện thoại này.",
        ],
    ),
    // forms: every error beside its field
    ("field.FIELD_REQUIRED", ["Fill in this field.", "请填写此项。", "Vui lòng điền ô này."]),
    (
        "field.PHONE_INVALID",
        [
            "Write + and the country code, then the number, e.g. +8613800000000.",
            "请以 + 和国家代码开头，例如 +8613800000000。",
            "Viết dấu + và mã quốc gia rồi đến số, ví dụ +84912345678.",
        ],
    ),
    (
        "field.EMAIL_INVALID",
        ["This is not an e-mail address.", "这不是有效的电子邮箱地址。", "Đây không phải là địa chỉ e-mail hợp lệ."],
    ),
    ("field.NAME_INVALID", ["Write 1 to 100 characters.", "请填写 1 至 100 个字符。", "Viết từ 1 đến 100 ký tự."]),
    (
        "field.DOCUMENT_TYPE_INVALID",
        ["Choose a document type from the list.", "请从列表中选择证件类型。", "Chọn loại giấy tờ trong danh sách."],
    ),
    (
        "field.DOCUMENT_NUMBER_INVALID",
        [
            "A document number has 5 to 20 letters or digits.",
            "证件号码应为 5 至 20 位字母或数字。",
            "Số giấy tờ gồm 5 đến 20 chữ cái hoặc chữ số.",
        ],
    ),
    (
        "field.DISTRICT_INVALID",
        [
            "Write the district code: up to 32 letters, digits, '-', '_' or '.', e.g. 330102.",
            "请填写区县代码：最多 32 个字母、数字、'-'、'_' 或 '.'，例如 330102。",
            "Viết mã quận/huyện: tối đa 32 chữ cái, chữ số, '-', '_' hoặc '.', ví dụ HN-HOAN-KIEM.",
        ],
    ),
    (
        "field.REGION_INVALID",
        [
            "Write region codes separated by commas, e.g. CN-ZJ, CN-SH.",
            "请填写地区代码，用逗号分隔，例如 CN-ZJ, CN-SH。",
            "Viết mã vùng, cách nhau bằng dấu phẩy, ví dụ VN-HN, VN-SG.",
        ],
    ),
    ("field.TOO_MANY_REGIONS", ["At most 50 regions.", "最多 50 个地区。", "Tối đa 50 vùng."]),
    (
        "field.TEMPERATURE_INVALID",
        [
            "Write the temperature as a number, e.g. 36.6.",
            "请以数字填写体温，例如 36.6。",
            "Viết nhiệt độ bằng số, ví dụ 36,6.",
        ],
    ),
    (
        "field.TEMPERATURE_OUT_OF_RANGE",
        [
            "A body temperature is between 30.0 and 45.0 °C.",
            "体温应在 30.0 至 45.0 °C 之间。",
            "Nhiệt độ cơ thể nằm trong khoảng 30,0 đến 45,0 °C.",
        ],
    ),
    (
        "field.SYMPTOM_UNKNOWN",
        [
            "Tick symptoms from the list only.",
            "请只勾选列表中的症状。",
            "Chỉ đánh dấu các triệu chứng trong danh sách.",
        ],
    ),
    ("field.TRAVEL_PLAN_TOO_LONG", ["At most 500 characters.", "最多 500 个字符。", "Tối đa 500 ký tự."]),
    // the check-in confirmation and the visits list
    (
        "checkin.auto_close_future",
        [
            "If you forget to check out, this check-in will close automatically at {time}.",
            "如忘记登记离开，本次登记将于 {time} 自动结束。",
            "Nếu bạn quên quét mã ra, lượt này sẽ tự động kết thúc lúc {time}.",
        ],
    ),
    (
        "checkin.auto_close_past",
        [
            "This check-in closed automatically at {time}.",
            "本次登记已于 {time} 自动结束。",
            "Lượt này đã tự động kết thúc lúc {time}.",
        ],
    ),
    ("code.details", ["Full record", "查看完整记录", "Xem lịch sử đầy đủ"]),
    ("nav.menu", ["Menu", "菜单", "Menu"]),
    ("table.actions", ["Actions", "操作", "Thao tác"]),
    ("stats.day", ["Day", "日期", "Ngày"]),
    (
        "field.DATE_INVALID",
        ["Pick a date, e.g. 2026-11-20.", "请选择日期，例如 2026-11-20。", "Chọn một ngày, ví dụ 2026-11-20."],
    ),
    (
        "field.RESIDENT_NOT_FOUND",
        [
            "No resident with this phone number.",
            "没有使用此手机号的居民。",
            "Không có người dân nào dùng số điện thoại này.",
        ],
    ),
    (
        "field.CAPACITY_INVALID",
        [
            "Capacity is a number from 1 to 1,000,000.",
            "容量应为 1 至 1,000,000 之间的数字。",
            "Sức chứa là số từ 1 đến 1.000.000.",
        ],
    ),
    ("field.MAX_STAY_INVALID", ["Between 15 and 1440 minutes.", "应在 15 至 1440 分钟之间。", "Từ 15 đến 1440 phút."]),
    (
        "field.HEADCOUNT_INVALID",
        ["A number from 1 to 100,000.", "应为 1 至 100,000 之间的数字。", "Một số từ 1 đến 100.000."],
    ),
    (
        "field.SITE_INVALID",
        [
            "Write each further site on its own line as: name; address; district.",
            "每个其他场所单独一行，格式：名称; 地址; 区县。",
            "Mỗi cơ sở khác một dòng, dạng: tên; địa chỉ; quận/huyện.",
        ],
    ),
    (
        "field.REASON_CODE_INVALID",
        [
            "2 to 40 capital letters, digits or _, e.g. LAB_RESULT_NEGATIVE.",
            "2 至 40 个大写字母、数字或 _，例如 LAB_RESULT_NEGATIVE。",
            "2 đến 40 chữ in hoa, chữ số hoặc _, ví dụ LAB_RESULT_NEGATIVE.",
        ],
    ),
    (
        "field.COLOUR_INVALID",
        ["Choose a colour from the list.", "请从列表中选择颜色。", "Chọn một màu trong danh sách."],
    ),
    (
        "field.CASE_KIND_INVALID",
        ["Choose confirmed or suspected.", "请选择确诊或疑似。", "Chọn xác định hoặc nghi ngờ."],
    ),
    (
        "field.CHECKPOINT_KIND_INVALID",
        ["Choose a kind from the list.", "请从列表中选择类型。", "Chọn một loại trong danh sách."],
    ),
    (
        "field.VENUE_CATEGORY_INVALID",
        ["Choose a category from the list.", "请从列表中选择类别。", "Chọn một loại hình trong danh sách."],
    ),
    // venue categories (the registration form's list)
    ("venue.category.shop", ["Shop", "商店", "Cửa hàng"]),
    ("venue.category.restaurant", ["Restaurant", "餐馆", "Nhà hàng"]),
    ("venue.category.office", ["Office", "办公场所", "Văn phòng"]),
    ("venue.category.factory", ["Factory", "工厂", "Nhà máy"]),
    ("venue.category.school", ["School", "学校", "Trường học"]),
    ("venue.category.hospital", ["Hospital", "医院", "Bệnh viện"]),
    ("venue.category.transport", ["Transport", "交通场所", "Giao thông"]),
    ("venue.category.residential", ["Residential", "住宅小区", "Khu dân cư"]),
    ("venue.category.government", ["Government office", "政府机关", "Cơ quan nhà nước"]),
    ("venue.category.entertainment", ["Entertainment", "娱乐场所", "Giải trí"]),
    ("venue.category.other", ["Other", "其他", "Khác"]),
    // the check-in confirmation: live, and plain about what to do
    ("checkin.live_clock", ["Live clock", "实时时钟", "Đồng hồ trực tiếp"]),
    ("checkin.at", ["Scanned at", "扫码时间", "Quét lúc"]),
    ("checkin.what_to_do", ["What to do now", "您现在需要做什么", "Bạn cần làm gì bây giờ"]),
    ("checkin.see_why", ["Why is my code this colour?", "为什么是这个颜色？", "Vì sao mã có màu này?"]),
    (
        "checkin.advice.yellow",
        [
            "Your code is yellow. Do not stay here: tell the staff at the door, go home and stay there, and clock in every day until your code turns green.",
            "您的健康码为黄码。请勿在此停留：告知门口工作人员，回家居家隔离，并每天打卡，直至转为绿码。",
            "Mã của bạn màu vàng. Đừng ở lại đây: báo nhân viên ở cửa, về nhà và ở yên tại nhà, điểm danh mỗi ngày cho đến khi mã chuyển xanh.",
        ],
    ),
    (
        "checkin.advice.red",
        [
            "Your code is red. Do not go in: tell the staff at the door, go straight home (or where the health authority tells you), stay away from others, and clock in every day.",
            "您的健康码为红码。请勿进入：告知门口工作人员，直接回家（或前往卫生部门指定地点），避免与他人接触，并每天打卡。",
            "Mã của bạn màu đỏ. Đừng vào: báo nhân viên ở cửa, về thẳng nhà (hoặc nơi cơ quan y tế chỉ định), tránh tiếp xúc người khác và điểm danh mỗi ngày.",
        ],
    ),
    (
        "code.override_plain",
        [
            "Set by the health authority after two officials reviewed your case",
            "经卫生部门两名工作人员审核后调整",
            "Do cơ quan y tế điều chỉnh sau khi hai cán bộ xem xét trường hợp của bạn",
        ],
    ),
    // sign-in forms
    (
        "field.OTP_INVALID",
        [
            "This code is not right: check the message and try again.",
            "验证码不正确，请核对短信后重试。",
            "Mã không đúng: kiểm tra tin nhắn và thử lại.",
        ],
    ),
    (
        "field.OTP_EXPIRED",
        [
            "This code has expired: ask for a new one.",
            "验证码已过期，请重新获取。",
            "Mã đã hết hạn: hãy yêu cầu mã mới.",
        ],
    ),
    ("field.OTP_NOT_REQUESTED", ["Ask for a code first.", "请先获取验证码。", "Hãy yêu cầu mã trước."]),
    (
        "field.OTP_TOO_MANY_ATTEMPTS",
        [
            "Too many wrong codes: ask for a new one.",
            "错误次数过多，请重新获取验证码。",
            "Nhập sai quá nhiều lần: hãy yêu cầu mã mới.",
        ],
    ),
    (
        "field.STAFF_TOKEN_INVALID",
        [
            "This is not a valid staff access token.",
            "这不是有效的工作人员访问令牌。",
            "Đây không phải là mã truy cập hợp lệ của cán bộ.",
        ],
    ),
];
