//! `serve` refuses to run without a way to send codes, and never shows the
//! outbox beyond loopback; `token --days` and `tokens list|revoke`.

use crate::{BIN, deployment, healthcode, last_line, start_server};
use std::process::Command;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

#[tokio::test]
async fn serve_without_a_gateway_exits_and_says_what_to_configure() {
    let dir = deployment().await;
    let out = healthcode(&dir, &["serve", "--listen", "127.0.0.1:0"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("no message gateway") && err.contains("[sms]") && err.contains("--dev-outbox"), "{err}");
}

#[tokio::test]
async fn the_dev_outbox_is_refused_beyond_loopback() {
    let dir = deployment().await;
    let out = healthcode(&dir, &["serve", "--dev-outbox", "--listen", "0.0.0.0:0"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("non-loopback") && err.contains("0.0.0.0:0"), "{err}");
    let out = healthcode(&dir, &["demo", "--residents", "5", "--listen", "0.0.0.0:0"]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("the demo publishes every sign-in code"), "{}", stderr(&out));
}

#[tokio::test]
async fn the_bench_no_op_endpoint_is_refused_beyond_loopback() {
    let dir = deployment().await;
    let out = healthcode(&dir, &["serve", "--dev-outbox", "--bench-no-op", "--listen", "0.0.0.0:0"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("--bench-no-op") && err.contains("0.0.0.0:0"), "{err}");
}

#[tokio::test]
async fn serve_reads_gateways_from_the_config_file_and_never_needs_the_secret_in_it() {
    let dir = deployment().await;
    let config = dir.path().join("healthcode.toml");
    std::fs::write(
        &config,
        r#"
[sms]
url = "http://127.0.0.1:9/send"
headers = { Authorization = "Bearer ${HC_TEST_SMS_TOKEN}" }
body = '{"to":"{to}","text":"{text}"}'
"#,
    )
    .unwrap();
    let run = |token: Option<&str>| {
        let mut cmd = Command::new(BIN);
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--config"]).arg(&config);
        cmd.arg("--data-dir").arg(dir.path()).arg("--db").arg(&dir.db);
        cmd.env_remove("HC_TEST_SMS_TOKEN");
        if let Some(t) = token {
            cmd.env("HC_TEST_SMS_TOKEN", t);
        }
        cmd
    };
    let out = run(None).output().unwrap();
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains("HC_TEST_SMS_TOKEN") && err.contains("not set"), "{err}");

    // With the variable set it starts (and would send through the gateway).
    let mut child = run(Some("s3cret")).stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
    let base = line.trim().strip_prefix("healthcode listening on ").expect("the listening line").to_string();
    let outbox = reqwest::get(format!("{base}/api/v1/dev/outbox")).await.unwrap();
    assert_eq!(outbox.status(), 404, "no outbox with a gateway");
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test]
async fn an_operator_lists_and_revokes_everything_a_person_holds() {
    let dir = deployment().await;
    let server = start_server(&dir);
    let out = healthcode(&dir, &["token", "--role", "resident", "--subject", "+8613800000777", "--days", "3"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("valid for 3 days, until"), "{}", stderr(&out));
    let first = last_line(&out);
    let second = last_line(&healthcode(&dir, &["token", "--role", "resident", "--subject", "+86 138 0000 0777"]));
    let other = last_line(&healthcode(&dir, &["token", "--role", "resident", "--subject", "+8613800000778"]));
    let client = reqwest::Client::new();
    let status = |token: String| {
        let req = client.get(format!("{}/api/v1/me/code", server.base)).bearer_auth(token);
        async move { req.send().await.unwrap().status().as_u16() }
    };
    assert_ne!(status(first.clone()).await, 401);

    let out = healthcode(&dir, &["tokens", "list", "--subject", "+8613800000777"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(listed.lines().filter(|l| l.contains("api_token")).count(), 2, "{listed}");
    assert!(!listed.contains(&first) && !listed.contains("hct_"), "never the secret: {listed}");

    let out = healthcode(&dir, &["tokens", "revoke", "--subject", "+86 138 0000 0777"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("revoked 2"), "{}", String::from_utf8_lossy(&out.stdout));
    tokio::time::sleep(std::time::Duration::from_secs(3)).await; // the server's hot-read cache
    assert_eq!(status(first).await, 401);
    assert_eq!(status(second).await, 401);
    assert_ne!(status(other).await, 401, "someone else's token stays");
    let out = healthcode(&dir, &["tokens", "list", "--subject", "+8613800000777"]);
    assert!(stderr(&out).contains("0 session(s)"), "{}", stderr(&out));
}
