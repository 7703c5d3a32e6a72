//! Staff accounts: created with their audit entry, read by id, login or
//! invitation, and written whole under optimistic concurrency, with the
//! audit entries, ended sessions and new session of the change in one
//! transaction.

#[doc(hidden)]
#[macro_export]
macro_rules! __staff {
    ($Store:path, $Db:ty) => {
        pub(crate) mod staff {
            $crate::__prelude!($Store, $Db);
            use domain::{StaffLogin, StaffRoles, StaffScope, StaffState};
            use store::{AuditEntry, StaffAccount, StaffChange, StaffStore, StoreError, StoreResult};

            fn staff_from_row(row: &Row) -> StoreResult<StaffAccount> {
                let login: String = get(row, "login")?;
                let roles: String = get(row, "roles")?;
                let scope: String = get(row, "scope")?;
                let state: String = get(row, "state")?;
                let invite: Option<Vec<u8>> = get(row, "invite_hash")?;
                Ok(StaffAccount {
                    id: get(row, "id")?,
                    login: StaffLogin::parse(&login).map_err(|e| corrupt(e.to_string()))?,
                    display_name: get(row, "display_name")?,
                    roles: StaffRoles::parse(&roles).map_err(|e| corrupt(e.to_string()))?,
                    scope: serde_json::from_str::<StaffScope>(&scope).map_err(|e| corrupt(format!("staff scope: {e}")))?,
                    state: StaffState::parse(&state).ok_or_else(|| corrupt(format!("staff state {state}")))?,
                    password_hash: get(row, "password_hash")?,
                    totp_sealed: get(row, "totp_sealed")?,
                    totp_last_step: get(row, "totp_last_step")?,
                    failed_attempts: u32::try_from(get::<i64>(row, "failed_attempts")?)
                        .map_err(|_| corrupt("failed_attempts".into()))?,
                    invite_hash: invite
                        .map(|v| <[u8; 32]>::try_from(v.as_slice()).map_err(|_| corrupt("invite hash".into())))
                        .transpose()?,
                    invite_expires_at: opt_ts(row, "invite_expires_at")?,
                    created_at: ts(row, "created_at")?,
                    updated_at: ts(row, "updated_at")?,
                    version: get(row, "version")?,
                })
            }

            fn scope_json(a: &StaffAccount) -> StoreResult<String> {
                serde_json::to_string(&a.scope).map_err(|e| StoreError::Other(format!("staff scope: {e}")))
            }

            async fn by_invite(store: &Store, hash: &[u8; 32]) -> StoreResult<Option<StaffAccount>> {
                let row = sqlx::query("SELECT * FROM staff_accounts WHERE invite_hash = $1")
                    .bind(hash.as_slice())
                    .fetch_optional(&store.pool)
                    .await
                    .map_err(other("reading a staff account"))?;
                row.as_ref().map(staff_from_row).transpose()
            }

            /// Appends every entry in order inside `conn`; `false` when another
            /// writer took the log's end first (the caller tries again).
            async fn audit_all(conn: &mut Conn, entries: &[AuditEntry]) -> StoreResult<bool> {
                for e in entries {
                    if super::audit::append_in(conn, e).await?.is_none() {
                        return Ok(false);
                    }
                }
                Ok(true)
            }

            #[async_trait]
            impl StaffStore for Store {
                async fn create_staff(&self, a: &StaffAccount, audit: &AuditEntry) -> StoreResult<()> {
                    let scope = scope_json(a)?;
                    for _ in 0..AUDIT_ATTEMPTS {
                        let mut tx = self.write_tx().await?;
                        sqlx::query(
                            "INSERT INTO staff_accounts (id, login, display_name, roles, scope, state, password_hash,
                                 totp_sealed, totp_last_step, failed_attempts, invite_hash, invite_expires_at,
                                 created_at, updated_at, version)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                        )
                        .bind(a.id)
                        .bind(a.login.as_str())
                        .bind(&a.display_name)
                        .bind(a.roles.to_string())
                        .bind(&scope)
                        .bind(a.state.as_str())
                        .bind(&a.password_hash)
                        .bind(&a.totp_sealed)
                        .bind(a.totp_last_step)
                        .bind(i64::from(a.failed_attempts))
                        .bind(a.invite_hash.map(|h| h.to_vec()))
                        .bind(a.invite_expires_at.map(Time))
                        .bind(Time(a.created_at))
                        .bind(Time(a.updated_at))
                        .bind(a.version)
                        .execute(&mut *tx)
                        .await
                        .map_err(other("creating a staff account"))?;
                        if super::audit::append_in(&mut tx, audit).await?.is_some() {
                            return tx.commit().await.map_err(other("committing a staff account"));
                        }
                    }
                    Err(audit_busy())
                }

                async fn staff(&self, id: Uuid) -> StoreResult<StaffAccount> {
                    let row = sqlx::query("SELECT * FROM staff_accounts WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading a staff account"))?;
                    row.as_ref().map(staff_from_row).transpose()?.ok_or(StoreError::NotFound)
                }

                async fn staff_by_login(&self, login: &str) -> StoreResult<Option<StaffAccount>> {
                    let row = sqlx::query("SELECT * FROM staff_accounts WHERE login = $1")
                        .bind(login.trim().to_lowercase())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading a staff account"))?;
                    row.as_ref().map(staff_from_row).transpose()
                }

                async fn staff_by_invite(&self, invite_hash: &[u8; 32]) -> StoreResult<Option<StaffAccount>> {
                    by_invite(self, invite_hash).await
                }

                async fn staff_accounts(&self) -> StoreResult<Vec<StaffAccount>> {
                    let rows = sqlx::query("SELECT * FROM staff_accounts ORDER BY login")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing staff accounts"))?;
                    rows.iter().map(staff_from_row).collect()
                }

                async fn import_staff_accounts(&self, accounts: &[StaffAccount]) -> StoreResult<()> {
                    let mut tx = self.write_tx().await?;
                    for a in accounts {
                        sqlx::query(
                            "INSERT INTO staff_accounts (id, login, display_name, roles, scope, state, password_hash,
                                 totp_sealed, totp_last_step, failed_attempts, invite_hash, invite_expires_at,
                                 created_at, updated_at, version)
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
                             ON CONFLICT DO NOTHING",
                        )
                        .bind(a.id)
                        .bind(a.login.as_str())
                        .bind(&a.display_name)
                        .bind(a.roles.to_string())
                        .bind(scope_json(a)?)
                        .bind(a.state.as_str())
                        .bind(&a.password_hash)
                        .bind(&a.totp_sealed)
                        .bind(a.totp_last_step)
                        .bind(i64::from(a.failed_attempts))
                        .bind(a.invite_hash.map(|h| h.to_vec()))
                        .bind(a.invite_expires_at.map(Time))
                        .bind(Time(a.created_at))
                        .bind(Time(a.updated_at))
                        .bind(a.version)
                        .execute(&mut *tx)
                        .await
                        .map_err(other("copying a staff account"))?;
                    }
                    tx.commit().await.map_err(other("committing copied staff accounts"))
                }

                async fn update_staff(&self, a: &StaffAccount, change: StaffChange<'_>) -> StoreResult<()> {
                    let scope = scope_json(a)?;
                    for _ in 0..AUDIT_ATTEMPTS {
                        let mut tx = self.write_tx().await?;
                        let done = sqlx::query(
                            "UPDATE staff_accounts SET display_name = $3, roles = $4, scope = $5, state = $6,
                                 password_hash = $7, totp_sealed = $8, totp_last_step = $9, failed_attempts = $10,
                                 invite_hash = $11, invite_expires_at = $12, updated_at = $13, version = version + 1
                             WHERE id = $1 AND version = $2",
                        )
                        .bind(a.id)
                        .bind(a.version)
                        .bind(&a.display_name)
                        .bind(a.roles.to_string())
                        .bind(&scope)
                        .bind(a.state.as_str())
                        .bind(&a.password_hash)
                        .bind(&a.totp_sealed)
                        .bind(a.totp_last_step)
                        .bind(i64::from(a.failed_attempts))
                        .bind(a.invite_hash.map(|h| h.to_vec()))
                        .bind(a.invite_expires_at.map(Time))
                        .bind(Time(a.updated_at))
                        .execute(&mut *tx)
                        .await
                        .map_err(other("updating a staff account"))?;
                        if done.rows_affected() != 1 {
                            return Err(StoreError::Conflict("the staff account changed meanwhile".into()));
                        }
                        if change.end_sessions {
                            sqlx::query("DELETE FROM sessions WHERE subject = $1")
                                .bind(a.subject())
                                .execute(&mut *tx)
                                .await
                                .map_err(other("ending a staff account's sessions"))?;
                        }
                        if let Some(s) = change.new_session {
                            super::auth::write_session(&mut tx, s, false).await?;
                        }
                        if audit_all(&mut tx, change.audit).await? {
                            return tx.commit().await.map_err(other("committing a staff account"));
                        }
                    }
                    Err(audit_busy())
                }
            }
        }
    };
}
