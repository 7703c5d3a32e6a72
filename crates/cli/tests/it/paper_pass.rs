//! `verify` answers JSON for paper passes and for images without a QR code.

use crate::{declare_healthy, deployment, healthcode, last_line, start_server};
use serde_json::Value;

fn verdict(out: &std::process::Output) -> Value {
    serde_json::from_str(&last_line(out)).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[tokio::test]
async fn an_image_without_a_qr_code_is_no_qr_found_with_its_own_exit_status() {
    let dir = deployment().await;
    let blank = dir.path().join("blank.png");
    image::GrayImage::from_pixel(320, 240, image::Luma([255])).save(&blank).unwrap();
    let out = healthcode(&dir, &["verify", blank.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!((verdict(&out)["code"].as_str(), verdict(&out)["valid"].as_bool()), (Some("NO_QR_FOUND"), Some(false)));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("panicked"));

    let text_file = dir.path().join("notes.png");
    std::fs::write(&text_file, "not an image at all").unwrap();
    let out = healthcode(&dir, &["verify", text_file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(verdict(&out)["code"], "IMAGE_UNREADABLE");
}

#[tokio::test]
async fn paper_passes_verify_offline_and_a_reprint_revokes_the_first() {
    let dir = deployment().await;
    let server = start_server(&dir);
    let out = healthcode(&dir, &["token", "--role", "resident", "--subject", "+86 138 0000 0098"]);
    let token = last_line(&out);
    declare_healthy(&server.base, &token, "Wang Fang", "passport", "E12345678").await;
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", server.base);
    let first: Value =
        client.get(url("/api/v1/me/pass")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let first = first["qr_text"].as_str().unwrap().to_string();

    let out = healthcode(&dir, &["verify", &first]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let v = verdict(&out);
    assert_eq!(
        (v["code"].as_str(), v["print"].as_u64(), v["holder_hint"].as_str()),
        (Some("PASS_VALID"), Some(1), Some("WF ****5678"))
    );

    let second: Value =
        client.post(url("/api/v1/me/pass/reprint")).bearer_auth(&token).send().await.unwrap().json().await.unwrap();
    let out = healthcode(&dir, &["verify", &first]);
    assert_eq!((out.status.code(), verdict(&out)["code"].as_str()), (Some(1), Some("PASS_REVOKED")));
    let out = healthcode(&dir, &["verify", second["qr_text"].as_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));

    let mut tampered: Vec<char> = first.chars().collect();
    let i = tampered.len() - 7;
    tampered[i] = if tampered[i] == 'A' { 'B' } else { 'A' };
    let out = healthcode(&dir, &["verify", &tampered.into_iter().collect::<String>()]);
    assert_eq!((out.status.code(), verdict(&out)["code"].as_str()), (Some(1), Some("PASS_FORGED")));
    // An invalid code is exit status 1, not 3: callers can tell them apart.
    let out = healthcode(&dir, &["verify", "HPASS2:AAAA"]);
    assert_eq!((out.status.code(), verdict(&out)["code"].as_str()), (Some(1), Some("PASS_INVALID")));
    drop(server);
}
