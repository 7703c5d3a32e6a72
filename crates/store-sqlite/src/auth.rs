//! One-time codes and sessions.

use async_trait::async_trait;
use healthcode_domain::Role;
use healthcode_store::{AuthStore, OtpChallenge, Principal, SessionKind, SessionRecord, StoreResult};
use jiff::Timestamp;

use crate::convert::{corrupt, get, ms, resident_id, ts};
use crate::{SqliteStore, other};

fn hash32(v: Vec<u8>) -> StoreResult<[u8; 32]> {
    <[u8; 32]>::try_from(v.as_slice()).map_err(|_| corrupt("hash length".into()))
}

fn u32_col(v: i64) -> StoreResult<u32> {
    u32::try_from(v).map_err(|_| corrupt("counter".into()))
}

#[async_trait]
impl AuthStore for SqliteStore {
    async fn put_otp(&self, c: &OtpChallenge) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO otp_challenges (contact, code_hash, expires_at, attempts, window_start, sent_in_window)
             VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (contact) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at,
                 attempts = excluded.attempts, window_start = excluded.window_start,
                 sent_in_window = excluded.sent_in_window",
        )
        .bind(&c.contact)
        .bind(c.code_hash.as_slice())
        .bind(ms(c.expires_at))
        .bind(i64::from(c.attempts))
        .bind(ms(c.window_start))
        .bind(i64::from(c.sent_in_window))
        .execute(&self.pool)
        .await
        .map_err(other("writing one-time code"))?;
        Ok(())
    }

    async fn otp(&self, contact: &str) -> StoreResult<Option<OtpChallenge>> {
        let row = sqlx::query("SELECT * FROM otp_challenges WHERE contact = ?")
            .bind(contact)
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading one-time code"))?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(OtpChallenge {
            contact: get(&row, "contact")?,
            code_hash: hash32(get(&row, "code_hash")?)?,
            expires_at: ts(get(&row, "expires_at")?)?,
            attempts: u32_col(get(&row, "attempts")?)?,
            window_start: ts(get(&row, "window_start")?)?,
            sent_in_window: u32_col(get(&row, "sent_in_window")?)?,
        }))
    }

    async fn delete_otp(&self, contact: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM otp_challenges WHERE contact = ?")
            .bind(contact)
            .execute(&self.pool)
            .await
            .map_err(other("deleting one-time code"))?;
        Ok(())
    }

    async fn insert_session(&self, s: &SessionRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, kind, role, subject, resident_id, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(s.token_hash.as_slice())
        .bind(s.kind.as_str())
        .bind(s.principal.role.as_str())
        .bind(&s.principal.subject)
        .bind(s.principal.resident.map(|r| r.as_bytes().to_vec()))
        .bind(ms(s.created_at))
        .bind(ms(s.expires_at))
        .execute(&self.pool)
        .await
        .map_err(other("inserting session"))?;
        Ok(())
    }

    async fn session(&self, token_hash: &[u8; 32], now: Timestamp) -> StoreResult<Option<SessionRecord>> {
        let row = sqlx::query("SELECT * FROM sessions WHERE token_hash = ? AND expires_at > ?")
            .bind(token_hash.as_slice())
            .bind(ms(now))
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading session"))?;
        row.as_ref().map(session_from_row).transpose()
    }

    async fn delete_session(&self, token_hash: &[u8; 32]) -> StoreResult<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
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
             WHERE contact = ? AND attempts < ? AND expires_at > ?
             RETURNING code_hash",
        )
        .bind(contact)
        .bind(i64::from(max_attempts))
        .bind(ms(now))
        .fetch_optional(&self.pool)
        .await
        .map_err(other("counting a one-time code attempt"))?;
        row.map(|r| get(&r, "code_hash").and_then(hash32)).transpose()
    }

    async fn take_otp(&self, contact: &str, code_hash: &[u8; 32]) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM otp_challenges WHERE contact = ? AND code_hash = ?")
            .bind(contact)
            .bind(code_hash.as_slice())
            .execute(&self.pool)
            .await
            .map_err(other("taking a one-time code"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn extend_session(&self, token_hash: &[u8; 32], expires_at: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET expires_at = ? WHERE token_hash = ?")
            .bind(ms(expires_at))
            .bind(token_hash.as_slice())
            .execute(&self.pool)
            .await
            .map_err(other("extending a session"))?;
        Ok(())
    }

    async fn sessions_of(&self, subject: &str) -> StoreResult<Vec<SessionRecord>> {
        let rows = sqlx::query("SELECT * FROM sessions WHERE subject = ? ORDER BY created_at DESC, token_hash")
            .bind(subject)
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing a subject's sessions"))?;
        rows.iter().map(session_from_row).collect()
    }

    async fn delete_sessions_of(&self, subject: &str) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM sessions WHERE subject = ?")
            .bind(subject)
            .execute(&self.pool)
            .await
            .map_err(other("revoking a subject's sessions"))?;
        Ok(done.rows_affected())
    }
}

pub(crate) fn session_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<SessionRecord> {
    let kind: String = get(row, "kind")?;
    let role: String = get(row, "role")?;
    let resident: Option<Vec<u8>> = get(row, "resident_id")?;
    Ok(SessionRecord {
        token_hash: hash32(get(row, "token_hash")?)?,
        kind: SessionKind::parse(&kind).ok_or_else(|| corrupt(format!("session kind {kind}")))?,
        principal: Principal {
            role: Role::parse(&role).map_err(|e| corrupt(e.to_string()))?,
            subject: get(row, "subject")?,
            resident: resident.as_deref().map(resident_id).transpose()?,
        },
        created_at: ts(get(row, "created_at")?)?,
        expires_at: ts(get(row, "expires_at")?)?,
    })
}
