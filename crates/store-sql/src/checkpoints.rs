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


            /// Passages a statement: 10 parameters each, under SQLite's 32,766.
            const PASSAGE_ROWS: usize = 500;

            /// Inserts the passages whose ids are not kept yet, each once, in
            /// one statement; returns how many went in. On PostgreSQL the
            /// primary key is (id, scanned_at), since passages are partitioned
            /// by day, so the ids already kept are read first and left out with
            /// repeats within the batch; the ON CONFLICT covers a twin synced at
            /// the same moment (and, on SQLite, the key on id). One statement a
            /// passage took a minute of the scale-M demo's 560,000.
            async fn insert_passages(conn: &mut Conn, chunk: &[Passage]) -> StoreResult<u64> {
                let mut kept = sqlx::QueryBuilder::<Db>::new("SELECT id FROM passages WHERE id IN (");
                let mut ids = kept.separated(", ");
                for p in chunk {
                    ids.push_bind(p.id);
                }
                kept.push(")");
                let mut seen: std::collections::HashSet<Uuid> = kept
                    .build_query_scalar::<Uuid>()
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(other("reading passages kept"))?
                    .into_iter()
                    .collect();
                let fresh: Vec<&Passage> = chunk.iter().filter(|p| seen.insert(p.id)).collect();
                if fresh.is_empty() {
                    return Ok(0);
                }
                let mut query = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO passages (id, checkpoint_id, holder_id, colour, verdict, reason, direction, scanned_at,
                         officer, offline) ",
                );
                query.push_values(fresh, |mut b, p| {
                    b.push_bind(p.id)
                        .push_bind(p.checkpoint.as_uuid())
                        .push_bind(p.holder.map(|h| Uuid::from_bytes(*h.as_bytes())))
                        .push_bind(p.colour.map(Colour::as_str))
                        .push_bind(p.verdict.as_str())
                        .push_bind(p.reason.as_str())
                        .push_bind(p.direction.as_str())
                        .push_bind(Time(p.scanned_at))
                        .push_bind(p.officer.as_str())
                        .push_bind(p.offline);
                });
                query.push(" ON CONFLICT DO NOTHING");
                let done = query.build().execute(&mut *conn).await.map_err(other("recording passages"))?;
                Ok(done.rows_affected())
            }

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
                    for chunk in passages.chunks(PASSAGE_ROWS) {
                        inserted += insert_passages(&mut tx, chunk).await?;
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
