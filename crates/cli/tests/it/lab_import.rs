//! `healthcode tests import`: a bad file is refused whole, by line; a good
//! one is recorded and opens a case for a positive; a re-run records nothing.

use crate::{deployment, healthcode, last_line};

#[tokio::test]
#[allow(clippy::disallowed_methods)] // the binary reads the wall clock, so the samples must be recent
async fn a_csv_import_is_checked_whole_then_recorded_once() {
    let dep = deployment().await;
    // Accounts exist once a token is minted for them.
    for phone in ["+8613800001851", "+8613800001852"] {
        assert!(healthcode(&dep, &["token", "--role", "resident", "--subject", phone]).status.success());
    }
    let sampled = jiff::Timestamp::now().checked_sub(jiff::SignedDuration::from_hours(3)).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("phone,kind,outcome,sampled_at,lab\n+8613800001851,pcr,negative,{sampled},Lab A\n+8613800001852,pcr,negative,not-a-time,Lab A\n"),
    )
    .unwrap();
    let out = healthcode(&dep, &["tests", "import", bad.to_str().unwrap(), "--recorded-by", "lab-a"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(err.contains("bad.csv:3: SAMPLE_TIME_INVALID") && err.contains("nothing was imported"), "{err}");

    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!("phone,kind,outcome,sampled_at,lab\n+8613800001851,pcr,negative,{sampled},Lab A\n+8613800001852,pcr,positive,{sampled},Lab A\n"),
    )
    .unwrap();
    let out = healthcode(&dep, &["tests", "import", good.to_str().unwrap(), "--recorded-by", "lab-a"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(last_line(&out), "rows 2, recorded 2, duplicates 0, cases opened 1");
    let out = healthcode(&dep, &["tests", "import", good.to_str().unwrap(), "--recorded-by", "lab-a"]);
    assert_eq!(last_line(&out), "rows 2, recorded 0, duplicates 2, cases opened 0");
}
