//! PERFORMANCE.md measure 4, "code": declaration -> colour (the real policy)
//! -> signed code -> QR SVG, per core, next to the bare ES256 signature of the
//! same claims in the same run: `cargo run --release -p healthcode-credential
//! --example code_rate [N]`. The stages (policy, issue, QR matrix, QR SVG)
//! are also timed alone, to show where the time goes.
#![allow(clippy::disallowed_methods)] // a benchmark reads the clock
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use healthcode_credential::{HealthCodeClaims, SigningKey, issue, matrix, render_svg};
use healthcode_domain::{
    ColourPolicy, Declaration, HolderId, Report, ReportContext, ReportId, ResidentId, StandingFacts, SymptomSet,
    Temperature, apply_report,
};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};

mod timing;

use timing::{ROUNDS, median, per_op_us};

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(5_000);
    let now = Timestamp::from_second(1_581_408_000).unwrap();
    let tz = TimeZone::get("Asia/Shanghai").unwrap();
    let policy = ColourPolicy::default_policy();
    let key = SigningKey::generate().unwrap();
    let report = Report::Declaration(Declaration {
        symptoms: SymptomSet::empty(),
        temperature: Some(Temperature::from_celsius(36.6).unwrap()),
        visited_regions: vec![],
        contact_with_case: false,
        travel_plan: "stay home".into(),
    });
    let standing = StandingFacts::default();
    let ctx = ReportContext {
        resident: ResidentId::from_bytes([7; 16]),
        report_id: ReportId::from_bytes([8; 16]),
        report: &report,
        now,
        time_zone: &tz,
        standing: &standing,
        risk_areas: &[],
    };
    let whole = || {
        let t = apply_report(&policy, None, &ctx).unwrap();
        let claims = HealthCodeClaims {
            issuer: "CN-ZJ-HZ".into(),
            holder: HolderId::from_bytes([0x5a; 16]),
            colour: t.status.colour,
            issued_at: now,
            expires_at: now + SignedDuration::from_mins(5),
            initials: "ZXM".into(),
            document_last4: "123X".into(),
            policy_version: policy.version.clone(),
        };
        let text = issue(&claims, &key).unwrap();
        render_svg(&text).unwrap()
    };
    let svg = whole();
    println!("one code: SVG of {} bytes", svg.len());
    let message = vec![0x42u8; 200]; // about the size of the COSE Sig_structure
    let claims = HealthCodeClaims {
        issuer: "CN-ZJ-HZ".into(),
        holder: HolderId::from_bytes([0x5a; 16]),
        colour: healthcode_domain::Colour::Green,
        issued_at: now,
        expires_at: now + SignedDuration::from_mins(5),
        initials: "ZXM".into(),
        document_last4: "123X".into(),
        policy_version: policy.version.clone(),
    };
    let text = issue(&claims, &key).unwrap();
    let m = matrix(&text).unwrap();
    println!("one code: {} characters, QR version {}", text.len(), (m.size() - 17) / 4);
    let (mut bare, mut full, mut policy_only, mut issue_only, mut matrix_only, mut qr) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        bare.push(per_op_us(n, || {
            black_box(key.sign(black_box(&message))).unwrap();
        }));
        full.push(per_op_us(n, || {
            black_box(whole());
        }));
        policy_only.push(per_op_us(n, || {
            black_box(apply_report(&policy, None, black_box(&ctx))).unwrap();
        }));
        issue_only.push(per_op_us(n, || {
            black_box(issue(black_box(&claims), &key)).unwrap();
        }));
        matrix_only.push(per_op_us(n, || {
            black_box(matrix(black_box(&text))).unwrap();
        }));
        qr.push(per_op_us(n, || {
            black_box(render_svg(black_box(&text))).unwrap();
        }));
    }
    let line = |name: &str, us: f64| println!("{name:<28}: {us:8.2} µs/op  ({:>7.0}/s)", 1e6 / us);
    let (bare, full) = (median(bare), median(full));
    println!("N = {n}, median of {ROUNDS} rounds, one core");
    line("bare ring ES256 sign", bare);
    line("policy (apply_report)", median(policy_only));
    line("issue (sign, CBOR, zlib...)", median(issue_only));
    line("QR matrix of a code", median(matrix_only));
    line("QR SVG of a code", median(qr));
    line("declaration -> code -> SVG", full);
    println!("ratio to the bare signature : {:.3}", bare / full);
}
