//! The trust list and key rotation.

use crate::harness::spawn_app;
use healthcode_credential::{KeyRing, PreparedTrustList, verify};

#[tokio::test]
async fn rotation_keeps_the_old_key_until_its_codes_expire() {
    let app = spawn_app().await;
    let li = app.resident_signs_in("+8613800000040").await;
    app.resident_declares(&li, 36.6, &[]).await;
    let (_, old_code) = app.get_json("/api/v1/me/code", Some(&li.token)).await;
    let (_, trust) = app.get_json("/api/v1/trust-list", None).await;
    assert_eq!(trust["issuer"], "CN-ZJ-HZ");
    assert_eq!(trust["keys"].as_array().unwrap().len(), 1);
    assert_eq!(trust["keys"][0]["alg"], "ES256");

    // The operator rotates on disk; the server reloads.
    let dir = app.data.path().join("keys");
    let mut ring = KeyRing::load(&dir).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let new_kid = ring.rotate(&dir, app.clock_now()).unwrap();
    assert!(app.state.keys.reload_if_changed().unwrap());

    let (_, trust) = app.get_json("/api/v1/trust-list", None).await;
    assert_eq!(trust["keys"].as_array().unwrap().len(), 2, "old key still listed");
    let prepared = PreparedTrustList::from_json(&trust.to_string()).unwrap();
    let (_, new_code) = app.get_json("/api/v1/me/code", Some(&li.token)).await;
    let v = verify(new_code["qr_text"].as_str().unwrap(), &prepared, app.clock_now()).unwrap();
    assert_eq!(v.key_id, new_kid, "new codes use the new key");
    assert!(verify(old_code["qr_text"].as_str().unwrap(), &prepared, app.clock_now()).is_ok());

    app.clock.advance(jiff::SignedDuration::from_mins(6));
    let (_, trust) = app.get_json("/api/v1/trust-list", None).await;
    assert_eq!(trust["keys"].as_array().unwrap().len(), 1, "old key dropped once its codes expired");
}
