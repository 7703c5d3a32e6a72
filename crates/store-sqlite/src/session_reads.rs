//! Session reads on the caller's own thread. Every API call presents a
//! session, and the server keeps one for 2 s only (`HOT_READS_TTL`), so a
//! city of people checking in now and then reads one for nearly every
//! check-in. Through sqlx's pool such a read is a message to the pool's
//! SQLite thread and a wake-up for its answer: about 95 µs of the server's
//! CPU each under wrk, 8 % of it with 2,000 people and more with 100,000
//! (docs/BENCHMARKS.md, "sessions read on the caller's thread"). Here it
//! is a call on a rusqlite connection of a few kept idle, reading one row
//! by its key (the table is stored by it, migration 0037); in WAL mode a
//! reader never waits for the writer, so the call blocks its thread for
//! the length of the read alone.
//!
//! A read that fails for a reason of the connection (busy, I/O) is retried
//! through the pool by the caller, which reports what still fails; the
//! fallbacks are counted, the first and every 10,000th logged as a warning.
//! A row that cannot be read is an error here too.

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use healthcode_store::{SessionRecord, StoreResult};
use healthcode_store_sql::{SESSION_BY_HASH, SessionColumns};
use jiff::Timestamp;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Row};
use uuid::Uuid;

/// Idle connections kept for the next reads (a read takes one at a time, so
/// about one per thread that serves requests).
const KEPT: usize = 8;

/// Every this many fallbacks to the pool, one is logged as a warning.
const WARN_EVERY: u64 = 10_000;

/// Reads sessions from the database file at `path`.
#[derive(Debug)]
pub(crate) struct SessionReads {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// Reads that fell back to the pool: the first and every
    /// [`WARN_EVERY`]th is a warning, so a reader that keeps failing shows
    /// in the log without a line a request.
    fallbacks: AtomicU64,
}

impl SessionReads {
    pub(crate) fn new(path: &Path) -> Self {
        Self { path: path.to_path_buf(), idle: Mutex::new(Vec::new()), fallbacks: AtomicU64::new(0) }
    }

    /// The live session with this hash, or `None` when no connection could
    /// read it (the caller then reads through the pool).
    pub(crate) fn session(&self, token_hash: &[u8; 32], now: Timestamp) -> Option<StoreResult<Option<SessionRecord>>> {
        let taken = self.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match taken {
            Some(conn) => conn,
            None => match open(&self.path) {
                Ok(conn) => conn,
                Err(e) => return self.fall_back("opening a session reader", &e),
            },
        };
        let read = read(&conn, token_hash, now);
        match read {
            Ok(found) => {
                if let Ok(mut idle) = self.idle.lock()
                    && idle.len() < KEPT
                {
                    idle.push(conn);
                }
                Some(found)
            }
            Err(e) => self.fall_back("a direct session read", &e),
        }
    }

    /// Reads that fell back to the pool since the store opened.
    pub(crate) fn fallbacks(&self) -> u64 {
        self.fallbacks.load(Ordering::Relaxed)
    }

    /// Counts a fallback to the pool and logs it (see `fallbacks`).
    fn fall_back<T>(&self, what: &str, error: &dyn Display) -> Option<T> {
        let before = self.fallbacks.fetch_add(1, Ordering::Relaxed);
        if before.is_multiple_of(WARN_EVERY) {
            tracing::warn!(%error, fallbacks = before + 1, "{what} failed; reading sessions through the pool");
        } else {
            tracing::debug!(%error, "{what} failed; reading through the pool");
        }
        None
    }
}

/// A read-only connection: a short busy timeout (a WAL reader waits only
/// while another connection recovers the WAL, and the pool then retries
/// with its own), SQLite's default cache (the writer's commits empty it
/// before each read anyway).
fn open(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
    conn.busy_timeout(Duration::from_millis(100))?;
    Ok(conn)
}

/// The session's row, decoded: a connection's error as `Err` (to retry
/// through the pool), a bad value as `Ok(Err(_))`.
fn read(
    conn: &Connection,
    token_hash: &[u8; 32],
    now: Timestamp,
) -> rusqlite::Result<StoreResult<Option<SessionRecord>>> {
    // SQLite numbers `$1` and `$2` in order, so the tuple binds them.
    let mut statement = conn.prepare_cached(SESSION_BY_HASH)?;
    let found = statement.query_row((token_hash.as_slice(), now.as_millisecond()), |row| Ok(decode(row))).optional()?;
    Ok(found.map(|columns| columns.and_then(SessionColumns::record)).transpose())
}

/// A row's columns in [`SESSION_BY_HASH`]'s order, or the first that cannot
/// be read as `corrupt`.
fn decode(row: &Row) -> StoreResult<SessionColumns> {
    let unreadable = |what: &str| healthcode_store_sql::corrupt(format!("session {what}"));
    let millis = |i: usize, what: &str| {
        row.get::<_, i64>(i).ok().and_then(|ms| Timestamp::from_millisecond(ms).ok()).ok_or_else(|| unreadable(what))
    };
    let resident: Option<Vec<u8>> = row.get(4).map_err(|_| unreadable("resident_id"))?;
    Ok(SessionColumns {
        token_hash: row.get(0).map_err(|_| unreadable("token_hash"))?,
        kind: row.get(1).map_err(|_| unreadable("kind"))?,
        role: row.get(2).map_err(|_| unreadable("role"))?,
        subject: row.get(3).map_err(|_| unreadable("subject"))?,
        resident: resident.map(|b| Uuid::from_slice(&b)).transpose().map_err(|_| unreadable("resident_id"))?,
        created_at: millis(5, "created_at")?,
        expires_at: millis(6, "expires_at")?,
        scope: row.get(7).map_err(|_| unreadable("scope"))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use healthcode_domain::{ResidentId, Role};
    use healthcode_store::{AuthStore, Principal, SessionKind};

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap()
    }

    /// A staff device token, with a scope, as `issue` would write it.
    fn token(byte: u8) -> SessionRecord {
        SessionRecord {
            token_hash: [byte; 32],
            kind: SessionKind::ApiToken,
            principal: Principal { role: Role::Officer, subject: "gate-4".into(), resident: None },
            created_at: at(1_800_000_000),
            expires_at: at(1_800_003_600),
            scope: Some(r#"{"checkpoints":["gate-4"]}"#.into()),
        }
    }

    async fn store() -> (tempfile::TempDir, crate::SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::SqliteStore::open_path(&dir.path().join("healthcode.db")).await.unwrap();
        (dir, store)
    }

    /// The direct read finds what the pool wrote, every column alike, and
    /// only while it lives.
    #[tokio::test]
    async fn a_session_is_read_on_the_callers_thread_while_it_lives() {
        let (_dir, store) = store().await;
        let reads = store.sessions.clone().expect("a file store reads sessions directly");
        store.insert_session(&token(1)).await.unwrap();
        let found = |hash: [u8; 32], now: Timestamp| reads.session(&hash, now).expect("read directly").unwrap();

        assert_eq!(found([1; 32], at(1_800_000_001)), Some(token(1)));
        assert_eq!(found([1; 32], at(1_800_003_600)), None, "expired at its expiry");
        assert_eq!(found([2; 32], at(1_800_000_001)), None, "no such session");
        // The store's own read goes the same way.
        assert_eq!(store.session(&[1; 32], at(1_800_000_001)).await.unwrap(), Some(token(1)));
    }

    /// A resident's session carries the person's id back, as the pool reads it.
    #[tokio::test]
    async fn a_residents_session_names_the_person() {
        let (_dir, store) = store().await;
        let person = ResidentId::from_bytes([5; 16]);
        let mut conn = store.pool.acquire().await.unwrap();
        sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await.unwrap();
        sqlx::query(
            "INSERT INTO sessions (token_hash, kind, role, subject, resident_id, created_at, expires_at)
             VALUES (?1, 'cookie', 'resident', 'p', ?2, 0, 9000000000000)",
        )
        .bind([3u8; 32].as_slice())
        .bind(person.as_uuid())
        .execute(&mut *conn)
        .await
        .unwrap();
        drop(conn);
        let direct = store.sessions.as_ref().unwrap().session(&[3; 32], at(1_800_000_000)).unwrap().unwrap().unwrap();
        assert_eq!(direct.principal.resident, Some(person));
        assert_eq!(direct.kind, SessionKind::Cookie);
        assert_eq!(Some(direct), store.session(&[3; 32], at(1_800_000_000)).await.unwrap());
    }

    /// A row that cannot be read is an error, not a reason to ask the pool;
    /// a connection that cannot be had is (`None`).
    #[tokio::test]
    async fn a_bad_row_is_an_error_and_a_missing_file_a_fallback() {
        let (dir, store) = store().await;
        sqlx::query(
            "INSERT INTO sessions (token_hash, kind, role, subject, created_at, expires_at)
             VALUES (?1, 'carrier_pigeon', 'resident', 'p', 0, 9000000000000)",
        )
        .bind([4u8; 32].as_slice())
        .execute(&store.pool)
        .await
        .unwrap();
        match store.sessions.as_ref().unwrap().session(&[4; 32], at(1_800_000_000)) {
            Some(Err(e)) => assert!(e.to_string().contains("carrier_pigeon"), "{e}"),
            other => panic!("a bad row read as {other:?}"),
        }
        let nowhere = SessionReads::new(&dir.path().join("no-such-dir").join("x.db"));
        assert!(nowhere.session(&[4; 32], at(1_800_000_000)).is_none());
        assert!(nowhere.session(&[4; 32], at(1_800_000_000)).is_none());
        assert_eq!(nowhere.fallbacks.load(Ordering::Relaxed), 2, "each fallback is counted");
    }

    /// An in-memory store has no direct reader; its sessions go through the pool.
    #[tokio::test]
    async fn an_in_memory_store_reads_sessions_through_the_pool() {
        let store = crate::SqliteStore::open("sqlite::memory:").await.unwrap();
        assert!(store.sessions.is_none());
        store.insert_session(&token(6)).await.unwrap();
        assert_eq!(store.session(&[6; 32], at(1_800_000_001)).await.unwrap(), Some(token(6)));
    }

    /// Readers on several threads while sessions are written and deleted
    /// beside them: each read finds the live session it asks for, none
    /// falls back or fails, and no more connections are kept than [`KEPT`].
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn reads_on_many_threads_see_each_session_while_others_change() {
        let (_dir, store) = store().await;
        store.insert_session(&token(1)).await.unwrap();
        let reads = store.sessions.clone().unwrap();
        let now = at(1_800_000_001);
        let writing = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
        let readers: Vec<_> = (0..8)
            .map(|_| {
                let (reads, writing) = (reads.clone(), writing.clone());
                tokio::task::spawn_blocking(move || {
                    let mut found = 0;
                    while writing.load(std::sync::atomic::Ordering::Relaxed) {
                        match reads.session(&[1; 32], now) {
                            Some(Ok(Some(s))) if s == token(1) => found += 1,
                            other => panic!("a read beside the writes gave {other:?}"),
                        }
                    }
                    found
                })
            })
            .collect();
        for byte in 10..60 {
            store.insert_session(&token(byte)).await.unwrap();
            store.delete_session(&[byte; 32]).await.unwrap();
        }
        writing.store(false, std::sync::atomic::Ordering::Relaxed);
        for reader in readers {
            assert!(reader.await.unwrap() > 0, "each reader read while sessions changed");
        }
        assert_eq!(reads.session(&[10; 32], now).unwrap().unwrap(), None, "a deleted session is gone");
        assert!(reads.idle.lock().unwrap().len() <= KEPT);
        assert_eq!(reads.fallbacks.load(Ordering::Relaxed), 0);
    }
}
