//! Migration 0037 (sessions stored by their hash) on a city that already
//! has sessions: each is read after it as before, by its hash (the direct
//! read) and by its subject (the pool's).

use healthcode_domain::ResidentId;
use healthcode_store::{AuthStore, SessionKind};
use healthcode_store_sqlite::SqliteStore;
use sqlx::Connection;

#[tokio::test]
async fn sessions_written_before_0037_are_found_after_it() {
    let (_dir, path, url, mut conn) = crate::city_before(37).await;
    sqlx::raw_sql(
        "PRAGMA foreign_keys = ON;
         INSERT INTO residents (id, holder_id, contact, kind, created_at)
         VALUES (x'01010101010101010101010101010101', x'01010101010101010101010101010101', '+8613800000001',
                 'resident', 0);
         INSERT INTO sessions (token_hash, kind, role, subject, resident_id, created_at, expires_at)
         VALUES (x'000000000000000000000000000000000000000000000000000000000000000a', 'cookie', 'resident', '+8613800000001',
                 x'01010101010101010101010101010101', 1000, 9000000000000);
         INSERT INTO sessions (token_hash, kind, role, subject, created_at, expires_at, scope)
         VALUES (x'000000000000000000000000000000000000000000000000000000000000000b', 'api_token', 'officer', 'gate-4', 2000, 9000000000000, '{\"gate\":4}');",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    let store = SqliteStore::open_path(&path).await.unwrap();
    let hash = |last: u8| {
        let mut h = [0u8; 32];
        h[31] = last;
        h
    };
    let now = jiff::Timestamp::from_second(1_800_000_000).unwrap();
    let cookie = store.session(&hash(0x0a), now).await.unwrap().expect("the cookie session survives");
    assert_eq!((cookie.kind, cookie.principal.resident), (SessionKind::Cookie, Some(ResidentId::from_bytes([1; 16]))));
    let token = store.session(&hash(0x0b), now).await.unwrap().expect("the API token survives");
    assert_eq!((token.kind, token.scope.as_deref()), (SessionKind::ApiToken, Some("{\"gate\":4}")));
    assert_eq!(store.sessions_of("gate-4").await.unwrap(), vec![token]);

    // Stored by the hash itself: the table has no rowid any more.
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    assert!(sqlx::query("SELECT rowid FROM sessions").fetch_all(&pool).await.is_err());
}
