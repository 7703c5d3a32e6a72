//! Federation between real servers: A and B trust each other's pinned root
//! keys and accept each other's codes at checkpoints, venue staff scans and
//! in `verify`; C is
//! nobody's peer and its codes stay `CODE_KEY_UNKNOWN`. B's status list
//! reaches A (a B holder turned red is refused there). A keeps B's list in
//! its store across a restart while B is down, and says `PEER_LIST_STALE`
//! once that list expired.

use crate::{BIN, Deployment, declare_healthy, deployment, last_line};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

/// A region: its deployment, listen address, config file and running server.
struct Region {
    id: &'static str,
    dep: Deployment,
    listen: String,
    config: PathBuf,
    child: Option<Child>,
}

impl Drop for Region {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Region {
    async fn new(id: &'static str) -> Region {
        let dep = deployment().await;
        // A free loopback port, known before start so peers can be configured with it.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let config = dep.path().join("healthcode.toml");
        let mut region = Region { id, dep, listen: format!("127.0.0.1:{port}"), config, child: None };
        region.configure(&[]);
        region
    }

    fn base(&self) -> String {
        format!("http://{}", self.listen)
    }

    /// Writes the config file with these peers: `(region, pin)`.
    fn configure(&mut self, peers: &[(&Region, String)]) {
        let mut text = format!(
            "region_id = \"{}\"\nfederation_refresh_seconds = 1\nfederation_list_seconds = 30\n\
             federation_publish_status = true\n",
            self.id
        );
        for (peer, pin) in peers {
            text.push_str(&format!(
                "\n[[peers]]\nregion = \"{}\"\nurl = \"{}\"\nroot_key = \"{pin}\"\n",
                peer.id,
                peer.base()
            ));
        }
        std::fs::write(&self.config, text).unwrap();
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .arg("--data-dir")
            .arg(self.dep.path())
            .arg("--db")
            .arg(&self.dep.db)
            .arg("--config")
            .arg(&self.config)
            .output()
            .unwrap()
    }

    fn pin(&self) -> String {
        let out = self.run(&["keys", "root"]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        last_line(&out)
    }

    fn token(&self, role: &str, subject: &str) -> String {
        let out = self.run(&["token", "--role", role, "--subject", subject]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        last_line(&out)
    }

    fn start(&mut self) {
        let mut child = Command::new(BIN)
            .args(["serve", "--dev-outbox", "--listen", &self.listen, "--data-dir"])
            .arg(self.dep.path())
            .arg("--db")
            .arg(&self.dep.db)
            .arg("--config")
            .arg(&self.config)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        assert_eq!(line.trim(), format!("healthcode listening on {}", self.base()), "{} started", self.id);
        self.child = Some(child);
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// A resident with a green code here: its QR text.
    async fn green_code(&self, phone: &str, name: &str, document: &str) -> String {
        let token = self.token("resident", phone);
        declare_healthy(&self.base(), &token, name, "passport", document).await;
        let code: Value = http()
            .get(format!("{}/api/v1/me/code", self.base()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        code["qr_text"].as_str().unwrap().to_string()
    }

    /// A registered checkpoint and an officer's token for it.
    async fn checkpoint(&self) -> (String, String) {
        let authority = self.token("authority", "anh");
        let resp = http()
            .post(format!("{}/api/v1/checkpoints", self.base()))
            .bearer_auth(&authority)
            .json(&json!({"name": "Border post", "kind": "city_entry", "district": "330102"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 201);
        let checkpoint: Value = resp.json().await.unwrap();
        (checkpoint["id"].as_str().unwrap().to_string(), self.token("officer", "olga"))
    }

    async fn scan(&self, (checkpoint, officer): &(String, String), qr_text: &str) -> Value {
        let resp = http()
            .post(format!("{}/api/v1/checkpoints/{checkpoint}/scans", self.base()))
            .bearer_auth(officer)
            .json(&json!({"qr_text": qr_text, "direction": "in"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        resp.json().await.unwrap()
    }

    /// This region's view of one peer (`GET /api/v1/federation/peers`).
    async fn peer_view(&self, officer: &str, region: &str) -> Value {
        let peers: Value = http()
            .get(format!("{}/api/v1/federation/peers", self.base()))
            .bearer_auth(officer)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        peers.as_array().unwrap().iter().find(|p| p["region"] == region).cloned().unwrap()
    }

    /// Waits until the peer's list is in `state` here.
    async fn await_peer_state(&self, officer: &str, region: &str, state: &str, within: Duration) -> Value {
        let step = Duration::from_millis(250);
        let mut waited = Duration::ZERO;
        loop {
            let view = self.peer_view(officer, region).await;
            if view["state"] == state {
                return view;
            }
            assert!(waited < within, "{region} never became {state} at {}: {view}", self.id);
            tokio::time::sleep(step).await;
            waited += step;
        }
    }

    fn verify(&self, qr_text: &str) -> (bool, Value) {
        let out = self.run(&["verify", qr_text]);
        (out.status.success(), serde_json::from_str(&last_line(&out)).unwrap())
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::new()
}

#[tokio::test]
async fn two_regions_accept_each_others_codes_a_third_is_refused_and_stale_lists_say_so() {
    let mut a = Region::new("XA-AAA").await;
    let mut b = Region::new("XB-BBB").await;
    let mut c = Region::new("XC-CCC").await;
    let (pin_a, pin_b) = (a.pin(), b.pin());
    let peers_of_a = [(&b, pin_b.clone())];
    a.configure(&peers_of_a);
    let peers_of_b = [(&a, pin_a.clone())];
    b.configure(&peers_of_b);
    // C trusts A, but nobody trusts C.
    let peers_of_c = [(&a, pin_a.clone())];
    c.configure(&peers_of_c);
    a.start();
    b.start();
    c.start();

    let code_a = a.green_code("+86 138 0000 0001", "Alice Aa", "A1234567").await;
    let code_b = b.green_code("+86 138 0000 0002", "Bao Bui", "B7654321").await;
    let code_c = c.green_code("+86 138 0000 0003", "Chen Cai", "C1112223").await;
    let post_a = a.checkpoint().await;
    let post_b = b.checkpoint().await;

    let view = a.await_peer_state(&post_a.1, "XB-BBB", "fresh", Duration::from_secs(30)).await;
    assert!(view["trust_list"]["keys"].as_array().is_some_and(|k| !k.is_empty()), "{view}");
    assert!(view["age_seconds"].as_i64().is_some(), "{view}");
    b.await_peer_state(&post_b.1, "XA-AAA", "fresh", Duration::from_secs(30)).await;

    // Each region's checkpoint accepts the other's code and names the issuer.
    let verdict = a.scan(&post_a, &code_b).await;
    assert_eq!((&verdict["verdict"], &verdict["reason"]), (&json!("allow"), &json!("CODE_VALID")), "{verdict}");
    assert_eq!(verdict["region"], "XB-BBB");
    assert_eq!(verdict["holder_hint"], "BB ****4321");
    let verdict = b.scan(&post_b, &code_a).await;
    assert_eq!((&verdict["verdict"], &verdict["region"]), (&json!("allow"), &json!("XA-AAA")), "{verdict}");
    let own = a.scan(&post_a, &code_a).await;
    assert_eq!((&own["verdict"], &own["region"]), (&json!("allow"), &json!("XA-AAA")), "{own}");

    // Venue staff at A scan B's code: the verdict names B, and no visit is
    // recorded (the holder is nobody registered at A).
    let operator = a.token("venue", "+84 912 000 401");
    let venue: Value = http()
        .post(format!("{}/api/v1/venues", a.base()))
        .bearer_auth(&operator)
        .json(&json!({"name": "Nhà văn hoá", "address": "12 Hàng Bạc", "province": "VN-HN",
            "district": "HN-HOAN-KIEM", "commune": "Hàng Bạc", "category": "restaurant", "capacity": 40}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let staff_scan: Value = http()
        .post(format!("{}/api/v1/venues/{}/scans", a.base(), venue["id"].as_str().unwrap()))
        .bearer_auth(&operator)
        .json(&json!({"qr_text": code_b}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!((&staff_scan["verdict"], &staff_scan["region"]), (&json!("allow"), &json!("XB-BBB")), "{staff_scan}");
    assert_eq!((&staff_scan["outcome"], &staff_scan["recorded_id"]), (&Value::Null, &Value::Null), "{staff_scan}");

    // C's code: nobody pinned C's key.
    let verdict = a.scan(&post_a, &code_c).await;
    assert_eq!((&verdict["verdict"], &verdict["reason"]), (&json!("deny"), &json!("CODE_KEY_UNKNOWN")), "{verdict}");
    assert_eq!(verdict["region"], Value::Null);
    let verdict = b.scan(&post_b, &code_c).await;
    assert_eq!(verdict["reason"], "CODE_KEY_UNKNOWN", "{verdict}");

    // `verify` on A's data directory uses the kept lists.
    let (ok, verdict) = a.verify(&code_b);
    assert!(ok, "{verdict}");
    assert_eq!((&verdict["region"], &verdict["colour"]), (&json!("XB-BBB"), &json!("green")));
    let (ok, verdict) = a.verify(&code_c);
    assert!(!ok);
    assert_eq!(verdict["code"], "CODE_KEY_UNKNOWN");

    // The signed list: ETag is the sequence, If-None-Match answers 304.
    let resp = http().get(format!("{}/api/v1/federation/trust-list", a.base())).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let etag = resp.headers()["etag"].to_str().unwrap().to_string();
    let again = http()
        .get(format!("{}/api/v1/federation/trust-list", a.base()))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert!(again.status() == 304 || again.headers()["etag"] != etag.as_str(), "same list, 304");

    // B shares its status list: a B resident who turned red since their code
    // was issued is turned back at A too, once A has B's newer list.
    let turned = b.token("resident", "+86 138 0000 0004");
    declare_healthy(&b.base(), &turned, "Duc Do", "passport", "D4445556").await;
    let turned_code: Value = http()
        .get(format!("{}/api/v1/me/code", b.base()))
        .bearer_auth(&turned)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let turned_code = turned_code["qr_text"].as_str().unwrap().to_string();
    let resp = http()
        .post(format!("{}/api/v1/declarations", b.base()))
        .bearer_auth(&turned)
        .json(&json!({"name": "Duc Do", "document_type": "passport", "document_number": "D4445556",
            "district": "330102", "symptoms": [], "temperature_c": 36.6, "contact_with_case": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let mut attempts = 0;
    loop {
        let verdict = a.scan(&post_a, &turned_code).await;
        if verdict["reason"] == "STATUS_CHANGED" {
            assert_eq!((&verdict["verdict"], &verdict["colour"]), (&json!("deny"), &json!("red")), "{verdict}");
            break;
        }
        attempts += 1;
        assert!(attempts < 40, "A never saw B's status change within 20 s: {verdict}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // B goes down; A restarts and still has B's last good list from its store.
    b.stop();
    a.stop();
    a.start();
    let verdict = a.scan(&post_a, &code_b).await;
    assert_eq!((&verdict["verdict"], &verdict["region"]), (&json!("allow"), &json!("XB-BBB")), "{verdict}");

    // Past the list's expiry (30 s after B last issued it), B's codes are
    // refused as stale rather than accepted silently.
    let view = a.await_peer_state(&post_a.1, "XB-BBB", "stale", Duration::from_secs(45)).await;
    assert_eq!(view["last_error"]["code"], "PEER_UNREACHABLE", "{view}");
    let verdict = a.scan(&post_a, &code_b).await;
    assert_eq!((&verdict["verdict"], &verdict["reason"]), (&json!("deny"), &json!("PEER_LIST_STALE")), "{verdict}");
    assert_eq!(verdict["region"], "XB-BBB");
    let (ok, verdict) = a.verify(&code_b);
    assert!(!ok);
    assert_eq!(verdict["code"], "PEER_LIST_STALE", "{verdict}");
    // A's own codes are unaffected.
    assert_eq!(a.scan(&post_a, &code_a).await["verdict"], "allow");
}
