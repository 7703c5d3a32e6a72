//! Health reports, statuses and status history.

use async_trait::async_trait;
use healthcode_domain::{Basis, HealthStatus, Report, ReportChannel, ReportId, ResidentId, StatusChange};
use healthcode_store::{HealthStore, ReportCommit, StoreError, StoreResult, StoredReport};
use sqlx::SqliteConnection;

use crate::accounts::update_identity;
use crate::convert::{colour, date, date_text, from_json, get, json, ms, resident_id, status_from_row, ts};
use crate::{SqliteStore, other};

pub(crate) async fn insert_report(conn: &mut SqliteConnection, r: &StoredReport) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO reports (id, resident_id, at, local_date, kind, symptoms, temperature_dc, body, channel)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(r.id.as_bytes().as_slice())
    .bind(r.resident.as_bytes().as_slice())
    .bind(ms(r.at))
    .bind(date_text(r.local_date))
    .bind(r.report.kind().as_str())
    .bind(i64::from(r.report.symptoms().bits()))
    .bind(r.report.temperature().map(|t| i64::from(t.tenths())))
    .bind(json(&r.report)?)
    .bind(r.channel.map(|c| c.as_str()))
    .execute(&mut *conn)
    .await
    .map_err(other("inserting report"))?;
    Ok(())
}

/// Inserts (expected `None`: version 1, or the record's own when importing)
/// or updates (expected `Some(v)`: version v + 1) a status and returns its
/// version; `Conflict` when the stored version differs.
pub(crate) async fn upsert_status(
    conn: &mut SqliteConnection,
    s: &HealthStatus,
    expected: Option<i64>,
) -> StoreResult<i64> {
    let (basis_kind, rule_id) = match &s.basis {
        Basis::Rule { rule_id, .. } => ("rule", Some(rule_id.as_str())),
        Basis::NoRuleMatched { .. } => ("no_rule_matched", None),
        Basis::Override { reason_code, .. } => ("override", Some(reason_code.as_str())),
    };
    let q = s.quarantine.as_ref();
    let new_version = expected.map_or(s.version.max(1), |v| v + 1);
    let sql = match expected {
        None => {
            "INSERT INTO health_status (colour, since, basis_kind, rule_id, policy_version, q_required_days, q_streak,
                 q_started_on, q_last_counted_on, last_report_on, version, resident_id)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        }
        Some(_) => {
            "UPDATE health_status SET colour = ?, since = ?, basis_kind = ?, rule_id = ?, policy_version = ?,
                 q_required_days = ?, q_streak = ?, q_started_on = ?, q_last_counted_on = ?, last_report_on = ?,
                 version = ?
             WHERE resident_id = ? AND version = ?"
        }
    };
    let query = sqlx::query(sql)
        .bind(s.colour.as_str())
        .bind(ms(s.since))
        .bind(basis_kind)
        .bind(rule_id)
        .bind(s.basis.policy_version())
        .bind(q.map(|q| i64::from(q.required_days)))
        .bind(q.map(|q| i64::from(q.streak)))
        .bind(q.map(|q| date_text(q.started_on)))
        .bind(q.and_then(|q| q.last_counted_on).map(date_text))
        .bind(s.last_report_on.map(date_text))
        .bind(new_version)
        .bind(s.resident.as_bytes().as_slice());
    // The version to compare only exists in the UPDATE.
    let query = match expected {
        Some(v) => query.bind(v),
        None => query,
    };
    let done = query.execute(&mut *conn).await.map_err(|e| match other("writing status")(e) {
        StoreError::Conflict(_) => StoreError::Conflict("status already exists".into()),
        e => e,
    })?;
    if done.rows_affected() != 1 {
        return Err(StoreError::Conflict("status changed since it was read".into()));
    }
    Ok(new_version)
}

pub(crate) async fn insert_change(conn: &mut SqliteConnection, c: &StatusChange) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO status_changes (resident_id, at, event, from_colour, to_colour, basis, evidence, actor)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(c.resident.as_bytes().as_slice())
    .bind(ms(c.at))
    .bind(c.event.as_str())
    .bind(c.from.map(|f| f.as_str()))
    .bind(c.to.as_str())
    .bind(json(&c.basis)?)
    .bind(json(&c.evidence)?)
    .bind(json(&c.actor)?)
    .execute(&mut *conn)
    .await
    .map_err(other("inserting status change"))?;
    Ok(())
}

#[async_trait]
impl HealthStore for SqliteStore {
    async fn status(&self, resident: ResidentId) -> StoreResult<Option<HealthStatus>> {
        let row = sqlx::query("SELECT * FROM health_status WHERE resident_id = ?")
            .bind(resident.as_bytes().as_slice())
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading status"))?;
        row.as_ref().map(status_from_row).transpose()
    }

    async fn commit_report(&self, commit: &ReportCommit) -> StoreResult<HealthStatus> {
        let mut tx = self.write_tx().await?;
        insert_report(&mut tx, &commit.report).await?;
        if let Some(identity) = &commit.identity {
            update_identity(&mut tx, commit.report.resident, identity).await?;
        }
        let version = upsert_status(&mut tx, &commit.status, commit.expected_version).await?;
        for change in &commit.changes {
            insert_change(&mut tx, change).await?;
        }
        tx.commit().await.map_err(other("committing report"))?;
        Ok(HealthStatus { version, ..commit.status.clone() })
    }

    async fn status_history(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<StatusChange>> {
        let rows = sqlx::query(
            "SELECT resident_id, at, event, from_colour, to_colour, basis, evidence, actor
             FROM status_changes WHERE resident_id = ? ORDER BY seq DESC LIMIT ?",
        )
        .bind(resident.as_bytes().as_slice())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(other("reading status history"))?;
        rows.iter().map(change_from_row).collect()
    }

    async fn reports(&self, resident: ResidentId, limit: u32) -> StoreResult<Vec<StoredReport>> {
        let rows = sqlx::query(
            "SELECT id, resident_id, at, local_date, body, channel FROM reports
             WHERE resident_id = ? ORDER BY at DESC, id DESC LIMIT ?",
        )
        .bind(resident.as_bytes().as_slice())
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(other("reading reports"))?;
        rows.iter().map(report_from_row).collect()
    }
}

pub(crate) fn change_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<StatusChange> {
    let event: String = get(row, "event")?;
    let from: Option<String> = get(row, "from_colour")?;
    Ok(StatusChange {
        resident: resident_id(&get::<Vec<u8>>(row, "resident_id")?)?,
        at: ts(get(row, "at")?)?,
        event: healthcode_domain::ChangeEvent::parse(&event)
            .ok_or_else(|| crate::convert::corrupt(format!("event {event}")))?,
        from: from.as_deref().map(colour).transpose()?,
        to: colour(&get::<String>(row, "to_colour")?)?,
        basis: from_json(&get::<String>(row, "basis")?)?,
        evidence: from_json(&get::<String>(row, "evidence")?)?,
        actor: from_json(&get::<String>(row, "actor")?)?,
    })
}

pub(crate) fn report_from_row(row: &sqlx::sqlite::SqliteRow) -> StoreResult<StoredReport> {
    let id: Vec<u8> = get(row, "id")?;
    Ok(StoredReport {
        id: <[u8; 16]>::try_from(id.as_slice())
            .map(ReportId::from_bytes)
            .map_err(|_| crate::convert::corrupt("report id".into()))?,
        resident: resident_id(&get::<Vec<u8>>(row, "resident_id")?)?,
        at: ts(get(row, "at")?)?,
        local_date: date(&get::<String>(row, "local_date")?)?,
        report: from_json::<Report>(&get::<String>(row, "body")?)?,
        channel: channel(get::<Option<String>>(row, "channel")?)?,
    })
}

/// A stored channel name, checked.
pub(crate) fn channel(name: Option<String>) -> StoreResult<Option<ReportChannel>> {
    name.map(|n| ReportChannel::parse(&n).ok_or_else(|| crate::convert::corrupt(format!("report channel {n}"))))
        .transpose()
}
