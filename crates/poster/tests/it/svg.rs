//! SVG output: A4 in millimetres, text kept as text, a QR code of at least 15 cm with its quiet
//! zone clear of text, and every line inside the page.

use healthcode_poster::{PAGE_HEIGHT_MM, PAGE_WIDTH_MM, Poster, PosterError, QR_SIDE_MM, QUIET_ZONE_MODULES};
use resvg::usvg::{self, Node, Rect};

use super::*;

/// The poster's text lines and QR code as laid out by usvg (an independent SVG reader), in
/// millimetres.
struct Parsed {
    texts: Vec<Rect>,
    qr: Rect,
}

fn parse(svg: &str) -> Parsed {
    static DB: LazyLock<std::sync::Arc<usvg::fontdb::Database>> = LazyLock::new(|| {
        let mut db = usvg::fontdb::Database::new();
        db.load_system_fonts();
        std::sync::Arc::new(db)
    });
    let tree = usvg::Tree::from_str(svg, &usvg::Options { fontdb: DB.clone(), ..usvg::Options::default() }).unwrap();
    let px_per_mm = tree.size().width() / PAGE_WIDTH_MM;
    let mm = |r: Rect| {
        Rect::from_ltrb(r.left() / px_per_mm, r.top() / px_per_mm, r.right() / px_per_mm, r.bottom() / px_per_mm)
            .unwrap()
    };
    let mut texts = Vec::new();
    collect_texts(tree.root(), &mut |r| texts.push(mm(r)));
    let qr = mm(tree.node_by_id("qr").expect("the QR path has id=\"qr\"").abs_bounding_box());
    Parsed { texts, qr }
}

fn collect_texts(group: &usvg::Group, found: &mut impl FnMut(Rect)) {
    for node in group.children() {
        match node {
            Node::Group(g) => collect_texts(g, found),
            Node::Text(t) => found(t.abs_bounding_box()),
            _ => {}
        }
    }
}

/// Asserts the layout rules every poster keeps.
fn assert_layout(content: &PosterContent, svg: &str) -> Parsed {
    let parsed = parse(svg);
    let qr = parsed.qr;
    assert!(qr.width() >= 150.0 && qr.height() >= 150.0, "QR is {} x {} mm", qr.width(), qr.height());
    assert!((qr.width() - QR_SIDE_MM).abs() < 0.01, "QR is {} mm wide", qr.width());
    assert!((qr.left() + qr.width() / 2.0 - PAGE_WIDTH_MM / 2.0).abs() < 0.01, "QR not centred: {qr:?}");
    let modules = healthcode_credential::matrix(&content.qr_text).unwrap().size();
    let quiet = QR_SIDE_MM / modules as f32 * QUIET_ZONE_MODULES as f32;
    let zone = Rect::from_ltrb(qr.left() - quiet, qr.top() - quiet, qr.right() + quiet, qr.bottom() + quiet).unwrap();
    assert!(
        zone.left() >= 0.0 && zone.right() <= PAGE_WIDTH_MM && zone.top() >= 0.0 && zone.bottom() <= PAGE_HEIGHT_MM
    );
    for text in &parsed.texts {
        assert!(text.intersect(&zone).is_none(), "text {text:?} is inside the quiet zone {zone:?}");
        assert!(text.left() >= 5.0 && text.right() <= PAGE_WIDTH_MM - 5.0, "text {text:?} leaves the page");
        assert!(text.top() >= 5.0 && text.bottom() <= PAGE_HEIGHT_MM - 5.0, "text {text:?} leaves the page");
    }
    parsed
}

#[test]
fn svg_is_a4_in_millimetres_with_text_as_text() {
    let svg = render(&sample());
    assert!(svg.contains(r#"width="210mm" height="297mm" viewBox="0 0 210 297""#), "{}", &svg[..300]);
    for text in ["Scan to check in", "Phở Hà Nội ", "河内粉店", "Quét mã bằng camera", "V-3F9A21", "7KQ2-M9XD"]
    {
        assert!(svg.contains(text), "{text:?} missing");
    }
    assert!(svg.contains("font-family=\"'Noto Sans CJK SC', 'DejaVu Sans', sans-serif\""));
    let parsed = assert_layout(&sample(), &svg);
    assert_eq!(
        parsed.texts.len(),
        1 + 1 + 2 + 3 + 2 + 1,
        "title, name, address, instructions, entry code and where to type it, reference"
    );
    let size_of = |text: &str| {
        let at = svg.find(&format!(">{text}<")).unwrap_or_else(|| panic!("{text} is not one text element"));
        let open = &svg[svg[..at].rfind("<text").unwrap()..at];
        let size = open.split("font-size=\"").nth(1).and_then(|s| s.split('"').next()).unwrap();
        size.parse::<f32>().unwrap()
    };
    assert!(size_of("7KQ2-M9XD") > 2.0 * size_of("V-3F9A21"), "the entry code is printed large");
    let without = PosterContent { entry_code: String::new(), ..sample() };
    assert!(!render(&without).contains("hc.example/c and type"), "no code, no line saying where to type it");
}

#[test]
fn long_text_wraps_and_shrinks_inside_the_page() {
    let long = long_sample();
    let parsed = assert_layout(&long, &render(&long));
    assert_eq!(parsed.texts.len(), 1 + 2 + 3 + 6 + 2 + 1, "the name wraps onto two lines");

    let chinese = PosterContent {
        venue_name: "杭州市西湖区文三路数字娱乐产业园区第二食堂暨员工健康服务中心".to_owned(),
        ..sample()
    };
    assert_layout(&chinese, &render(&chinese));
}

#[test]
fn markup_in_content_is_escaped() {
    let content = PosterContent { venue_name: "Tom & Jerry's <Café>".to_owned(), ..sample() };
    let svg = render(&content);
    assert!(svg.contains("Tom &amp; Jerry&apos;s &lt;Café&gt;"));
    assert_layout(&content, &svg);
}

#[test]
fn content_limits_are_checked() {
    let cases = [
        PosterContent { venue_name: " \t ".to_owned(), ..sample() },
        PosterContent { qr_text: String::new(), ..sample() },
        PosterContent { address_lines: vec!["x".to_owned(); 4], ..sample() },
        PosterContent { instructions: vec!["x".to_owned(); 7], ..sample() },
        PosterContent { venue_name: "x".repeat(121), ..sample() },
    ];
    for content in cases {
        let err = Poster::new(&content, &FONTS).unwrap_err();
        assert!(matches!(err, PosterError::Content(_)), "{err:?}");
    }
    let too_long = PosterContent { qr_text: "x".repeat(3000), ..sample() };
    assert!(matches!(Poster::new(&too_long, &FONTS), Err(PosterError::Qr(_))));
}

fn render(content: &PosterContent) -> String {
    Poster::new(content, &FONTS).unwrap().svg().to_owned()
}
