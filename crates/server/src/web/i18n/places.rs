//! Page texts of the web3 area (issue 22 items 2, 3, 8): places by name,
//! posters in the venue region's language, installable offline scanners.
//! key -> [English, 简体中文, Tiếng Việt]

pub const MESSAGES: &[(&str, [&str; 3])] = &[
    ("poster.headline", ["Scan to check in", "扫码登记", "Quét mã để vào"]),
    ("poster.table_tent", ["table tent", "桌牌", "bảng để bàn"]),
    ("poster.sizes", ["Poster sizes", "海报尺寸", "Khổ áp phích"]),
    (
        "places.pick_hint",
        [
            "Type a name in any language, or a code, and pick from the list",
            "输入任一语言的名称或代码，然后从列表中选择",
            "Gõ tên bằng bất kỳ ngôn ngữ nào hoặc mã, rồi chọn trong danh sách",
        ],
    ),
    (
        "scan.offline_ready",
        [
            "Saved on this device: this page opens and scans without a network.",
            "已保存在本设备：无网络时此页面也能打开并扫码。",
            "Đã lưu trên thiết bị: trang này mở và quét được khi không có mạng.",
        ],
    ),
];
