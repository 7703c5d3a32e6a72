//! One fetch of a peer region's signed list against a fake peer that serves
//! whatever document the test puts up: a good list is kept (store and
//! memory) and its codes are judged with the issuing region; a 304 confirms
//! it; a lower sequence, another root key's signature and an already expired
//! list are refused and the good copy stays; past the kept list's expiry the
//! peer's codes answer `PEER_LIST_STALE`.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use healthcode_credential::federation::{REGION_LIST_VERSION, StatusEntry};
use healthcode_credential::{HealthCodeClaims, PinnedRootKey, RegionList, SigningKey, TrustedKey, issue};
use healthcode_domain::{Colour, HolderId};
use healthcode_server::services::checkpoints::judge;
use healthcode_server::services::federation::{Federation, FetchOutcome, fetch_once};
use healthcode_server::{FederationConfig, PeerConfig};
use jiff::{SignedDuration, Timestamp};
use std::sync::{Arc, Mutex};

use healthcode_server::Clock as _;

use crate::harness::spawn_app;

/// The fake peer's current answer: the document and its ETag.
type Served = Arc<Mutex<(String, String)>>;

async fn fake_peer(served: Served) -> String {
    let app = axum::Router::new().route(
        "/api/v1/federation/trust-list",
        axum::routing::get(move |headers: HeaderMap| {
            let served = served.clone();
            async move {
                let (doc, etag) = served.lock().unwrap().clone();
                if headers.get(header::IF_NONE_MATCH).is_some_and(|v| v == etag.as_str()) {
                    return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)], String::new()).into_response();
                }
                (StatusCode::OK, [(header::ETAG, etag)], doc).into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    base
}

fn list(sequence: u64, issued_at: Timestamp, valid: SignedDuration, key: &SigningKey, red: HolderId) -> RegionList {
    RegionList {
        version: REGION_LIST_VERSION,
        region: "XB-BBB".into(),
        sequence,
        issued_at,
        expires_at: issued_at.checked_add(valid).unwrap(),
        keys: vec![TrustedKey::es256(key, issued_at.checked_sub(SignedDuration::from_hours(1)).unwrap(), None)],
        status: Some(vec![StatusEntry { h: red.to_string(), c: "red".into() }]),
    }
}

fn code(key: &SigningKey, holder: HolderId, now: Timestamp) -> String {
    let claims = HealthCodeClaims {
        issuer: "XB-BBB".into(),
        holder,
        colour: Colour::Green,
        issued_at: now,
        expires_at: now.checked_add(SignedDuration::from_mins(5)).unwrap(),
        initials: "BB".into(),
        document_last4: "4321".into(),
        policy_version: "test".into(),
    };
    issue(&claims, key).unwrap()
}

#[tokio::test]
async fn a_peer_list_is_verified_kept_confirmed_and_never_rolled_back() {
    let app = spawn_app().await;
    let now = app.clock.now();
    let (root, code_key, stranger) =
        (SigningKey::generate().unwrap(), SigningKey::generate().unwrap(), SigningKey::generate().unwrap());
    let (green, red) = (HolderId::from_bytes([1; 16]), HolderId::from_bytes([2; 16]));
    let day = SignedDuration::from_hours(24);
    let served: Served = Arc::new(Mutex::new((String::new(), String::new())));
    let put = |l: &RegionList, signer: &SigningKey| {
        let doc = serde_json::to_string(&l.sign(signer).unwrap()).unwrap();
        *served.lock().unwrap() = (doc, format!("\"{}\"", l.sequence));
    };
    let peer = PeerConfig {
        region: "XB-BBB".into(),
        url: fake_peer(served.clone()).await,
        root_key: PinnedRootKey::of(&root),
    };
    // A federation of its own (the app's background fetchers know no peer), over the app's store and clock.
    let config = FederationConfig { peers: vec![peer.clone()], ..FederationConfig::default() };
    let federation = Arc::new(Federation::new(config.clone(), "CN-ZJ-HZ", SigningKey::generate().unwrap()));
    let state = app.state.with(|s| s.federation = federation);
    let client = reqwest::Client::new();

    // Before any fetch: the peer's code is recognised, but cannot be checked.
    let green_code = code(&code_key, green, now);
    assert_eq!(judge(&state, &green_code).await.unwrap().reason, "PEER_LIST_MISSING");

    put(&list(2_000, now, day, &code_key, red), &root);
    assert_eq!(fetch_once(&state, &peer, &client).await.unwrap(), FetchOutcome::Updated { sequence: 2_000 });
    let verdict = judge(&state, &green_code).await.unwrap();
    assert_eq!((verdict.reason.as_str(), verdict.region.as_deref()), ("CODE_VALID", Some("XB-BBB")));
    let verdict = judge(&state, &code(&code_key, red, now)).await.unwrap();
    assert_eq!(
        (verdict.reason.as_str(), verdict.colour),
        ("STATUS_CHANGED", Some(Colour::Red)),
        "the peer's status list"
    );
    // Codes signed by a key the peer does not list stay unknown.
    assert_eq!(judge(&state, &code(&stranger, green, now)).await.unwrap().reason, "CODE_KEY_UNKNOWN");

    // Unchanged: 304, and the check time moves.
    app.clock.advance(SignedDuration::from_mins(1));
    assert_eq!(fetch_once(&state, &peer, &client).await.unwrap(), FetchOutcome::Unchanged);
    let kept = state.federation.peer("XB-BBB").unwrap();
    assert_eq!((kept.list.sequence, kept.checked_at), (2_000, app.clock.now()));

    // Refused, and the good copy stays: an older list, another root key, an expired list.
    put(&list(1_000, now, day, &code_key, red), &root);
    assert_eq!(fetch_once(&state, &peer, &client).await.unwrap_err().code(), "PEER_LIST_ROLLBACK");
    put(&list(3_000, now, day, &code_key, red), &stranger);
    assert_eq!(fetch_once(&state, &peer, &client).await.unwrap_err().code(), "PEER_LIST_SIGNATURE_INVALID");
    let long_ago = now.checked_sub(SignedDuration::from_hours(48)).unwrap();
    put(&list(4_000, long_ago, day, &code_key, red), &root);
    assert_eq!(fetch_once(&state, &peer, &client).await.unwrap_err().code(), "PEER_LIST_STALE");
    assert_eq!(state.federation.peer("XB-BBB").unwrap().list.sequence, 2_000);

    // The store holds the good copy: a fresh federation (a restart) finds it.
    let restarted = Federation::new(config, "CN-ZJ-HZ", SigningKey::generate().unwrap());
    assert_eq!(restarted.load_kept(state.store.as_ref()).await.unwrap(), 1);
    assert_eq!(restarted.peer("XB-BBB").unwrap().list.sequence, 2_000);

    // Past the kept list's expiry the peer's codes are refused as stale.
    app.clock.advance(day);
    let later = app.clock.now();
    let verdict = judge(&state, &code(&code_key, green, later)).await.unwrap();
    assert_eq!((verdict.reason.as_str(), verdict.region.as_deref()), ("PEER_LIST_STALE", Some("XB-BBB")));
}
