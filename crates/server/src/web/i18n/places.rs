//! Page texts of the web3 area (issue 22 items 2, 3, 8): places by name,
//! posters in the venue region's language, installable offline scanners.
//! key -> [English, 简体中文, Tiếng Việt]

pub const MESSAGES: &[(&str, [&str; 3])] = &[
    ("poster.headline", ["Scan to check in", "扫码登记", "Quét mã để vào"]),
    ("entry.title", ["Check in with the venue's code", "输入场所代码登记", "Vào bằng mã của địa điểm"]),
    (
        "entry.help",
        [
            "If your camera cannot read the QR code on the poster, type the code printed under it.",
            "如果手机相机无法识别海报上的二维码，请输入二维码下方印的代码。",
            "Nếu camera không đọc được mã QR trên áp phích, hãy nhập mã in bên dưới.",
        ],
    ),
    ("entry.code", ["Code on the poster", "海报上的代码", "Mã trên áp phích"]),
    ("entry.continue", ["Continue", "继续", "Tiếp tục"]),
    (
        "field.ENTRY_CODE_INVALID",
        [
            "The code has 8 letters and digits, as on the poster.",
            "代码由 8 位字母和数字组成，请按海报填写。",
            "Mã gồm 8 chữ cái và chữ số, như trên áp phích.",
        ],
    ),
    (
        "field.ENTRY_CODE_UNKNOWN",
        [
            "No venue has this code: check the poster.",
            "没有场所使用此代码，请核对海报。",
            "Không có địa điểm nào dùng mã này: hãy kiểm tra lại áp phích.",
        ],
    ),
    (
        "field.VENUE_TOKEN_ROTATED",
        [
            "This poster has been replaced: use the code on the venue's current poster.",
            "此海报已更换，请使用场所现有海报上的代码。",
            "Áp phích này đã được thay: hãy dùng mã trên áp phích hiện tại của địa điểm.",
        ],
    ),
    (
        "field.VENUE_CLOSED",
        [
            "This venue is closed and takes no check-ins.",
            "该场所已关闭，不接受登记。",
            "Địa điểm này đã đóng, không nhận đăng ký vào.",
        ],
    ),
    (
        "poster.entry_code",
        [
            "No camera? Open {$site}/c and type this code:",
            "无法扫码？请打开 {$site}/c 并输入以下代码：",
            "Không quét được mã? Mở {$site}/c và nhập mã này:",
        ],
    ),
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
