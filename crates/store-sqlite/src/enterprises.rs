//! Work resumption: applications, rosters, gate scans.

use async_trait::async_trait;
use healthcode_domain::{
    ApplicationState, DistrictCode, EnterpriseId, EnterpriseProfile, PersonName, PhoneNumber, ResidentId, Site,
    Temperature,
};
use healthcode_store::{
    Employee, EmployeeSnapshot, Enterprise, EnterpriseDecision, EnterpriseRecords, EnterpriseStore, GateScan,
    StoreError, StoreResult,
};
use jiff::Timestamp;
use sqlx::SqliteConnection;
use sqlx::sqlite::SqliteRow;

use crate::convert::{colour, corrupt, from_json, get, json, ms, opt_date, resident_id, ts};
use crate::{SqliteStore, other};

fn enterprise_id(bytes: &[u8]) -> StoreResult<EnterpriseId> {
    <[u8; 16]>::try_from(bytes).map(EnterpriseId::from_bytes).map_err(|_| corrupt("enterprise id".into()))
}

fn phone(s: &str) -> StoreResult<PhoneNumber> {
    PhoneNumber::parse(s).map_err(|e| corrupt(format!("phone: {e}")))
}

fn opt_ts(v: Option<i64>) -> StoreResult<Option<Timestamp>> {
    v.map(ts).transpose()
}

fn enterprise_from_row(row: &SqliteRow) -> StoreResult<Enterprise> {
    let state: String = get(row, "state")?;
    let sites: Vec<Site> = from_json(&get::<String>(row, "sites")?)?;
    Ok(Enterprise {
        id: enterprise_id(&get::<Vec<u8>>(row, "id")?)?,
        owner: phone(&get::<String>(row, "owner_phone")?)?,
        profile: EnterpriseProfile {
            name: get(row, "name")?,
            sites,
            district: DistrictCode::parse(&get::<String>(row, "district")?).map_err(|e| corrupt(e.to_string()))?,
            planned_headcount: u32::try_from(get::<i64>(row, "planned_headcount")?)
                .map_err(|_| corrupt("planned headcount".into()))?,
            measures: get(row, "measures")?,
        },
        state: ApplicationState::parse(&state).ok_or_else(|| corrupt(format!("application state {state}")))?,
        submitted_at: ts(get(row, "submitted_at")?)?,
        due_at: ts(get(row, "due_at")?)?,
        decided_at: opt_ts(get(row, "decided_at")?)?,
        decided_by: get(row, "decided_by")?,
        decision_reason: get(row, "decision_reason")?,
    })
}

fn employee_from_row(row: &SqliteRow) -> StoreResult<Employee> {
    let resident: Option<Vec<u8>> = get(row, "resident_id")?;
    Ok(Employee {
        enterprise: enterprise_id(&get::<Vec<u8>>(row, "enterprise_id")?)?,
        phone: phone(&get::<String>(row, "phone")?)?,
        resident: resident.as_deref().map(resident_id).transpose()?,
        invited_at: ts(get(row, "invited_at")?)?,
        accepted_at: opt_ts(get(row, "accepted_at")?)?,
        removed_at: opt_ts(get(row, "removed_at")?)?,
    })
}

fn temperature(tenths: Option<i64>) -> StoreResult<Option<Temperature>> {
    tenths
        .map(|t| {
            u16::try_from(t)
                .ok()
                .and_then(|t| Temperature::from_tenths(t).ok())
                .ok_or_else(|| corrupt(format!("temperature {t}")))
        })
        .transpose()
}

fn gate_scan_from_row(row: &SqliteRow) -> StoreResult<GateScan> {
    let id: Vec<u8> = get(row, "id")?;
    Ok(GateScan {
        id: uuid::Uuid::from_slice(&id).map_err(|_| corrupt("gate scan id".into()))?,
        enterprise: enterprise_id(&get::<Vec<u8>>(row, "enterprise_id")?)?,
        resident: resident_id(&get::<Vec<u8>>(row, "resident_id")?)?,
        scanned_at: ts(get(row, "scanned_at")?)?,
        colour: colour(&get::<String>(row, "colour")?)?,
        temperature: temperature(get(row, "temperature_dc")?)?,
        flagged: get::<i64>(row, "flagged")? != 0,
        reason: get(row, "reason")?,
    })
}

fn snapshot_from_row(row: &SqliteRow) -> StoreResult<EmployeeSnapshot> {
    let resident: Option<Vec<u8>> = get(row, "resident_id")?;
    let name: Option<String> = get(row, "name")?;
    let colour_text: Option<String> = get(row, "colour")?;
    Ok(EmployeeSnapshot {
        phone: phone(&get::<String>(row, "phone")?)?,
        resident: resident.as_deref().map(resident_id).transpose()?,
        accepted_at: opt_ts(get(row, "accepted_at")?)?,
        name: name.as_deref().map(PersonName::parse).transpose().map_err(|e| corrupt(e.to_string()))?,
        colour: colour_text.as_deref().map(colour).transpose()?,
        last_report_on: opt_date(get(row, "last_report_on")?)?,
        scanned_today: get::<i64>(row, "scanned")? != 0,
        fever_today: get::<i64>(row, "fever")? != 0,
    })
}

/// What an insert does when the row exists: fail (`Conflict`) or skip it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnDuplicate {
    Fail,
    Skip,
}

impl OnDuplicate {
    fn clause(self) -> &'static str {
        match self {
            OnDuplicate::Fail => "",
            OnDuplicate::Skip => " ON CONFLICT DO NOTHING",
        }
    }
}

async fn insert_enterprise(conn: &mut SqliteConnection, e: &Enterprise, dup: OnDuplicate) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO enterprises (id, owner_phone, name, sites, district, planned_headcount, measures, state,
             submitted_at, due_at, decided_at, decided_by, decision_reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?){}",
        dup.clause()
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(e.id.as_bytes().as_slice())
        .bind(e.owner.as_str())
        .bind(&e.profile.name)
        .bind(json(&e.profile.sites)?)
        .bind(e.profile.district.as_str())
        .bind(i64::from(e.profile.planned_headcount))
        .bind(&e.profile.measures)
        .bind(e.state.as_str())
        .bind(ms(e.submitted_at))
        .bind(ms(e.due_at))
        .bind(e.decided_at.map(ms))
        .bind(&e.decided_by)
        .bind(&e.decision_reason)
        .execute(&mut *conn)
        .await
        .map_err(other("inserting enterprise"))?;
    Ok(())
}

async fn insert_employee(conn: &mut SqliteConnection, e: &Employee) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO employees (enterprise_id, phone, resident_id, invited_at, accepted_at, removed_at)
         VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(e.enterprise.as_bytes().as_slice())
    .bind(e.phone.as_str())
    .bind(e.resident.map(|r| r.as_bytes().to_vec()))
    .bind(ms(e.invited_at))
    .bind(e.accepted_at.map(ms))
    .bind(e.removed_at.map(ms))
    .execute(&mut *conn)
    .await
    .map_err(other("inserting roster line"))?;
    Ok(())
}

async fn insert_gate_scan(conn: &mut SqliteConnection, s: &GateScan, dup: OnDuplicate) -> StoreResult<()> {
    let sql = format!(
        "INSERT INTO gate_scans (id, enterprise_id, resident_id, scanned_at, colour, temperature_dc, flagged, reason)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?){}",
        dup.clause()
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(s.id.as_bytes().as_slice())
        .bind(s.enterprise.as_bytes().as_slice())
        .bind(s.resident.as_bytes().as_slice())
        .bind(ms(s.scanned_at))
        .bind(s.colour.as_str())
        .bind(s.temperature.map(|t| i64::from(t.tenths())))
        .bind(i64::from(s.flagged))
        .bind(&s.reason)
        .execute(&mut *conn)
        .await
        .map_err(other("recording gate scan"))?;
    Ok(())
}

impl SqliteStore {
    /// Every application, roster line and gate scan, for copies.
    pub(crate) async fn all_enterprise_records(&self) -> StoreResult<EnterpriseRecords> {
        let read = |sql: &'static str| sqlx::query(sql).fetch_all(&self.pool);
        let enterprises =
            read("SELECT * FROM enterprises ORDER BY id").await.map_err(other("exporting enterprises"))?;
        let employees =
            read("SELECT * FROM employees ORDER BY enterprise_id, phone").await.map_err(other("exporting rosters"))?;
        let scans = read("SELECT * FROM gate_scans ORDER BY id").await.map_err(other("exporting gate scans"))?;
        Ok(EnterpriseRecords {
            enterprises: enterprises.iter().map(enterprise_from_row).collect::<StoreResult<_>>()?,
            employees: employees.iter().map(employee_from_row).collect::<StoreResult<_>>()?,
            gate_scans: scans.iter().map(gate_scan_from_row).collect::<StoreResult<_>>()?,
        })
    }

    /// Inserts records in one transaction, skipping those present.
    pub(crate) async fn import_enterprise_records(&self, records: &EnterpriseRecords) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        for e in &records.enterprises {
            insert_enterprise(&mut tx, e, OnDuplicate::Skip).await?;
        }
        for e in &records.employees {
            insert_employee(&mut tx, e).await?;
        }
        for s in &records.gate_scans {
            insert_gate_scan(&mut tx, s, OnDuplicate::Skip).await?;
        }
        tx.commit().await.map_err(other("committing enterprise records"))
    }
}

#[async_trait]
impl EnterpriseStore for SqliteStore {
    async fn create_enterprise(&self, e: &Enterprise) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(other("inserting enterprise"))?;
        insert_enterprise(&mut conn, e, OnDuplicate::Fail).await
    }

    async fn enterprise(&self, id: EnterpriseId) -> StoreResult<Enterprise> {
        let row = sqlx::query("SELECT * FROM enterprises WHERE id = ?")
            .bind(id.as_bytes().as_slice())
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading enterprise"))?
            .ok_or(StoreError::NotFound)?;
        enterprise_from_row(&row)
    }

    async fn enterprises_of(&self, owner: &PhoneNumber) -> StoreResult<Vec<Enterprise>> {
        let rows = sqlx::query("SELECT * FROM enterprises WHERE owner_phone = ? ORDER BY submitted_at DESC, id DESC")
            .bind(owner.as_str())
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing enterprises"))?;
        rows.iter().map(enterprise_from_row).collect()
    }

    async fn enterprises_in_state(&self, state: ApplicationState, limit: u32) -> StoreResult<Vec<Enterprise>> {
        let rows = sqlx::query("SELECT * FROM enterprises WHERE state = ? ORDER BY due_at, id LIMIT ?")
            .bind(state.as_str())
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await
            .map_err(other("listing applications"))?;
        rows.iter().map(enterprise_from_row).collect()
    }

    async fn decide_enterprise(&self, id: EnterpriseId, d: &EnterpriseDecision) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE enterprises SET state = ?, decided_at = ?, decided_by = ?, decision_reason = ?
             WHERE id = ? AND state = 'pending'",
        )
        .bind(d.state.as_str())
        .bind(ms(d.at))
        .bind(&d.by)
        .bind(&d.reason)
        .bind(id.as_bytes().as_slice())
        .execute(&self.pool)
        .await
        .map_err(other("deciding application"))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        self.enterprise(id).await?;
        Err(StoreError::Conflict("the application was already decided".into()))
    }

    async fn invite_employee(&self, enterprise: EnterpriseId, phone: &PhoneNumber, at: Timestamp) -> StoreResult<()> {
        let done = sqlx::query(
            "INSERT INTO employees (enterprise_id, phone, invited_at) VALUES (?, ?, ?)
             ON CONFLICT (enterprise_id, phone) DO UPDATE
                 SET invited_at = excluded.invited_at, resident_id = NULL, accepted_at = NULL, removed_at = NULL
                 WHERE employees.removed_at IS NOT NULL",
        )
        .bind(enterprise.as_bytes().as_slice())
        .bind(phone.as_str())
        .bind(ms(at))
        .execute(&self.pool)
        .await
        .map_err(other("inviting employee"))?;
        if done.rows_affected() == 1 {
            Ok(())
        } else {
            Err(StoreError::Conflict("this phone is already on the roster".into()))
        }
    }

    async fn employee(&self, enterprise: EnterpriseId, phone: &PhoneNumber) -> StoreResult<Employee> {
        let row = sqlx::query("SELECT * FROM employees WHERE enterprise_id = ? AND phone = ?")
            .bind(enterprise.as_bytes().as_slice())
            .bind(phone.as_str())
            .fetch_optional(&self.pool)
            .await
            .map_err(other("reading roster line"))?
            .ok_or(StoreError::NotFound)?;
        employee_from_row(&row)
    }

    async fn accept_invitation(
        &self,
        enterprise: EnterpriseId,
        phone: &PhoneNumber,
        resident: ResidentId,
        at: Timestamp,
    ) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE employees SET resident_id = ?, accepted_at = ?
             WHERE enterprise_id = ? AND phone = ? AND removed_at IS NULL AND accepted_at IS NULL",
        )
        .bind(resident.as_bytes().as_slice())
        .bind(ms(at))
        .bind(enterprise.as_bytes().as_slice())
        .bind(phone.as_str())
        .execute(&self.pool)
        .await
        .map_err(other("accepting invitation"))?;
        if done.rows_affected() == 1 {
            return Ok(());
        }
        match self.employee(enterprise, phone).await? {
            line if line.removed_at.is_none() => {
                Err(StoreError::Conflict("the invitation was already accepted".into()))
            }
            _ => Err(StoreError::NotFound),
        }
    }

    async fn remove_employee(&self, enterprise: EnterpriseId, phone: &PhoneNumber, at: Timestamp) -> StoreResult<()> {
        let done = sqlx::query(
            "UPDATE employees SET removed_at = ? WHERE enterprise_id = ? AND phone = ? AND removed_at IS NULL",
        )
        .bind(ms(at))
        .bind(enterprise.as_bytes().as_slice())
        .bind(phone.as_str())
        .execute(&self.pool)
        .await
        .map_err(other("removing employee"))?;
        if done.rows_affected() == 1 { Ok(()) } else { Err(StoreError::NotFound) }
    }

    async fn employers_of(&self, phone: &PhoneNumber) -> StoreResult<Vec<Employee>> {
        let rows = sqlx::query(
            "SELECT * FROM employees WHERE phone = ? AND removed_at IS NULL ORDER BY invited_at DESC, enterprise_id",
        )
        .bind(phone.as_str())
        .fetch_all(&self.pool)
        .await
        .map_err(other("listing employers"))?;
        rows.iter().map(employee_from_row).collect()
    }

    async fn employee_by_resident(
        &self,
        enterprise: EnterpriseId,
        resident: ResidentId,
    ) -> StoreResult<Option<Employee>> {
        let row = sqlx::query(
            "SELECT * FROM employees
             WHERE enterprise_id = ? AND resident_id = ? AND removed_at IS NULL AND accepted_at IS NOT NULL",
        )
        .bind(enterprise.as_bytes().as_slice())
        .bind(resident.as_bytes().as_slice())
        .fetch_optional(&self.pool)
        .await
        .map_err(other("reading roster line"))?;
        row.as_ref().map(employee_from_row).transpose()
    }

    async fn roster_snapshot(
        &self,
        enterprise: EnterpriseId,
        from: Timestamp,
        to: Timestamp,
        fever_tenths: u16,
    ) -> StoreResult<Vec<EmployeeSnapshot>> {
        let rows = sqlx::query(
            "SELECT e.phone, e.resident_id, e.accepted_at, r.name, h.colour, h.last_report_on,
                 EXISTS (SELECT 1 FROM gate_scans g WHERE g.enterprise_id = e.enterprise_id
                     AND g.resident_id = e.resident_id AND g.scanned_at >= ? AND g.scanned_at < ?) AS scanned,
                 EXISTS (SELECT 1 FROM gate_scans g WHERE g.enterprise_id = e.enterprise_id
                     AND g.resident_id = e.resident_id AND g.scanned_at >= ? AND g.scanned_at < ?
                     AND g.temperature_dc >= ?) AS fever
             FROM employees e
             LEFT JOIN residents r ON r.id = e.resident_id
             LEFT JOIN health_status h ON h.resident_id = e.resident_id
             WHERE e.enterprise_id = ? AND e.removed_at IS NULL
             ORDER BY e.phone",
        )
        .bind(ms(from))
        .bind(ms(to))
        .bind(ms(from))
        .bind(ms(to))
        .bind(i64::from(fever_tenths))
        .bind(enterprise.as_bytes().as_slice())
        .fetch_all(&self.pool)
        .await
        .map_err(other("reading roster"))?;
        rows.iter().map(snapshot_from_row).collect()
    }

    async fn record_gate_scan(&self, scan: &GateScan) -> StoreResult<()> {
        let mut conn = self.pool.acquire().await.map_err(other("recording gate scan"))?;
        insert_gate_scan(&mut conn, scan, OnDuplicate::Fail).await
    }

    async fn gate_scans(
        &self,
        enterprise: EnterpriseId,
        from: Timestamp,
        to: Timestamp,
        limit: u32,
    ) -> StoreResult<Vec<GateScan>> {
        let rows = sqlx::query(
            "SELECT * FROM gate_scans WHERE enterprise_id = ? AND scanned_at >= ? AND scanned_at < ?
             ORDER BY scanned_at DESC, id DESC LIMIT ?",
        )
        .bind(enterprise.as_bytes().as_slice())
        .bind(ms(from))
        .bind(ms(to))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await
        .map_err(other("listing gate scans"))?;
        rows.iter().map(gate_scan_from_row).collect()
    }
}
