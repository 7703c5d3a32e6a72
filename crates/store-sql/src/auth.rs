//! One-time codes and sessions.

use healthcode_domain::{ResidentId, Role};
use healthcode_store::{Principal, SessionKind, SessionRecord, StoreResult};
use jiff::Timestamp;
use uuid::Uuid;

use crate::corrupt;

/// The live session with a hash (`$1`) at an instant (`$2`), its columns in
/// the order [`SessionColumns`] lists them: the pool's read and a
/// backend's own direct one (SQLite's `session_reads`, by position).
pub const SESSION_BY_HASH: &str = "SELECT token_hash, kind, role, subject, resident_id, created_at, expires_at, scope
     FROM sessions WHERE token_hash = $1 AND expires_at > $2";

/// A session row as read, before its values are checked.
#[derive(Debug)]
pub struct SessionColumns {
    pub token_hash: Vec<u8>,
    pub kind: String,
    pub role: String,
    pub subject: String,
    pub resident: Option<Uuid>,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub scope: Option<String>,
}

impl SessionColumns {
    /// The session these columns hold, or `corrupt` naming the bad value.
    pub fn record(self) -> StoreResult<SessionRecord> {
        Ok(SessionRecord {
            token_hash: <[u8; 32]>::try_from(self.token_hash.as_slice())
                .map_err(|_| corrupt("token_hash length".into()))?,
            kind: SessionKind::parse(&self.kind).ok_or_else(|| corrupt(format!("session kind {}", self.kind)))?,
            principal: Principal {
                role: Role::parse(&self.role).map_err(|e| corrupt(e.to_string()))?,
                subject: self.subject,
                resident: self.resident.map(ResidentId::from_uuid),
            },
            created_at: self.created_at,
            expires_at: self.expires_at,
            scope: self.scope,
        })
    }
}

#[doc(hidden)]
#[macro_export]
macro_rules! __auth {
    ($Store:path, $Db:ty) => {
        pub(crate) mod auth {
            $crate::__prelude!($Store, $Db);
            use domain::Role;
            use store::{AuthStore, OtpChallenge, Principal, SessionKind, SessionRecord, StoreResult};
            use jiff::Timestamp;

            fn hash32(row: &Row, col: &str) -> StoreResult<[u8; 32]> {
                <[u8; 32]>::try_from(get::<Vec<u8>>(row, col)?.as_slice()).map_err(|_| corrupt(format!("{col} length")))
            }

            fn u32_col(row: &Row, col: &str) -> StoreResult<u32> {
                u32::try_from(get::<i64>(row, col)?).map_err(|_| corrupt(format!("column {col} out of range")))
            }

            /// Inserts a session; with `skip_existing`, a session already present is left
            /// as it is instead of conflicting.
            pub(crate) async fn write_session(conn: &mut Conn, s: &SessionRecord, skip_existing: bool) -> StoreResult<()> {
                let sql = if skip_existing {
                    "INSERT INTO sessions (token_hash, kind, role, subject, resident_id, created_at, expires_at, scope)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (token_hash) DO NOTHING"
                } else {
                    "INSERT INTO sessions (token_hash, kind, role, subject, resident_id, created_at, expires_at, scope)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                };
                sqlx::query(sql)
                    .bind(s.token_hash.as_slice())
                    .bind(s.kind.as_str())
                    .bind(s.principal.role.as_str())
                    .bind(&s.principal.subject)
                    .bind(s.principal.resident.map(|r| r.as_uuid()))
                    .bind(Time(s.created_at))
                    .bind(Time(s.expires_at))
                    .bind(&s.scope)
                    .execute(&mut *conn)
                    .await
                    .map_err(other("writing a session"))?;
                Ok(())
            }

            #[async_trait]
            impl AuthStore for Store {
                async fn put_otp(&self, c: &OtpChallenge) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO otp_challenges (contact, code_hash, expires_at, attempts, window_start, sent_in_window)
                         VALUES ($1, $2, $3, $4, $5, $6)
                         ON CONFLICT (contact) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
                             attempts = excluded.attempts, window_start = excluded.window_start,
                             sent_in_window = excluded.sent_in_window",
                    )
                    .bind(&c.contact)
                    .bind(c.code_hash.as_slice())
                    .bind(Time(c.expires_at))
                    .bind(i64::from(c.attempts))
                    .bind(Time(c.window_start))
                    .bind(i64::from(c.sent_in_window))
                    .execute(&self.pool)
                    .await
                    .map_err(other("writing one-time code"))?;
                    Ok(())
                }

                async fn otp(&self, contact: &str) -> StoreResult<Option<OtpChallenge>> {
                    let row = sqlx::query("SELECT * FROM otp_challenges WHERE contact = $1")
                        .bind(contact)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading one-time code"))?;
                    let Some(row) = row else { return Ok(None) };
                    Ok(Some(OtpChallenge {
                        contact: get(&row, "contact")?,
                        code_hash: hash32(&row, "code_hash")?,
                        expires_at: ts(&row, "expires_at")?,
                        attempts: u32_col(&row, "attempts")?,
                        window_start: ts(&row, "window_start")?,
                        sent_in_window: u32_col(&row, "sent_in_window")?,
                    }))
                }

                async fn delete_otp(&self, contact: &str) -> StoreResult<()> {
                    sqlx::query("DELETE FROM otp_challenges WHERE contact = $1")
                        .bind(contact)
                        .execute(&self.pool)
                        .await
                        .map_err(other("deleting one-time code"))?;
                    Ok(())
                }

                async fn insert_session(&self, s: &SessionRecord) -> StoreResult<()> {
                    let mut conn = self.pool.acquire().await.map_err(other("inserting session"))?;
                    write_session(&mut conn, s, false).await
                }

                async fn session(&self, token_hash: &[u8; 32], now: Timestamp) -> StoreResult<Option<SessionRecord>> {
                    // Every API call presents a session: a backend that can read it without
                    // the pool (SQLite, on the caller's thread) does; `None` falls back here.
                    if let Some(read) = self.read_session_directly(token_hash, now) {
                        return read;
                    }
                    let row = sqlx::query($crate::SESSION_BY_HASH)
                        .bind(token_hash.as_slice())
                        .bind(Time(now))
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading session"))?;
                    row.as_ref().map(session_from_row).transpose()
                }

                async fn replace_session(&self, old: &[u8; 32], new: &SessionRecord) -> StoreResult<bool> {
                    let mut tx = self.write_tx().await?;
                    let gone = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                        .bind(old.as_slice())
                        .execute(&mut *tx)
                        .await
                        .map_err(other("exchanging a session"))?;
                    if gone.rows_affected() != 1 {
                        // Exchanged (or ended) by someone else first; dropping `tx` rolls back.
                        return Ok(false);
                    }
                    write_session(&mut tx, new, false).await?;
                    tx.commit().await.map_err(other("exchanging a session"))?;
                    Ok(true)
                }

                async fn delete_session(&self, token_hash: &[u8; 32]) -> StoreResult<()> {
                    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                        .bind(token_hash.as_slice())
                        .execute(&self.pool)
                        .await
                        .map_err(other("deleting session"))?;
                    Ok(())
                }

                async fn count_otp_attempt(
                    &self,
                    contact: &str,
                    max_attempts: u32,
                    now: Timestamp,
                ) -> StoreResult<Option<[u8; 32]>> {
                    let row = sqlx::query(
                        "UPDATE otp_challenges SET attempts = attempts + 1
                         WHERE contact = $1 AND attempts < $2 AND expires_at > $3
                         RETURNING code_hash",
                    )
                    .bind(contact)
                    .bind(i64::from(max_attempts))
                    .bind(Time(now))
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(other("counting a one-time code attempt"))?;
                    row.as_ref().map(|r| hash32(r, "code_hash")).transpose()
                }

                async fn take_otp(&self, contact: &str, code_hash: &[u8; 32]) -> StoreResult<bool> {
                    let done = sqlx::query("DELETE FROM otp_challenges WHERE contact = $1 AND code_hash = $2")
                        .bind(contact)
                        .bind(code_hash.as_slice())
                        .execute(&self.pool)
                        .await
                        .map_err(other("taking a one-time code"))?;
                    Ok(done.rows_affected() == 1)
                }

                async fn extend_session(&self, token_hash: &[u8; 32], expires_at: Timestamp) -> StoreResult<()> {
                    sqlx::query("UPDATE sessions SET expires_at = $2 WHERE token_hash = $1")
                        .bind(token_hash.as_slice())
                        .bind(Time(expires_at))
                        .execute(&self.pool)
                        .await
                        .map_err(other("extending a session"))?;
                    Ok(())
                }

                async fn sessions_of(&self, subject: &str) -> StoreResult<Vec<SessionRecord>> {
                    let rows = sqlx::query("SELECT * FROM sessions WHERE subject = $1 ORDER BY created_at DESC, token_hash")
                        .bind(subject)
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing a subject's sessions"))?;
                    rows.iter().map(session_from_row).collect()
                }

                async fn api_tokens(&self) -> StoreResult<Vec<SessionRecord>> {
                    let rows = sqlx::query(
                        "SELECT * FROM sessions WHERE kind = 'api_token' ORDER BY created_at DESC, token_hash",
                    )
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("listing API tokens"))?;
                    rows.iter().map(session_from_row).collect()
                }

                async fn delete_sessions_of(&self, subject: &str) -> StoreResult<u64> {
                    let done = sqlx::query("DELETE FROM sessions WHERE subject = $1")
                        .bind(subject)
                        .execute(&self.pool)
                        .await
                        .map_err(other("revoking a subject's sessions"))?;
                    Ok(done.rows_affected())
                }
            }

            pub(crate) fn session_from_row(row: &Row) -> StoreResult<SessionRecord> {
                $crate::SessionColumns {
                    token_hash: get(row, "token_hash")?,
                    kind: get(row, "kind")?,
                    role: get(row, "role")?,
                    subject: get(row, "subject")?,
                    resident: get(row, "resident_id")?,
                    created_at: ts(row, "created_at")?,
                    expires_at: ts(row, "expires_at")?,
                    scope: get(row, "scope")?,
                }
                .record()
            }
        }
    };
}
