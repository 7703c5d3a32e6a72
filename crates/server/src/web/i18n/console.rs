//! Page texts: the staff console (navigation, lists that sort, filter and page, the trace report).
//! key -> [English, 简体中文, Tiếng Việt]

pub const MESSAGES: &[(&str, [&str; 3])] = &[
    ("nav.staff", ["Staff console", "工作台", "Bảng điều khiển cán bộ"]),
    ("list.cases", ["Recorded cases", "已登记病例", "Các ca bệnh đã ghi nhận"]),
    ("list.filter", ["Filter the list", "筛选列表", "Lọc danh sách"]),
    ("list.status", ["Status", "状态", "Trạng thái"]),
    ("list.any", ["Any", "全部", "Tất cả"]),
    ("list.traced", ["Traced, not applied", "已流调，未处置", "Đã truy vết, chưa áp dụng"]),
    ("list.district", ["District", "区县", "Quận/huyện"]),
    ("list.apply_filter", ["Show", "筛选", "Hiển thị"]),
    ("list.case_id", ["Case", "病例编号", "Mã ca bệnh"]),
    ("list.recorded", ["Recorded", "登记时间", "Thời điểm ghi nhận"]),
    ("list.notified_contacts", ["Contacts notified", "已通知接触者", "Người tiếp xúc đã được thông báo"]),
    (
        "list.close_secondary",
        [
            "{$close} close · {$secondary} secondary",
            "密接 {$close} · 次密接 {$secondary}",
            "{$close} gần · {$secondary} thứ cấp",
        ],
    ),
    ("list.pages", ["Pages", "分页", "Trang"]),
    ("list.first", ["First page", "首页", "Trang đầu"]),
    ("list.prev", ["Previous page", "上一页", "Trang trước"]),
    ("list.next", ["Next page", "下一页", "Trang sau"]),
    (
        "list.rows",
        [
            "Rows {$from}–{$to} of {$total}",
            "第 {$from}–{$to} 行，共 {$total} 行",
            "Dòng {$from}–{$to} trên tổng số {$total}",
        ],
    ),
    (
        "list.none",
        [
            "No rows here ({$total} in all).",
            "本页无内容（共 {$total} 行）。",
            "Không có dòng nào ở đây (tổng số {$total}).",
        ],
    ),
    (
        "list.traced_help",
        [
            "A case's contacts are counted here once it is applied; before that, its trace report shows who would be notified.",
            "病例处置后，此处显示已通知的接触者人数；处置前，可在流调报告中查看将通知的人员。",
            "Số người tiếp xúc được tính ở đây sau khi áp dụng; trước đó, báo cáo truy vết cho biết những ai sẽ được thông báo.",
        ],
    ),
    ("trace.venues", ["Places shared", "共同停留场所", "Địa điểm có tiếp xúc"]),
    ("trace.already_notified", ["Already notified", "已被通知", "Đã được thông báo"]),
    ("trace.csv", ["Download the full report (CSV)", "下载完整报告（CSV）", "Tải toàn bộ báo cáo (CSV)"]),
    (
        "trace.back_to_summary",
        ["Back to the summary by place", "返回按场所汇总", "Quay lại bảng tổng hợp theo địa điểm"],
    ),
    ("trace.at_venue", ["Contacts at {$venue}", "{$venue} 的接触者", "Người tiếp xúc tại {$venue}"]),
    ("trace.person", ["Person (pseudonymous)", "人员（化名编号）", "Người (mã ẩn danh)"]),
    ("trace.overlap", ["Time together", "共同停留时段", "Thời gian cùng có mặt"]),
    ("trace.minutes", ["Minutes overlapped", "重叠分钟数", "Số phút trùng"]),
    ("trace.yes", ["Yes", "是", "Có"]),
    ("trace.no", ["No", "否", "Không"]),
    (
        "trace.by_venue",
        ["Contacts by place and time", "按场所和时段汇总的接触者", "Người tiếp xúc theo địa điểm và thời gian"],
    ),
    ("trace.window", ["Time window", "时段", "Khoảng thời gian"]),
    ("trace.contacts", ["Contacts", "接触者", "Người tiếp xúc"]),
    ("trace.confirm_title", ["Apply this trace?", "确认处置本次流调？", "Áp dụng kết quả truy vết này?"]),
    ("trace.back_to_report", ["Back to the trace report", "返回流调报告", "Quay lại báo cáo truy vết"]),
    (
        "case.summary_short",
        ["{$kind} · onset {$onset}", "{$kind} · 发病日期 {$onset}", "{$kind} · khởi phát ngày {$onset}"],
    ),
    ("trace.turn_red", ["close contacts turn red", "密接转为红码", "người tiếp xúc gần chuyển mã đỏ"]),
    (
        "trace.turn_yellow",
        ["secondary contacts turn yellow", "次密接转为黄码", "người tiếp xúc thứ cấp chuyển mã vàng"],
    ),
    ("trace.to_notify", ["people to be notified", "人将收到通知", "người sẽ được thông báo"]),
    ("trace.sites_published", ["places published", "个场所将公开", "địa điểm được công bố"]),
    (
        "trace.confirm_text",
        [
            "Applying changes the colour of {$close} close and {$secondary} secondary contacts and notifies {$people} people, {$already} of whom already hold a notice from another case. It cannot be undone from this page.",
            "处置将变更 {$close} 名密接和 {$secondary} 名次密接的码色，并通知 {$people} 人（其中 {$already} 人已因其他病例收到过通知）。此操作无法在本页撤销。",
            "Áp dụng sẽ đổi màu mã của {$close} người tiếp xúc gần và {$secondary} người tiếp xúc thứ cấp, và thông báo cho {$people} người ({$already} người trong số đó đã nhận thông báo từ ca bệnh khác). Không thể hoàn tác trên trang này.",
        ],
    ),
    ("trace.confirm_apply", ["Yes, apply and notify", "确认处置并通知", "Đồng ý, áp dụng và thông báo"]),
    ("trace.cancel", ["Cancel", "取消", "Hủy"]),
    (
        "apierr.LIST_PARAM_INVALID",
        [
            "This list cannot be shown with the sort, filter or page in the address. Open it again from the menu.",
            "地址中的排序、筛选或页码无效，无法显示此列表。请从菜单重新打开。",
            "Không thể hiển thị danh sách với cách sắp xếp, bộ lọc hoặc số trang trong địa chỉ. Hãy mở lại từ menu.",
        ],
    ),
];
