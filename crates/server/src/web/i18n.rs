//! The three deployment languages and the page text catalogue. Every key has
//! English, Simplified Chinese and Vietnamese text (a test checks it).

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};

use crate::auth::session::cookie_value;

pub const LANG_COOKIE: &str = "hc_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
    Vi,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Zh, Lang::Vi];

    /// The short key used in policy files and cookies: `en`, `zh`, `vi`.
    pub fn key(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
            Lang::Vi => "vi",
        }
    }

    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-Hans",
            Lang::Vi => "vi",
        }
    }

    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "简体中文",
            Lang::Vi => "Tiếng Việt",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        let primary = s.split(['-', '_']).next().unwrap_or("");
        match primary {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            "vi" => Some(Lang::Vi),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header, by q-value.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("");
            let q = it.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            if let Some(lang) = Lang::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    /// Chosen language: `?lang=` (passed in), then the cookie, then the header.
    pub fn negotiate(query: Option<&str>, headers: &HeaderMap) -> Lang {
        if let Some(l) = query.and_then(Lang::parse) {
            return l;
        }
        let cookie = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|h| cookie_value(h, LANG_COOKIE).and_then(Lang::parse));
        if let Some(l) = cookie {
            return l;
        }
        headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language)
            .unwrap_or_default()
    }

    /// Page text for a key; unknown keys show the key itself (and fail the test).
    pub fn t(self, key: &str) -> &'static str {
        MESSAGES.iter().find(|(k, _)| *k == key).map(|(_, texts)| texts[self as usize]).unwrap_or("??")
    }
}

/// key -> [English, 简体中文, Tiếng Việt]
pub const MESSAGES: &[(&str, [&str; 3])] = &[
    ("app.name", ["Health code", "健康码", "Mã sức khỏe"]),
    // alarms and overrides
    ("gov.nav", ["Oversight", "监督", "Giám sát"]),
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
    ("ovr.person", ["Person", "人员", "Người"]),
    ("ovr.requested_by", ["requested by", "申请人", "người đề nghị"]),
    ("ovr.approve", ["Approve", "批准", "Phê duyệt"]),
    ("ovr.reject", ["Reject", "驳回", "Từ chối"]),
    ("alarm.title", ["Alarms", "异常告警", "Cảnh báo"]),
    (
        "alarm.help",
        [
            "Raised when manual colour changes come in a burst, or turn someone red with no case and no presence in the area.",
            "当人工改码短时间内集中出现，或无病例关联、近期不在本地的人被改为红码时触发。",
            "Phát sinh khi có nhiều lần đổi màu thủ công trong thời gian ngắn, hoặc khi một người bị chuyển sang đỏ mà không liên quan ca bệnh và không có mặt tại địa bàn.",
        ],
    ),
    ("alarm.open", ["Open alarms", "未处理告警", "Cảnh báo chưa xử lý"]),
    ("alarm.none_open", ["No open alarm.", "没有未处理的告警。", "Không có cảnh báo nào chưa xử lý."]),
    ("alarm.acknowledged", ["Acknowledged", "已确认", "Đã xác nhận"]),
    ("alarm.acknowledged_by", ["acknowledged by", "确认人", "người xác nhận"]),
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
            "Turned red with no case link and no presence in the area",
            "无病例关联且近期不在本地却被改为红码",
            "Bị chuyển sang đỏ mà không liên quan ca bệnh và không có mặt tại địa bàn",
        ],
    ),
    // statistics
    ("stats.title", ["City statistics", "城市疫情统计", "Thống kê thành phố"]),
    (
        "stats.public_note",
        [
            "Public view: counts from 1 up to the threshold are hidden so nobody can be singled out",
            "公开视图：低于阈值的非零数字已隐藏，以免识别到个人",
            "Bản công khai: các số từ 1 đến dưới ngưỡng được ẩn để không ai bị nhận diện",
        ],
    ),
    (
        "stats.authority_note",
        [
            "Authority view: every figure is shown; exports are recorded in the audit log",
            "主管部门视图：显示全部数字；导出会记入审计日志",
            "Bản dành cho cơ quan y tế: hiện mọi số liệu; việc xuất dữ liệu được ghi vào nhật ký kiểm toán",
        ],
    ),
    ("stats.from", ["From", "开始日期", "Từ ngày"]),
    ("stats.to", ["To", "结束日期", "Đến ngày"]),
    ("stats.district", ["District", "区县", "Quận/huyện"]),
    ("stats.all_districts", ["All districts", "全部区县", "Tất cả quận/huyện"]),
    ("stats.apply", ["Show", "查询", "Xem"]),
    ("stats.vs_day_before", ["change from the day before", "与前一日相比", "so với ngày trước"]),
    ("stats.check_ins", ["Check-ins", "扫码登记", "Lượt quét mã"]),
    ("stats.avg7", ["7-day average", "7日平均", "Trung bình 7 ngày"]),
    ("stats.active_points", ["Active points", "活跃扫码点", "Điểm quét hoạt động"]),
    ("stats.total_points", ["Scanning points", "扫码点总数", "Tổng số điểm quét"]),
    ("stats.declarations", ["Declarations", "健康申报", "Tờ khai y tế"]),
    ("stats.clock_ins", ["Clock-ins", "每日打卡", "Lượt điểm danh"]),
    ("stats.symptomatic", ["Reporting symptoms", "报告有症状", "Báo có triệu chứng"]),
    ("stats.green", ["Green", "绿码", "Xanh"]),
    ("stats.yellow", ["Yellow", "黄码", "Vàng"]),
    ("stats.red", ["Red", "红码", "Đỏ"]),
    ("stats.cases", ["New cases", "新增病例", "Ca mắc mới"]),
    ("stats.exposed", ["Close contacts notified", "已通知密切接触者", "F1 đã được báo"]),
    ("stats.passages_allowed", ["Checkpoint: passed", "卡口：放行", "Chốt kiểm soát: cho qua"]),
    ("stats.passages_denied", ["Checkpoint: turned back", "卡口：劝返", "Chốt kiểm soát: không cho qua"]),
    ("stats.chart_check_ins", ["Check-ins per day", "每日扫码登记", "Lượt quét mã mỗi ngày"]),
    ("stats.chart_colours", ["Codes by colour", "健康码颜色分布", "Mã theo màu"]),
    ("stats.chart_health", ["Declarations and symptoms", "申报与症状", "Khai báo và triệu chứng"]),
    (
        "stats.chart_control",
        ["Checkpoints, cases and contacts", "卡口、病例与接触者", "Chốt kiểm soát, ca bệnh và tiếp xúc"],
    ),
    ("stats.by_district", ["By district", "按区县", "Theo quận/huyện"]),
    ("stats.enterprises_operating", ["Enterprises operating", "企业复工率", "Doanh nghiệp hoạt động"]),
    ("stats.employees_back", ["Employees back at work", "员工到岗率", "Người lao động đi làm lại"]),
    (
        "stats.symptoms_and_quarantine",
        ["Symptoms reported, and quarantine", "症状报告与居家隔离", "Triệu chứng đã báo và cách ly"],
    ),
    ("stats.quarantine_completed", ["Quarantines completed", "完成隔离", "Hoàn thành cách ly"]),
    ("stats.quarantine_restarted", ["Quarantine streaks restarted", "隔离重新计算", "Cách ly tính lại từ đầu"]),
    ("stats.became_yellow", ["Turned yellow", "转为黄码", "Chuyển sang vàng"]),
    ("stats.became_red", ["Turned red", "转为红码", "Chuyển sang đỏ"]),
    ("stats.no_data", ["Nothing recorded in this range yet.", "此期间暂无数据。", "Chưa có dữ liệu trong khoảng này."]),
    ("stats.csv", ["Download CSV", "下载 CSV", "Tải CSV"]),
    ("stats.json", ["JSON", "JSON", "JSON"]),
    ("nav.stats", ["Statistics", "统计", "Thống kê"]),
    ("nav.code", ["My code", "我的健康码", "Mã của tôi"]),
    ("nav.declare", ["Declare", "健康申报", "Khai báo"]),
    ("nav.clock_in", ["Daily clock-in", "每日打卡", "Điểm danh hằng ngày"]),
    ("nav.history", ["History", "状态记录", "Lịch sử"]),
    ("nav.signout", ["Sign out", "退出", "Đăng xuất"]),
    ("nav.language", ["Language", "语言", "Ngôn ngữ"]),
    ("signin.title", ["Sign in", "登录", "Đăng nhập"]),
    (
        "signin.intro",
        [
            "Enter your mobile number. We will send you a 6-digit code.",
            "请输入手机号码，我们将发送6位验证码。",
            "Nhập số điện thoại. Chúng tôi sẽ gửi mã gồm 6 chữ số.",
        ],
    ),
    (
        "signin.phone",
        ["Mobile number (with country code)", "手机号码（含国家代码）", "Số điện thoại (kèm mã quốc gia)"],
    ),
    ("signin.send", ["Send code", "发送验证码", "Gửi mã"]),
    (
        "signin.visitor_link",
        [
            "Visitor with a passport or foreign ID? Sign in here",
            "持护照或外国证件的访客？请由此登录",
            "Khách có hộ chiếu hoặc giấy tờ nước ngoài? Đăng nhập tại đây",
        ],
    ),
    ("signin.code", ["6-digit code", "6位验证码", "Mã 6 chữ số"]),
    ("signin.code_sent", ["We sent a code to", "验证码已发送至", "Chúng tôi đã gửi mã tới"]),
    ("signin.verify", ["Sign in", "登录", "Đăng nhập"]),
    (
        "signin.dev_outbox",
        [
            "No SMS gateway is configured: read the code in the development outbox.",
            "未配置短信网关：请在开发发件箱中查看验证码。",
            "Chưa cấu hình cổng SMS: xem mã trong hộp thư phát triển.",
        ],
    ),
    ("visitor.title", ["Visitor sign-in", "访客登录", "Đăng nhập cho khách"]),
    ("visitor.contact", ["Mobile number or e-mail", "手机号码或电子邮箱", "Số điện thoại hoặc e-mail"]),
    ("declare.title", ["Health declaration", "健康申报", "Khai báo y tế"]),
    ("declare.identity", ["Identity", "身份信息", "Thông tin cá nhân"]),
    ("declare.name", ["Full name", "姓名", "Họ và tên"]),
    ("declare.document_type", ["Document", "证件类型", "Loại giấy tờ"]),
    ("doc.national_id", ["National ID card", "居民身份证", "Căn cước công dân"]),
    ("doc.passport", ["Passport", "护照", "Hộ chiếu"]),
    ("doc.foreign_id", ["Foreign ID", "外国人证件", "Giấy tờ nước ngoài"]),
    ("declare.document_number", ["Document number", "证件号码", "Số giấy tờ"]),
    ("declare.district", ["District of residence (code)", "居住区县（代码）", "Quận/huyện cư trú (mã)"]),
    ("declare.health", ["Health today", "今日健康状况", "Sức khỏe hôm nay"]),
    ("declare.temperature", ["Temperature (°C)", "体温（°C）", "Nhiệt độ (°C)"]),
    ("declare.symptoms", ["Symptoms", "症状", "Triệu chứng"]),
    ("declare.travel", ["Travel", "行程", "Đi lại"]),
    (
        "declare.regions",
        [
            "Regions visited in the last 14 days (codes, comma-separated)",
            "14天内到访地区（代码，逗号分隔）",
            "Vùng đã đến trong 14 ngày (mã, cách nhau bởi dấu phẩy)",
        ],
    ),
    (
        "declare.contact",
        [
            "I had contact with a confirmed or suspected case",
            "我接触过确诊或疑似病例",
            "Tôi đã tiếp xúc với ca bệnh xác định hoặc nghi ngờ",
        ],
    ),
    ("declare.travel_plan", ["Travel plan", "出行计划", "Kế hoạch đi lại"]),
    (
        "declare.truth",
        ["A false declaration turns the code red.", "虚假申报将被赋红码。", "Khai báo sai sẽ bị chuyển mã đỏ."],
    ),
    ("declare.submit", ["Submit declaration", "提交申报", "Gửi khai báo"]),
    ("symptom.fever", ["Fever", "发热", "Sốt"]),
    ("symptom.cough", ["Cough", "咳嗽", "Ho"]),
    ("symptom.difficulty_breathing", ["Difficulty breathing", "呼吸困难", "Khó thở"]),
    ("symptom.fatigue", ["Fatigue", "乏力", "Mệt mỏi"]),
    ("symptom.sore_throat", ["Sore throat", "咽痛", "Đau họng"]),
    ("symptom.loss_of_taste_smell", ["Loss of taste or smell", "味觉或嗅觉丧失", "Mất vị giác hoặc khứu giác"]),
    ("colour.green", ["Green", "绿码", "Xanh"]),
    ("colour.yellow", ["Yellow", "黄码", "Vàng"]),
    ("colour.red", ["Red", "红码", "Đỏ"]),
    ("code.title", ["My health code", "我的健康码", "Mã sức khỏe của tôi"]),
    ("code.reason", ["Why", "原因", "Lý do"]),
    ("code.expires", ["Expires in", "有效期剩余", "Hết hạn sau"]),
    ("code.refreshing", ["Refreshing…", "正在刷新…", "Đang làm mới…"]),
    (
        "code.offline",
        ["Could not refresh: check your connection", "刷新失败：请检查网络", "Không làm mới được: kiểm tra kết nối"],
    ),
    (
        "code.screenshot",
        [
            "Screenshots expire: show this live page.",
            "截图会过期：请出示实时页面。",
            "Ảnh chụp màn hình sẽ hết hạn: hãy đưa trang trực tiếp.",
        ],
    ),
    (
        "code.declare_first",
        ["Declare your health to get your code.", "请先完成健康申报以获取健康码。", "Hãy khai báo y tế để nhận mã."],
    ),
    ("code.no_rule", ["No risk found in your declaration", "申报未发现风险", "Không phát hiện nguy cơ trong khai báo"]),
    ("quarantine.progress", ["Quarantine: day", "隔离打卡：第", "Cách ly: ngày"]),
    ("quarantine.of", ["of", "天，共", "trên"]),
    ("quarantine.days_suffix", ["", "天", ""]),
    (
        "quarantine.broken",
        [
            "You missed a day: your streak restarts with your next clock-in.",
            "您漏打卡一天：连续天数将从下次打卡重新计算。",
            "Bạn đã bỏ lỡ một ngày: chuỗi ngày tính lại từ lần điểm danh tới.",
        ],
    ),
    ("quarantine.next_due", ["Next clock-in", "下次打卡", "Lần điểm danh tiếp theo"]),
    ("clock_in.title", ["Daily health clock-in", "每日健康打卡", "Điểm danh sức khỏe hằng ngày"]),
    ("clock_in.submit", ["Clock in", "打卡", "Điểm danh"]),
    ("clock_in.counted", ["Clock-in recorded.", "打卡成功。", "Đã ghi nhận điểm danh."]),
    ("history.title", ["Status history", "状态变更记录", "Lịch sử trạng thái"]),
    ("history.empty", ["No changes yet.", "暂无记录。", "Chưa có thay đổi."]),
    ("history.rule", ["Rule", "规则", "Quy tắc"]),
    ("history.evidence", ["Evidence", "依据", "Bằng chứng"]),
    ("access.title", ["Who looked at your records", "谁查看了您的记录", "Ai đã xem hồ sơ của bạn"]),
    (
        "access.help",
        [
            "Every time someone else sees your visits, it is listed here by their role; the health authority's auditors can see who it was.",
            "每当他人查看您的场所记录时都会在此列出其角色；卫生部门的审计人员可查到具体人员。",
            "Mỗi lần người khác xem các lượt ghé của bạn đều được ghi ở đây theo vai trò; kiểm toán viên của cơ quan y tế biết đó là ai.",
        ],
    ),
    (
        "access.none",
        ["Nobody else has looked at your records.", "尚无他人查看您的记录。", "Chưa ai khác xem hồ sơ của bạn."],
    ),
    ("access.when", ["When", "时间", "Thời gian"]),
    ("access.who", ["Who (role)", "查看者（角色）", "Ai (vai trò)"]),
    ("access.why", ["Why", "原因", "Lý do"]),
    ("access.trace_report", ["Contact tracing report", "流调报告", "Báo cáo truy vết"]),
    ("access.venue_log", ["A venue's entry log", "场所登记记录", "Sổ ra vào của địa điểm"]),
    ("access.role.resident", ["Resident", "居民", "Người dân"]),
    ("access.role.venue", ["Venue operator", "场所经营者", "Chủ địa điểm"]),
    ("access.role.officer", ["Checkpoint officer", "卡口工作人员", "Cán bộ chốt kiểm soát"]),
    ("access.role.authority", ["Health authority", "卫生健康部门", "Cơ quan y tế"]),
    ("access.role.supervisor", ["Supervisor", "主管", "Giám sát viên"]),
    ("access.role.auditor", ["Auditor", "审计人员", "Kiểm toán viên"]),
    ("event.initial", ["First status", "首次赋码", "Trạng thái đầu tiên"]),
    ("event.colour_raised", ["Colour raised", "码色升级", "Nâng mức màu"]),
    ("event.streak_restarted", ["Streak restarted", "连续打卡重新计算", "Tính lại chuỗi ngày"]),
    ("event.quarantine_completed", ["Quarantine completed", "隔离期满转绿", "Hoàn thành cách ly"]),
    ("outbox.title", ["Development outbox", "开发发件箱", "Hộp thư phát triển"]),
    (
        "outbox.note",
        [
            "Messages that an SMS gateway would send. Shown only because none is configured.",
            "本应由短信网关发送的消息。仅在未配置网关时显示。",
            "Tin nhắn mà cổng SMS sẽ gửi. Chỉ hiển thị vì chưa cấu hình cổng.",
        ],
    ),
    ("error.title", ["Something is not right", "出现问题", "Có lỗi xảy ra"]),
    (
        "home.intro",
        [
            "Declare your health, show your code at checkpoints and venues, and clock in daily during quarantine.",
            "申报健康状况，在卡口和场所出示健康码，隔离期间每日打卡。",
            "Khai báo y tế, xuất trình mã tại chốt kiểm soát và địa điểm, điểm danh hằng ngày khi cách ly.",
        ],
    ),
    ("nav.visits", ["My visits", "我的场所记录", "Lượt ghé của tôi"]),
    ("checkin.title", ["Check in", "场所扫码登记", "Quét mã vào"]),
    ("checkin.button", ["Check in here", "在此登记进入", "Vào tại đây"]),
    ("checkin.checkout_button", ["Check out", "登记离开", "Ra về"]),
    ("checkin.signin_first", ["Sign in to check in here", "登录后即可在此登记", "Đăng nhập để quét mã vào"]),
    ("checkin.entered", ["Checked in", "已登记进入", "Đã vào"]),
    ("checkin.exited", ["Checked out", "已登记离开", "Đã ra về"]),
    ("checkin.duplicate", ["Already checked in", "已登记，无需重复", "Đã quét rồi"]),
    (
        "checkin.show_staff",
        [
            "Show this screen to the staff at the door.",
            "请向门口工作人员出示此页面。",
            "Đưa màn hình này cho nhân viên ở cửa.",
        ],
    ),
    ("checkin.auto_checkout", ["Checked out automatically at", "将自动登记离开于", "Tự động ra về lúc"]),
    ("checkin.current", ["Current check-in", "当前所在场所", "Đang ở"]),
    ("checkin.none", ["You are not checked in anywhere.", "您当前未在任何场所登记。", "Bạn chưa quét mã vào nơi nào."]),
    ("checkin.recent", ["Recent visits", "近期到访", "Các lượt gần đây"]),
    ("checkin.entered_at", ["In", "进入", "Vào"]),
    ("checkin.exited_at", ["Out", "离开", "Ra"]),
    ("venue.title", ["My scanning points", "我的扫码点", "Điểm quét mã của tôi"]),
    ("venue.signin", ["Sign in as a venue operator", "场所管理员登录", "Đăng nhập chủ địa điểm"]),
    ("venue.register", ["Register a scanning point", "登记新的扫码点", "Đăng ký điểm quét mã"]),
    ("venue.name", ["Place", "场所", "Địa điểm"]),
    ("venue.address", ["Address", "地址", "Địa chỉ"]),
    ("venue.province", ["Province (code)", "省份（代码）", "Tỉnh/thành (mã)"]),
    ("venue.district", ["District (code)", "区县（代码）", "Quận/huyện (mã)"]),
    ("venue.commune", ["Commune / ward", "街道/乡镇", "Phường/xã"]),
    ("venue.category", ["Category", "类别", "Loại hình"]),
    ("venue.capacity", ["Capacity (optional)", "容量（可选）", "Sức chứa (không bắt buộc)"]),
    ("venue.max_stay", ["Automatic check-out after (minutes)", "自动离开时间（分钟）", "Tự động ra về sau (phút)"]),
    ("venue.none", ["No scanning points yet.", "尚无扫码点。", "Chưa có điểm quét mã."]),
    (
        "venue.print",
        [
            "Print the QR at least 15 × 15 cm and put it at the entrance.",
            "请将二维码打印为至少15×15厘米并张贴在入口处。",
            "In mã QR tối thiểu 15 × 15 cm và dán ở lối vào.",
        ],
    ),
    ("venue.log", ["Entries and exits, last 24 hours", "近24小时进出记录", "Lượt vào ra trong 24 giờ qua"]),
    ("venue.close", ["Close this scanning point", "关闭此扫码点", "Đóng điểm quét mã"]),
    ("venue.reopen", ["Reopen", "重新开放", "Mở lại"]),
    (
        "venue.rotate",
        [
            "Replace the QR (old posters stop after 24 h)",
            "更换二维码（旧海报24小时后失效）",
            "Đổi mã QR (áp phích cũ hết hạn sau 24 giờ)",
        ],
    ),
    ("venue.state_closed", ["Closed: no check-ins", "已关闭：不接受登记", "Đã đóng: không nhận quét mã"]),
    ("venue.download", ["Download the QR", "下载二维码", "Tải mã QR"]),
    (
        "poster.instructions",
        [
            "Scan with your phone camera when you enter and when you leave",
            "进入和离开时请用手机相机扫码登记",
            "Quét mã bằng camera điện thoại khi vào và khi ra",
        ],
    ),
    ("staff.signin", ["Staff sign-in", "工作人员登录", "Đăng nhập cán bộ"]),
    ("staff.token", ["Access token", "访问令牌", "Mã truy cập"]),
    (
        "staff.token_help",
        [
            "Paste the access token your operator issued (healthcode token --role officer --subject NAME).",
            "请粘贴运维人员签发的访问令牌（healthcode token --role officer --subject 用户名）。",
            "Dán mã truy cập do quản trị viên cấp (healthcode token --role officer --subject TÊN).",
        ],
    ),
    ("scan.checkpoints", ["Checkpoints", "卡口", "Chốt kiểm soát"]),
    (
        "scan.choose",
        [
            "Choose your checkpoint to start scanning.",
            "请选择您所在的卡口开始扫码。",
            "Chọn chốt của bạn để bắt đầu quét.",
        ],
    ),
    (
        "scan.no_checkpoints",
        [
            "No checkpoints yet. The health authority registers them (POST /api/v1/checkpoints).",
            "尚无卡口。由卫生健康部门登记（POST /api/v1/checkpoints）。",
            "Chưa có chốt nào. Cơ quan y tế đăng ký chốt (POST /api/v1/checkpoints).",
        ],
    ),
    ("scan.signed_in_as", ["Signed in as", "当前登录", "Đăng nhập với tên"]),
    ("scan.kind.city_entry", ["City entry", "进城卡口", "Cửa ngõ thành phố"]),
    ("scan.kind.station", ["Station", "车站/机场", "Nhà ga / sân bay"]),
    ("scan.kind.other", ["Other", "其他", "Khác"]),
    ("scan.staff_title", ["Scan visitors' codes", "扫描访客健康码", "Quét mã của khách"]),
    (
        "scan.staff_help",
        [
            "For visitors who cannot scan the poster: scan their health code to check them in or out.",
            "为无法扫描场所码的访客服务：扫描其健康码即可登记进入或离开。",
            "Cho khách không quét được áp phích: quét mã sức khỏe của họ để ghi vào hoặc ra.",
        ],
    ),
    ("scan.allow", ["PASS", "通行", "ĐƯỢC QUA"]),
    ("scan.deny", ["STOP", "禁止通行", "DỪNG LẠI"]),
    ("scan.ready", ["Point the camera at the code", "请将摄像头对准健康码", "Hướng camera vào mã"]),
    ("scan.direction", ["Direction", "方向", "Hướng"]),
    ("scan.in", ["Entering", "进入", "Vào"]),
    ("scan.out", ["Leaving", "离开", "Ra"]),
    ("scan.manual", ["Or type or paste the code text", "或输入/粘贴健康码文本", "Hoặc nhập / dán nội dung mã"]),
    ("scan.check", ["Check", "核验", "Kiểm tra"]),
    ("scan.camera_start", ["Start the camera", "打开摄像头", "Bật camera"]),
    ("scan.camera_starting", ["Starting the camera…", "正在打开摄像头…", "Đang bật camera…"]),
    (
        "scan.camera_insecure",
        [
            "The camera needs a secure page (HTTPS or localhost). Type the code below instead.",
            "摄像头需要安全连接（HTTPS 或 localhost）。请在下方输入健康码。",
            "Camera cần trang bảo mật (HTTPS hoặc localhost). Hãy nhập mã bên dưới.",
        ],
    ),
    (
        "scan.camera_missing",
        [
            "No camera is available. Type the code below instead.",
            "没有可用的摄像头。请在下方输入健康码。",
            "Không có camera. Hãy nhập mã bên dưới.",
        ],
    ),
    (
        "scan.camera_denied",
        [
            "Camera access was refused: allow it in the browser settings, or type the code below.",
            "摄像头权限被拒绝：请在浏览器设置中允许，或在下方输入健康码。",
            "Quyền camera bị từ chối: cho phép trong cài đặt trình duyệt, hoặc nhập mã bên dưới.",
        ],
    ),
    (
        "scan.decoder_failed",
        [
            "The QR reader could not load: reconnect, or type the code below.",
            "二维码识别组件加载失败：请恢复网络，或在下方输入健康码。",
            "Không tải được bộ đọc QR: kết nối lại, hoặc nhập mã bên dưới.",
        ],
    ),
    ("scan.online", ["Online", "在线", "Trực tuyến"]),
    ("scan.offline", ["Offline", "离线", "Ngoại tuyến"]),
    ("scan.queued", ["{n} queued", "{n} 条待上传", "{n} chờ gửi"]),
    ("scan.sync", ["Sync now", "立即上传", "Gửi ngay"]),
    ("scan.trust_list", ["Keys", "验签公钥", "Khóa"]),
    ("scan.status_list", ["Status list", "状态名单", "Danh sách trạng thái"]),
    ("scan.age_now", ["just updated", "刚刚更新", "vừa cập nhật"]),
    ("scan.age_min", ["{n} min old", "{n} 分钟前", "{n} phút trước"]),
    ("scan.age_hours", ["{n} h old", "{n} 小时前", "{n} giờ trước"]),
    ("scan.age_never", ["not loaded", "未加载", "chưa tải"]),
    ("scan.checked_offline", ["checked offline", "离线核验", "kiểm tra ngoại tuyến"]),
    (
        "scan.online_only",
        [
            "No connection: venue scanning needs the network. Try again.",
            "无网络连接：场所扫码需要联网，请重试。",
            "Mất kết nối: quét tại địa điểm cần mạng. Hãy thử lại.",
        ],
    ),
    (
        "scan.signin_again",
        ["Your session has ended: sign in again.", "登录已失效：请重新登录。", "Phiên đã hết hạn: hãy đăng nhập lại."],
    ),
    ("scan.failed", ["Could not check the code", "无法核验", "Không kiểm tra được mã"]),
    ("reason.CODE_VALID", ["Valid green code", "绿码有效", "Mã xanh hợp lệ"]),
    ("reason.COLOUR_YELLOW", ["Yellow code: quarantine", "黄码：需隔离", "Mã vàng: đang cách ly"]),
    ("reason.COLOUR_RED", ["Red code", "红码", "Mã đỏ"]),
    (
        "reason.STATUS_CHANGED",
        ["Status changed after this code was issued", "出码后状态已变更", "Trạng thái đã đổi sau khi cấp mã"],
    ),
    (
        "reason.STATUS_LIST_YELLOW",
        ["Holder is yellow now (status list)", "持码人现为黄码（状态名单）", "Người giữ mã hiện là vàng (danh sách)"],
    ),
    (
        "reason.STATUS_LIST_RED",
        ["Holder is red now (status list)", "持码人现为红码（状态名单）", "Người giữ mã hiện là đỏ (danh sách)"],
    ),
    (
        "reason.CODE_EXPIRED",
        [
            "Expired code: ask for the live page",
            "健康码已过期：请出示实时页面",
            "Mã đã hết hạn: yêu cầu mở trang trực tiếp",
        ],
    ),
    (
        "reason.CODE_NOT_YET_VALID",
        [
            "Code not valid yet: check the phone's clock",
            "健康码尚未生效：请检查手机时间",
            "Mã chưa có hiệu lực: kiểm tra đồng hồ điện thoại",
        ],
    ),
    ("reason.CODE_SIGNATURE_INVALID", ["Forged or altered code", "伪造或被篡改的健康码", "Mã giả hoặc bị sửa"]),
    ("reason.CODE_KEY_UNKNOWN", ["Signed by an unknown key", "未知密钥签发", "Ký bằng khóa không xác định"]),
    ("reason.CODE_KEY_NOT_VALID", ["Signing key not valid now", "签发密钥当前无效", "Khóa ký hiện không hợp lệ"]),
    ("reason.CODE_ISSUER_UNKNOWN", ["Code from another region", "其他地区签发的健康码", "Mã của vùng khác"]),
    ("reason.CODE_PREFIX_INVALID", ["Not a health code", "不是健康码", "Không phải mã sức khỏe"]),
    ("reason.invalid", ["Damaged or invalid code", "健康码损坏或无效", "Mã bị hỏng hoặc không hợp lệ"]),
    (
        "reason.OFFLINE_UNVERIFIABLE",
        [
            "Cannot check offline: open this page once with a connection",
            "无法离线核验：请先在联网状态下打开本页",
            "Không kiểm tra ngoại tuyến được: hãy mở trang này khi có mạng một lần",
        ],
    ),
    ("reason.PASS_VALID", ["Paper pass, green status", "纸质通行证，绿码状态", "Thẻ giấy, trạng thái xanh"]),
    ("reason.PASS_FORGED", ["Paper pass not issued here", "非本地签发的纸质通行证", "Thẻ giấy không do nơi này cấp"]),
    ("reason.PASS_INVALID", ["Damaged or altered paper pass", "纸质通行证损坏或被篡改", "Thẻ giấy hỏng hoặc bị sửa"]),
    (
        "reason.PASS_UNKNOWN",
        ["Paper pass of no registered person", "纸质通行证无对应登记人员", "Thẻ giấy không có người đăng ký"],
    ),
    (
        "reason.PASS_NEEDS_NETWORK",
        ["Paper passes are checked online only", "纸质通行证需联网核验", "Thẻ giấy chỉ kiểm tra khi có mạng"],
    ),
    ("pass.title", ["Paper pass", "纸质通行证", "Thẻ giấy"]),
    ("pass.print", ["Print", "打印", "In"]),
    (
        "pass.help",
        [
            "For people without a smartphone: staff and checkpoints scan this pass and see your current colour.",
            "供无智能手机人员使用：工作人员和卡口扫描此证即可查看您当前的码色。",
            "Dành cho người không có điện thoại thông minh: nhân viên và chốt kiểm soát quét thẻ này để xem màu hiện tại của bạn.",
        ],
    ),
    ("pass.link", ["Print a paper pass", "打印纸质通行证", "In thẻ giấy"]),
    ("scan.register", ["Register a checkpoint", "登记新卡口", "Đăng ký chốt kiểm soát"]),
    ("case.title", ["Cases", "病例", "Ca bệnh"]),
    ("case.record", ["Record a case", "登记病例", "Ghi nhận ca bệnh"]),
    ("case.kind", ["Kind", "类型", "Loại"]),
    ("case.confirmed", ["Confirmed", "确诊", "Xác định"]),
    ("case.suspected", ["Suspected", "疑似", "Nghi ngờ"]),
    ("case.onset", ["Onset", "发病日期", "Ngày khởi phát"]),
    ("case.isolated", ["Isolated on", "隔离日期", "Ngày cách ly"]),
    ("case.applied", ["Applied", "已处置", "Đã áp dụng"]),
    ("case.trace", ["Trace report", "流调报告", "Báo cáo truy vết"]),
    ("case.window", ["window", "追溯时段", "khoảng thời gian"]),
    ("case.timeline", ["The case's visits", "病例到访记录", "Các nơi ca bệnh đã đến"]),
    ("case.close", ["Close contacts", "密切接触者", "Tiếp xúc gần"]),
    ("case.secondary", ["Secondary contacts", "次密切接触者", "Tiếp xúc thứ cấp"]),
    ("case.apply", ["Apply: change colours and notify", "处置：变更码色并通知", "Áp dụng: đổi màu mã và thông báo"]),
    (
        "case.apply_help",
        [
            "Close contacts turn red and secondary contacts yellow by the policy's rules, with the shared stays as evidence; they are notified without naming the case; the places are published.",
            "依据规则，密接转红码、次密接转黄码，以共同停留记录为依据；通知中不透露病例身份；场所将公开发布。",
            "Theo quy tắc, tiếp xúc gần chuyển mã đỏ, tiếp xúc thứ cấp chuyển mã vàng, kèm bằng chứng cùng lưu lại; thông báo không nêu danh tính ca bệnh; địa điểm được công bố.",
        ],
    ),
    ("notice.title", ["Exposure notices", "暴露风险通知", "Thông báo phơi nhiễm"]),
    ("notice.none", ["No notices.", "暂无通知。", "Không có thông báo."]),
    ("nav.notices", ["Notices", "通知", "Thông báo"]),
    ("exposure.title", ["Exposure sites", "风险场所", "Địa điểm có nguy cơ"]),
    (
        "exposure.help",
        [
            "Places and times where a case was, in the last 14 days. Compare with your visits.",
            "近14天病例到访的场所和时段，请与您的到访记录比对。",
            "Nơi và thời gian có ca bệnh trong 14 ngày qua. Hãy so với các lượt ghé của bạn.",
        ],
    ),
    ("exposure.none", ["No exposure sites.", "暂无风险场所。", "Không có địa điểm nguy cơ."]),
    (
        "override.reason",
        ["Manual override approved by a supervisor", "经审核批准的人工调整", "Điều chỉnh thủ công đã được duyệt"],
    ),
    ("event.override", ["Manual override", "人工调整", "Điều chỉnh thủ công"]),
    ("event.appeal_upheld", ["Appeal upheld", "申诉成立", "Khiếu nại được chấp nhận"]),
    ("appeal.title", ["Appeal your colour", "对健康码颜色申诉", "Khiếu nại màu mã"]),
    (
        "appeal.help",
        [
            "If you think your colour is wrong, say why. The health authority answers within a few working days (the deadline is shown with your appeal); if it agrees, your code goes back to the colour you had before, and your history shows why.",
            "如认为健康码颜色有误，请说明理由。卫生健康部门将在规定的工作日内答复（期限显示在申诉下方）；如申诉成立，您的健康码将恢复为之前的颜色，并在记录中注明原因。",
            "Nếu bạn cho rằng màu mã của mình sai, hãy nêu lý do. Cơ quan y tế trả lời trong vài ngày làm việc (hạn hiện bên dưới khiếu nại); nếu đồng ý, mã của bạn trở lại màu trước đó và lịch sử ghi rõ lý do.",
        ],
    ),
    ("appeal.contest", ["Contest my colour", "提出申诉", "Khiếu nại"]),
    ("appeal.message", ["Why is it wrong?", "申诉理由", "Vì sao màu mã sai?"]),
    ("appeal.send", ["Send appeal", "提交申诉", "Gửi khiếu nại"]),
    (
        "appeal.sent",
        [
            "Your appeal was sent. You will see the answer here.",
            "申诉已提交，答复将显示在此页。",
            "Đã gửi khiếu nại. Câu trả lời sẽ hiện ở đây.",
        ],
    ),
    (
        "appeal.green",
        [
            "Your code is green: there is nothing to appeal.",
            "您的健康码为绿码，无需申诉。",
            "Mã của bạn màu xanh: không có gì để khiếu nại.",
        ],
    ),
    ("appeal.answer", ["Answer", "答复", "Trả lời"]),
    ("appeal.due", ["Answer due by", "答复期限", "Hạn trả lời"]),
    ("appeal.state.pending", ["Waiting for an answer", "待答复", "Đang chờ trả lời"]),
    ("appeal.state.upheld", ["Upheld", "申诉成立", "Được chấp nhận"]),
    ("appeal.state.rejected", ["Rejected", "申诉不成立", "Bị bác"]),
    ("appeal.inbox", ["Appeals", "申诉处理", "Khiếu nại"]),
    (
        "appeal.inbox_help",
        [
            "Open appeals, earliest deadline first. Upholding one gives the person back the colour they had before the contested change; both outcomes are in the audit log.",
            "待处理的申诉，按期限先后排列。申诉成立将恢复为被申诉变更之前的颜色；处理结果均记入审计日志。",
            "Khiếu nại đang mở, hạn sớm nhất trước. Chấp nhận sẽ trả lại màu trước thay đổi bị khiếu nại; mọi kết quả đều ghi vào nhật ký kiểm toán.",
        ],
    ),
    ("appeal.none", ["No appeal is waiting.", "暂无待处理的申诉。", "Không có khiếu nại nào đang chờ."]),
    ("appeal.overdue", ["overdue", "已逾期", "quá hạn"]),
    ("appeal.outcome", ["Outcome", "结果", "Kết quả"]),
    ("appeal.decide", ["Answer", "答复", "Trả lời"]),
    ("nav.appeal", ["Appeal", "申诉", "Khiếu nại"]),
    // enterprises
    ("ent.title", ["Employer: work resumption", "企业复工", "Doanh nghiệp: trở lại làm việc"]),
    ("ent.none", ["No applications yet.", "尚未提交复工申请。", "Chưa có đơn nào."]),
    ("ent.overdue", ["Overdue", "已超期", "Quá hạn"]),
    ("ent.apply", ["Apply to resume work", "申请复工", "Đăng ký trở lại làm việc"]),
    (
        "ent.apply_help",
        [
            "The health authority decides within 3 working days.",
            "卫生健康部门将在3个工作日内审核。",
            "Cơ quan y tế sẽ quyết định trong vòng 3 ngày làm việc.",
        ],
    ),
    ("ent.company", ["Company name", "企业名称", "Tên doanh nghiệp"]),
    ("ent.site_name", ["Main site", "主要经营场所", "Cơ sở chính"]),
    (
        "ent.more_sites",
        [
            "More sites, one a line: name; address; district",
            "其他场所，每行一个：名称；地址；区县代码",
            "Các cơ sở khác, mỗi dòng một: tên; địa chỉ; mã quận/huyện",
        ],
    ),
    ("ent.headcount", ["Planned headcount", "计划返岗人数", "Số người dự kiến đi làm"]),
    ("ent.measures", ["Prevention measures", "防控措施", "Biện pháp phòng dịch"]),
    ("ent.submit", ["Submit the application", "提交申请", "Gửi đơn"]),
    ("ent.state", ["Application", "申请状态", "Tình trạng đơn"]),
    ("ent.state_pending", ["Waiting for review", "待审核", "Chờ duyệt"]),
    ("ent.state_approved", ["Approved", "已批准", "Đã duyệt"]),
    ("ent.state_rejected", ["Rejected", "未批准", "Bị từ chối"]),
    ("ent.due", ["Decision due by", "审核截止", "Hạn quyết định"]),
    ("ent.reason", ["Reason", "理由", "Lý do"]),
    ("ent.flagged", ["CHECK", "需关注", "CẦN KIỂM TRA"]),
    ("ent.fever", ["Fever at the gate", "门岗测温发热", "Sốt khi đo tại cổng"]),
    ("ent.today", ["Today", "今日", "Hôm nay"]),
    ("ent.employees", ["Employees", "员工", "Nhân viên"]),
    ("ent.invited", ["invited", "已邀请", "đã mời"]),
    ("ent.clocked_in", ["Clocked in", "已打卡", "Đã điểm danh"]),
    ("ent.on_site", ["On site", "已到岗", "Có mặt"]),
    ("ent.attention", ["Needs attention", "需关注人员", "Cần chú ý"]),
    ("ent.attention_none", ["Nobody needs attention.", "暂无需关注人员。", "Không ai cần chú ý."]),
    ("ent.gate", ["Gate check", "门岗查验", "Kiểm tra tại cổng"]),
    (
        "ent.gate_help",
        [
            "Scan the employee's health code and enter the measured temperature: 37.3 °C or more, or a code that is not green, flags the person.",
            "扫描员工健康码并录入测量体温：体温≥37.3 °C或非绿码者将被标记。",
            "Quét mã sức khỏe của nhân viên và nhập nhiệt độ đo được: từ 37,3 °C trở lên, hoặc mã không xanh, sẽ bị đánh dấu.",
        ],
    ),
    ("ent.roster", ["Roster", "员工名单", "Danh sách nhân viên"]),
    ("ent.colour", ["Code", "码色", "Mã"]),
    ("ent.remove", ["Remove", "移除", "Xóa"]),
    ("ent.invite", ["Invite an employee", "邀请员工", "Mời nhân viên"]),
    (
        "ent.invite_help",
        [
            "The employee signs in with this phone and accepts under “My employers”.",
            "员工用此手机号登录后，在“我的雇主”中接受邀请。",
            "Nhân viên đăng nhập bằng số này và chấp nhận trong “Nơi làm việc của tôi”.",
        ],
    ),
    ("ent.my_title", ["My employers", "我的雇主", "Nơi làm việc của tôi"]),
    (
        "ent.my_help",
        [
            "Your employer sees only your code colour, whether you clocked in today and whether you were checked at the gate; never your declarations, symptoms or visits.",
            "雇主只能看到您的码色、今日是否打卡和是否已在门岗查验，看不到您的申报内容、症状和到访记录。",
            "Nơi làm việc chỉ thấy màu mã, việc bạn đã điểm danh hôm nay và đã được kiểm tra tại cổng hay chưa; không bao giờ thấy khai báo, triệu chứng hay các lượt ghé của bạn.",
        ],
    ),
    ("ent.my_none", ["No invitations.", "暂无邀请。", "Không có lời mời nào."]),
    (
        "ent.linked",
        ["You are on this employer's roster.", "您已在该企业员工名单中。", "Bạn có trong danh sách nhân viên."],
    ),
    (
        "ent.invitation",
        [
            "This employer invites you to its roster.",
            "该企业邀请您加入员工名单。",
            "Doanh nghiệp này mời bạn vào danh sách nhân viên.",
        ],
    ),
    ("ent.accept", ["Accept", "接受", "Chấp nhận"]),
    ("ent.decline", ["Decline", "拒绝", "Từ chối"]),
    ("ent.leave", ["Leave the roster", "退出名单", "Rời danh sách"]),
    ("ent.review_title", ["Work-resumption applications", "复工申请审核", "Đơn xin trở lại làm việc"]),
    (
        "ent.review_help",
        [
            "Decide within 3 working days; overdue applications come first.",
            "须在3个工作日内审核；已超期的申请排在最前。",
            "Quyết định trong 3 ngày làm việc; đơn quá hạn được xếp đầu.",
        ],
    ),
    ("ent.review_none", ["No applications waiting.", "暂无待审核申请。", "Không có đơn nào đang chờ."]),
    ("ent.approve", ["Approve", "批准", "Duyệt"]),
    ("ent.reject", ["Reject", "不予批准", "Từ chối"]),
    ("ent.yes", ["yes", "是", "có"]),
    ("ent.no", ["no", "否", "không"]),
    ("ent.no_code", ["No code yet", "尚未申报", "Chưa có mã"]),
    ("ent.missing_clock_in", ["No clock-in today", "今日未打卡", "Hôm nay chưa điểm danh"]),
    ("ent.gate_camera", ["Scan with the camera", "用摄像头扫码", "Quét bằng camera"]),
    ("reason.CLEAR", ["Green code, no fever", "绿码，体温正常", "Mã xanh, không sốt"]),
    ("reason.FEVER", ["Fever: 37.3 °C or more", "发热：体温≥37.3 °C", "Sốt: từ 37,3 °C trở lên"]),
];

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts
            .uri
            .query()
            .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").map(|(_, v)| v.into_owned()));
        Ok(Lang::negotiate(query.as_deref(), &parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_three_languages_and_keys_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (key, texts) in MESSAGES {
            assert!(seen.insert(*key), "duplicate key {key}");
            for (i, t) in texts.iter().enumerate() {
                assert!(!t.is_empty() || key.ends_with("_suffix"), "{key} lacks language {i}");
            }
        }
    }

    #[test]
    fn accept_language_uses_q_values() {
        assert_eq!(Lang::from_accept_language("fr-FR, vi;q=0.8, zh-CN;q=0.9"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept_language("vi-VN"), Some(Lang::Vi));
        assert_eq!(Lang::from_accept_language("de"), None);
    }
}
