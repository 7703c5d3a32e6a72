//! Checkpoints and passages.

#[doc(hidden)]
#[macro_export]
macro_rules! __checkpoints {
    ($Store:path, $Db:ty) => {
        pub(crate) mod checkpoints {
            $crate::__prelude!($Store, $Db);
            use domain::{
                Checkpoint, CheckpointId, CheckpointKind, Colour, Direction, DistrictCode, HolderId, Passage, RegionCode, Verdict,
            };
            use store::{CheckpointStore, StoreError, StoreResult};
            use jiff::Timestamp;


            fn checkpoint_from_row(row: &Row) -> StoreResult<Checkpoint> {
                let parse = |e: domain::ParseError| corrupt(e.to_string());
                Ok(Checkpoint {
                    id: CheckpointId::from_uuid(get::<Uuid>(row, "id")?),
                    name: get(row, "name")?,
                    kind: CheckpointKind::parse(&get::<String>(row, "kind")?).map_err(parse)?,
                    district: DistrictCode::parse(&get::<String>(row, "district")?).map_err(parse)?,
                    location: get(row, "location")?,
                    created_at: ts(row, "created_at")?,
                    province: get::<Option<String>>(row, "province")?
                        .as_deref()
                        .map(RegionCode::parse)
                        .transpose()
                        .map_err(parse)?,
                })
            }

            pub(crate) fn passage_from_row(row: &Row) -> StoreResult<Passage> {
                let parse = |e: domain::ParseError| corrupt(e.to_string());
                let holder: Option<Uuid> = get(row, "holder_id")?;
                let colour_text: Option<String> = get(row, "colour")?;
                Ok(Passage {
                    id: get(row, "id")?,
                    checkpoint: CheckpointId::from_uuid(get::<Uuid>(row, "checkpoint_id")?),
                    holder: holder.map(|h| HolderId::from_bytes(h.into_bytes())),
                    colour: colour_text.as_deref().map(colour).transpose()?,
                    verdict: Verdict::parse(&get::<String>(row, "verdict")?).map_err(parse)?,
                    reason: get(row, "reason")?,
                    direction: Direction::parse(&get::<String>(row, "direction")?).map_err(parse)?,
                    scanned_at: ts(row, "scanned_at")?,
                    officer: get(row, "officer")?,
                    offline: get(row, "offline")?,
                })
            }

            #[async_trait]
            impl CheckpointStore for Store {
                async fn create_checkpoint(&self, c: &Checkpoint) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO checkpoints (id, name, kind, district, location, created_at, province)
                         VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(c.id.as_uuid())
                    .bind(&c.name)
                    .bind(c.kind.as_str())
                    .bind(c.district.as_str())
                    .bind(&c.location)
                    .bind(Time(c.created_at))
                    .bind(c.province.as_ref().map(|p| p.as_str()))
                    .execute(&self.pool)
                    .await
                    .map_err(other("inserting checkpoint"))?;
                    Ok(())
                }

                async fn checkpoint(&self, id: CheckpointId) -> StoreResult<Checkpoint> {
                    let row = sqlx::query("SELECT * FROM checkpoints WHERE id = $1")
                        .bind(id.as_uuid())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading checkpoint"))?
                        .ok_or(StoreError::NotFound)?;
                    checkpoint_from_row(&row)
                }

                async fn checkpoints(&self) -> StoreResult<Vec<Checkpoint>> {
                    let rows = sqlx::query("SELECT * FROM checkpoints ORDER BY name, id")
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing checkpoints"))?;
                    rows.iter().map(checkpoint_from_row).collect()
                }

                async fn record_passages(&self, passages: &[Passage]) -> StoreResult<u64> {
                    self.before_passages_write(passages).await;
                    let mut tx = self.write_tx().await?;
                    let mut inserted = 0;
                    for p in passages {
                        // On PostgreSQL the primary key is (id, scanned_at), since
                        // passages are partitioned by day, so an id already kept is
                        // skipped by looking it up; the ON CONFLICT covers a twin
                        // synced at the same moment (and, on SQLite, the key on id).
                        let done = sqlx::query(
                            "INSERT INTO passages (id, checkpoint_id, holder_id, colour, verdict, reason, direction, scanned_at,
                                 officer, offline)
                             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10
                             WHERE NOT EXISTS (SELECT 1 FROM passages WHERE id = $1)
                             ON CONFLICT DO NOTHING",
                        )
                        .bind(p.id)
                        .bind(p.checkpoint.as_uuid())
                        .bind(p.holder.map(|h| Uuid::from_bytes(*h.as_bytes())))
                        .bind(p.colour.map(Colour::as_str))
                        .bind(p.verdict.as_str())
                        .bind(&p.reason)
                        .bind(p.direction.as_str())
                        .bind(Time(p.scanned_at))
                        .bind(&p.officer)
                        .bind(p.offline)
                        .execute(&mut *tx)
                        .await
                        .map_err(other("recording passage"))?;
                        inserted += done.rows_affected();
                    }
                    tx.commit().await.map_err(other("committing passages"))?;
                    Ok(inserted)
                }

                async fn passages(
                    &self,
                    checkpoint: CheckpointId,
                    from: Timestamp,
                    to: Timestamp,
                    limit: u32,
                ) -> StoreResult<Vec<Passage>> {
                    let rows = sqlx::query(
                        "SELECT * FROM passages WHERE checkpoint_id = $1 AND scanned_at >= $2 AND scanned_at < $3
                         ORDER BY scanned_at DESC, id DESC LIMIT $4",
                    )
                    .bind(checkpoint.as_uuid())
                    .bind(Time(from))
                    .bind(Time(to))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("listing passages"))?;
                    rows.iter().map(passage_from_row).collect()
                }

                async fn passages_after(&self, after: Option<Uuid>, limit: u32) -> StoreResult<Vec<Passage>> {
                    let query = match after {
                        Some(a) => sqlx::query("SELECT * FROM passages WHERE id > $1 ORDER BY id LIMIT $2").bind(a),
                        None => sqlx::query("SELECT * FROM passages ORDER BY id LIMIT $1"),
                    };
                    let rows = query.bind(i64::from(limit)).fetch_all(&self.pool).await.map_err(other("listing passages"))?;
                    rows.iter().map(passage_from_row).collect()
                }

                async fn non_green_holders(&self) -> StoreResult<Vec<(HolderId, Colour)>> {
                    let rows = sqlx::query(
                        "SELECT r.holder_id, s.colour FROM health_status s JOIN residents r ON r.id = s.resident_id
                         WHERE s.colour <> 'green'",
                    )
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("listing non-green holders"))?;
                    rows.iter()
                        .map(|row| {
                            let holder: Uuid = get(row, "holder_id")?;
                            Ok((HolderId::from_bytes(holder.into_bytes()), colour(&get::<String>(row, "colour")?)?))
                        })
                        .collect()
                }
            }
        }
    };
}
