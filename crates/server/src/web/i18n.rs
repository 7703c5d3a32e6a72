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
