//! Page texts (area `cp`): checkpoint kinds and the officer's view of what a
//! holder declared, "do not enter" at venues and attempted entries, and their
//! statistics. key -> [English, 简体中文, Tiếng Việt]

pub const MESSAGES: &[(&str, [&str; 3])] = &[
    // checkpoint kinds
    ("scan.kind.national_highway", ["National highway", "国道卡口", "Quốc lộ"]),
    ("scan.kind.provincial_border", ["Provincial border", "省界卡口", "Giáp ranh tỉnh"]),
    ("scan.kind.station", ["Station", "车站", "Nhà ga / bến xe"]),
    ("scan.kind.airport", ["Airport", "机场", "Sân bay"]),
    ("scan.kind.other", ["Other", "其他", "Khác"]),
    // what the holder declared, on the officer's verdict
    ("scan.origin", ["Declared origin: {n}", "申报来源地：{n}", "Nơi đi khai báo: {n}"]),
    ("scan.origin_none", ["No declared origin", "未申报来源地", "Chưa khai báo nơi đi"]),
    ("scan.origin_risk", ["RISK AREA", "风险地区", "VÙNG NGUY CƠ"]),
    ("scan.declared_today_yes", ["Declared today", "今日已申报", "Hôm nay đã khai báo"]),
    ("scan.declared_today_no", ["Not declared today", "今日未申报", "Hôm nay chưa khai báo"]),
    // a yellow or red holder at a venue's door
    ("checkin.refused", ["Do not enter: attempt recorded", "禁止进入：已记录", "Không được vào: đã ghi nhận"]),
    ("checkin.refused.title", ["Do not enter", "请勿进入", "Không được vào"]),
    (
        "checkin.refused.reason_yellow",
        [
            "Your code is yellow: you are in quarantine and may not enter public places.",
            "您的健康码为黄码：您正在隔离期间，不得进入公共场所。",
            "Mã của bạn màu vàng: bạn đang trong thời gian cách ly và không được vào nơi công cộng.",
        ],
    ),
    (
        "checkin.refused.reason_red",
        [
            "Your code is red: you may not enter any venue.",
            "您的健康码为红码：不得进入任何场所。",
            "Mã của bạn màu đỏ: bạn không được vào bất kỳ địa điểm nào.",
        ],
    ),
    // the venue's own log
    ("venue.attempts", ["Turned away (yellow or red code)", "劝离（黄码或红码）", "Đã từ chối (mã vàng hoặc đỏ)"]),
    (
        "venue.attempts_none",
        [
            "Nobody was turned away in the last 24 hours.",
            "过去 24 小时无人被劝离。",
            "Không ai bị từ chối trong 24 giờ qua.",
        ],
    ),
    // statistics
    ("stats.attempted_entries", ["Turned away at venues", "场所劝离人次", "Bị từ chối tại địa điểm"]),
    ("stats.by_checkpoint_kind", ["Checkpoint passages by kind", "各类卡口通行人次", "Lượt qua chốt theo loại"]),
    ("stats.checkpoint_kind", ["Kind of checkpoint", "卡口类型", "Loại chốt"]),
    ("stats.turned_back_in", ["Turned back (entering)", "劝返（进入）", "Không cho qua (vào)"]),
    ("stats.turned_back_out", ["Turned back (leaving)", "劝返（离开）", "Không cho qua (ra)"]),
    ("venue.attempt_how", ["How", "方式", "Cách"]),
    ("venue.attempt_self", ["Scanned the poster", "扫场所码", "Tự quét mã"]),
    ("venue.attempt_by_staff", ["Scanned by staff", "工作人员扫码", "Nhân viên quét"]),
    ("venue.times_in", ["Times are in {zone}.", "时间为 {zone} 时间。", "Giờ theo múi {zone}."]),
];
