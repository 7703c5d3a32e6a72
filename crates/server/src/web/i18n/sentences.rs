//! Sentences with values in them (issue 19 part 7): one message per language
//! with `{$name}` placeholders, never pieces glued together, so each
//! language puts the values where its grammar wants them. English picks
//! `one`/`other` plural forms; Chinese and Vietnamese do not inflect.
//! Called with `lang.tf(key, &[("name", &value)])`.
//! key -> [English, 简体中文, Tiếng Việt]

pub const MESSAGES: &[(&str, [&str; 3])] = &[
    // A label and its value: Chinese takes a full-width colon.
    ("ui.label_value", ["{$label}: {$value}", "{$label}：{$value}", "{$label}: {$value}"]),
    (
        "quarantine.progress",
        [
            "Quarantine: day {$streak} of {$days}",
            "隔离打卡：第{$streak}天，共{$days}天",
            "Cách ly: ngày thứ {$streak} trong {$days} ngày",
        ],
    ),
    ("code.expires", ["Expires in {$seconds} s", "{$seconds} 秒后失效", "Hết hạn sau {$seconds} giây"]),
    (
        "form.fix",
        [
            "Please correct the {$count -> [one] field *[other] {$count} fields} marked below",
            "请更正下方标出的 {$count} 处内容",
            "Vui lòng sửa {$count} ô được đánh dấu bên dưới",
        ],
    ),
    (
        "field.TEXT_LENGTH",
        ["Write {$min} to {$max} characters.", "请填写 {$min} 至 {$max} 个字符。", "Viết từ {$min} đến {$max} ký tự."],
    ),
    ("appeal.due", ["Answer due by {$due}", "将于 {$due} 前答复", "Hạn trả lời: {$due}"]),
    ("ent.due", ["Decision due by {$due}", "审核截止时间：{$due}", "Hạn quyết định: {$due}"]),
    (
        "ent.invited_count",
        ["(+{$invited} invited)", "（另有 {$invited} 人待接受邀请）", "(thêm {$invited} người đã được mời)"],
    ),
    ("checkin.scanned_at", ["Scanned at {$time}", "扫码时间：{$time}", "Quét lúc {$time}"]),
    (
        "checkin.refused.recorded",
        [
            "You were not checked in. This attempt was recorded for contact tracing at {$time} ({$zone}).",
            "您未被登记进入。本次尝试已于 {$time}（{$zone}）记录，供流调使用。",
            "Bạn chưa được ghi nhận vào. Lần thử này đã được ghi lại lúc {$time} ({$zone}) để phục vụ truy vết.",
        ],
    ),
    ("checkin.ended_automatically", ["{$time} (automatically)", "{$time}（系统自动离场）", "{$time} (tự động)"]),
    ("scan.signed_in_as", ["Signed in as {$name}", "当前登录：{$name}", "Đang đăng nhập: {$name}"]),
    (
        "alarm.acknowledged_by",
        ["acknowledged by {$name} at {$at}", "{$name} 于 {$at} 确认", "{$name} đã xác nhận lúc {$at}"],
    ),
    (
        "ovr.request_line",
        [
            "Person {$person}… · requested by {$staff} at {$at}",
            "人员 {$person}… · 由 {$staff} 于 {$at} 申请",
            "Người {$person}… · {$staff} đề nghị lúc {$at}",
        ],
    ),
    (
        "pass.valid",
        ["Valid from {$from} to {$until}", "有效期：{$from} 至 {$until}", "Hiệu lực từ {$from} đến {$until}"],
    ),
    ("pass.print_number", ["Print no. {$number}", "第 {$number} 次打印", "Bản in thứ {$number}"]),
    ("history.rule", ["(Rule {$rule})", "（规则：{$rule}）", "(quy tắc {$rule})"]),
    (
        "case.summary",
        [
            "{$kind} · onset {$onset} · tracing window {$window}",
            "{$kind} · 发病日期 {$onset} · 追溯时段 {$window}",
            "{$kind} · khởi phát ngày {$onset} · truy vết trong khoảng {$window}",
        ],
    ),
    ("staff.reset_named", ["Reset {$login}", "重置 {$login}", "Đặt lại {$login}"]),
    ("staff.disable_named", ["Disable {$login}", "停用 {$login}", "Vô hiệu hóa {$login}"]),
    (
        "fd.decided_line",
        [
            "recorded by {$staff}, approved by {$approver} · {$at}",
            "由 {$staff} 记录，{$approver} 批准 · {$at}",
            "{$staff} ghi nhận, {$approver} duyệt · {$at}",
        ],
    ),
    // An aria-label holds the visible text (axe label-content-name-mismatch).
    ("staff.change_roles_named", ["Change roles {$login}", "更改角色 {$login}", "Đổi vai trò {$login}"]),
    (
        "stats.public_note",
        [
            "Public view: counts from 1 up to below {$threshold} are shown as “<{$threshold}” so nobody can be singled out",
            "公开视图：小于 {$threshold} 的非零数字显示为“<{$threshold}”，以免识别到个人",
            "Bản công khai: các số khác 0 nhỏ hơn {$threshold} được hiển thị là “<{$threshold}” để không ai bị nhận diện",
        ],
    ),
    (
        "override.reason",
        [
            "Manual override approved by a supervisor: {$code}",
            "经审核批准的人工调整：{$code}",
            "Điều chỉnh thủ công đã được duyệt: {$code}",
        ],
    ),
    // Evidence behind a status change, on the history page and in the API.
    (
        "evidence.missed_days",
        ["no clock-in from {$from} to {$to}", "{$from} 至 {$to} 未打卡", "không điểm danh từ {$from} đến {$to}"],
    ),
    (
        "evidence.streak",
        [
            "{$days -> [one] one normal clock-in *[other] {$days} consecutive normal clock-ins}, {$from} to {$to}",
            "{$from} 至 {$to} 连续 {$days} 天打卡正常",
            "điểm danh bình thường {$days} ngày liên tiếp, từ {$from} đến {$to}",
        ],
    ),
    ("evidence.case", ["recorded as a case: {$kind}", "登记为病例：{$kind}", "được ghi nhận là ca bệnh: {$kind}"]),
    (
        "evidence.override",
        [
            "manual override: {$basis} (requested by {$requested_by}, approved by {$approved_by})",
            "人工调整：{$basis}（{$requested_by} 申请，{$approved_by} 批准）",
            "điều chỉnh thủ công: {$basis} ({$requested_by} đề nghị, {$approved_by} phê duyệt)",
        ],
    ),
    (
        "evidence.appeal",
        [
            "appeal upheld by the health authority: {$answer}",
            "卫健部门认定申诉成立：{$answer}",
            "cơ quan y tế chấp nhận khiếu nại: {$answer}",
        ],
    ),
    (
        "evidence.test_result",
        [
            "{$test} test {$outcome}, sampled {$sampled} by {$lab}",
            "{$lab} 于 {$sampled} 采样的{$test}检测结果：{$outcome}",
            "xét nghiệm {$test} {$outcome}, {$lab} lấy mẫu lúc {$sampled}",
        ],
    ),
    // The words that fill evidence.test_result.
    ("lab.test.pcr", ["PCR", "核酸", "PCR"]),
    ("lab.test.antigen", ["Antigen", "抗原", "nhanh kháng nguyên"]),
    ("evidence.outcome.positive", ["positive", "阳性", "dương tính"]),
    ("evidence.outcome.negative", ["negative", "阴性", "âm tính"]),
    (
        "evidence.false_declaration",
        [
            "false declaration: {$evidence} (recorded by {$requested_by}, approved by {$approved_by})",
            "虚假申报：{$evidence}（{$requested_by} 记录，{$approved_by} 批准）",
            "khai báo sai: {$evidence} ({$requested_by} ghi nhận, {$approved_by} phê duyệt)",
        ],
    ),
    (
        "evidence.shared_stay_close",
        [
            "close contact: {$minutes -> [one] one minute *[other] {$minutes} minutes} at a venue with a case, {$from} to {$to}",
            "密切接触：{$from} 至 {$to} 与病例在同一场所停留 {$minutes} 分钟",
            "tiếp xúc gần: ở cùng địa điểm với ca bệnh {$minutes} phút, từ {$from} đến {$to}",
        ],
    ),
    (
        "evidence.shared_stay_secondary",
        [
            "secondary contact: {$minutes -> [one] one minute *[other] {$minutes} minutes} at a venue with a close contact, {$from} to {$to}",
            "次密切接触：{$from} 至 {$to} 与密切接触者在同一场所停留 {$minutes} 分钟",
            "tiếp xúc thứ cấp: ở cùng địa điểm với người tiếp xúc gần {$minutes} phút, từ {$from} đến {$to}",
        ],
    ),
    (
        "evidence.shared_stay",
        [
            "{$contact} contact: {$minutes -> [one] one minute *[other] {$minutes} minutes} at a venue with a case, {$from} to {$to}",
            "{$contact} 接触：{$from} 至 {$to} 与病例在同一场所停留 {$minutes} 分钟",
            "tiếp xúc ({$contact}): ở cùng địa điểm với ca bệnh {$minutes} phút, từ {$from} đến {$to}",
        ],
    ),
];
