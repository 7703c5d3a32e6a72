//! Venues.

#[doc(hidden)]
#[macro_export]
macro_rules! __venues {
    ($Store:path, $Db:ty) => {
        pub(crate) mod venues {
            $crate::__prelude!($Store, $Db);
            use domain::{
                AttemptedEntry, DistrictCode, PhoneNumber, RegionCode, ResidentId, VenueCategory, VenueId, VenueProfile,
                VenueState, VisitSource,
            };
            use jiff::Timestamp;
            use store::{StoreError, StoreResult, Venue, VenueStore};

            pub(crate) fn venue_from_row(row: &Row) -> StoreResult<Venue> {
                let text = |col: &str| get::<String>(row, col);
                let parse_err = |e: domain::ParseError| corrupt(e.to_string());
                let state = text("state")?;
                let capacity: Option<i64> = get(row, "capacity")?;
                let previous: Option<Time> = get(row, "previous_generation_until")?;
                Ok(Venue {
                    id: VenueId::from_uuid(get::<Uuid>(row, "id")?),
                    owner: PhoneNumber::parse(&text("owner_phone")?).map_err(parse_err)?,
                    profile: VenueProfile {
                        name: text("name")?,
                        address: text("address")?,
                        province: RegionCode::parse(&text("province")?).map_err(parse_err)?,
                        district: DistrictCode::parse(&text("district")?).map_err(parse_err)?,
                        commune: text("commune")?,
                        category: VenueCategory::parse(&text("category")?).map_err(parse_err)?,
                        capacity: capacity.map(u32::try_from).transpose().map_err(|_| corrupt("capacity".into()))?,
                        max_stay_minutes: u32::try_from(get::<i32>(row, "max_stay_minutes")?)
                            .map_err(|_| corrupt("max stay".into()))?,
                    },
                    state: VenueState::parse(&state).ok_or_else(|| corrupt(format!("venue state {state}")))?,
                    token_generation: u32::try_from(get::<i64>(row, "token_generation")?)
                        .map_err(|_| corrupt("token generation".into()))?,
                    previous_generation_until: previous.map(|p| p.0),
                    qr_token: text("qr_token")?,
                    created_at: ts(row, "created_at")?,
                })
            }

            /// Writes one venue (registration, imports and bulk loads).
            pub(crate) async fn insert_venue(conn: &mut Conn, v: &Venue) -> StoreResult<()> {
                let p = &v.profile;
                sqlx::query(
                    "INSERT INTO venues (id, owner_phone, name, address, province, district, commune, category, capacity,
                         max_stay_minutes, state, token_generation, previous_generation_until, created_at, qr_token)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                )
                .bind(v.id.as_uuid())
                .bind(v.owner.as_str())
                .bind(&p.name)
                .bind(&p.address)
                .bind(p.province.as_str())
                .bind(p.district.as_str())
                .bind(&p.commune)
                .bind(p.category.as_str())
                .bind(p.capacity.map(i64::from))
                .bind(i32::try_from(p.max_stay_minutes).unwrap_or(i32::MAX))
                .bind(v.state.as_str())
                .bind(i64::from(v.token_generation))
                .bind(v.previous_generation_until.map(Time))
                .bind(Time(v.created_at))
                .bind(&v.qr_token)
                .execute(&mut *conn)
                .await
                .map_err(other("inserting venue"))?;
                Ok(())
            }

            #[async_trait]
            impl VenueStore for Store {
                async fn create_venue(&self, v: &Venue) -> StoreResult<()> {
                    let mut conn = self.pool.acquire().await.map_err(other("inserting venue"))?;
                    insert_venue(&mut conn, v).await
                }

                async fn venue(&self, id: VenueId) -> StoreResult<Venue> {
                    let row = sqlx::query("SELECT * FROM venues WHERE id = $1")
                        .bind(id.as_uuid())
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading venue"))?
                        .ok_or(StoreError::NotFound)?;
                    venue_from_row(&row)
                }

                async fn venues_by_id(&self, ids: &[VenueId]) -> StoreResult<Vec<Venue>> {
                    let mut wanted: Vec<Uuid> = ids.iter().map(|id| id.as_uuid()).collect();
                    wanted.sort_unstable();
                    wanted.dedup();
                    let mut out = Vec::with_capacity(wanted.len());
                    // One statement per 500 ids keeps under SQLite's bound-variable limit.
                    for chunk in wanted.chunks(500) {
                        let mut query = sqlx::QueryBuilder::<Db>::new("SELECT * FROM venues WHERE id IN (");
                        let mut list = query.separated(", ");
                        for id in chunk {
                            list.push_bind(*id);
                        }
                        query.push(")");
                        let rows = query.build().fetch_all(&self.pool).await.map_err(other("reading venues by id"))?;
                        for row in &rows {
                            out.push(venue_from_row(row)?);
                        }
                    }
                    Ok(out)
                }

                async fn venues_of(&self, owner: &PhoneNumber) -> StoreResult<Vec<Venue>> {
                    let rows = sqlx::query("SELECT * FROM venues WHERE owner_phone = $1 ORDER BY created_at DESC, id DESC")
                        .bind(owner.as_str())
                        .fetch_all(&self.pool)
                        .await
                        .map_err(other("listing venues"))?;
                    rows.iter().map(venue_from_row).collect()
                }

                async fn set_venue_state(&self, id: VenueId, state: VenueState) -> StoreResult<()> {
                    let done = sqlx::query("UPDATE venues SET state = $1 WHERE id = $2")
                        .bind(state.as_str())
                        .bind(id.as_uuid())
                        .execute(&self.pool)
                        .await
                        .map_err(other("setting a venue's state"))?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                }

                async fn rotate_venue_token(&self, from: u32, to: &Venue) -> StoreResult<bool> {
                    let done = sqlx::query(
                        "UPDATE venues SET token_generation = $1, previous_generation_until = $2, qr_token = $3
                         WHERE id = $4 AND token_generation = $5",
                    )
                    .bind(i64::from(to.token_generation))
                    .bind(to.previous_generation_until.map(Time))
                    .bind(&to.qr_token)
                    .bind(to.id.as_uuid())
                    .bind(i64::from(from))
                    .execute(&self.pool)
                    .await
                    .map_err(other("rotating a venue's token"))?;
                    if done.rows_affected() == 1 {
                        return Ok(true);
                    }
                    self.venue(to.id).await.map(|_| false)
                }

                async fn venue_entry_code(&self, venue: VenueId, generation: u32) -> StoreResult<Option<String>> {
                    sqlx::query_scalar("SELECT code FROM venue_entry_codes WHERE venue_id = $1 AND generation = $2")
                        .bind(venue.as_uuid())
                        .bind(i64::from(generation))
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading a venue's entry code"))
                }

                async fn create_venue_entry_code(
                    &self,
                    code: &str,
                    venue: VenueId,
                    generation: u32,
                    at: Timestamp,
                ) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO venue_entry_codes (code, venue_id, generation, created_at) VALUES ($1, $2, $3, $4)",
                    )
                    .bind(code)
                    .bind(venue.as_uuid())
                    .bind(i64::from(generation))
                    .bind(Time(at))
                    .execute(&self.pool)
                    .await
                    .map_err(other("keeping a venue's entry code"))?;
                    Ok(())
                }

                async fn venue_of_entry_code(&self, code: &str) -> StoreResult<(VenueId, u32)> {
                    let row = sqlx::query("SELECT venue_id, generation FROM venue_entry_codes WHERE code = $1")
                        .bind(code)
                        .fetch_optional(&self.pool)
                        .await
                        .map_err(other("reading an entry code"))?
                        .ok_or(StoreError::NotFound)?;
                    let generation = u32::try_from(get::<i64>(&row, "generation")?)
                        .map_err(|_| corrupt("entry code generation".into()))?;
                    Ok((VenueId::from_uuid(get::<Uuid>(&row, "venue_id")?), generation))
                }

                async fn record_attempt(&self, a: &AttemptedEntry) -> StoreResult<()> {
                    sqlx::query(
                        "INSERT INTO venue_attempts (id, venue_id, resident_id, attempted_at, colour, source)
                         VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(a.id)
                    .bind(a.venue.as_uuid())
                    .bind(a.resident.as_uuid())
                    .bind(Time(a.at))
                    .bind(a.colour.as_str())
                    .bind(a.source.as_str())
                    .execute(&self.pool)
                    .await
                    .map_err(other("recording an attempted entry"))?;
                    Ok(())
                }

                async fn venue_attempts(
                    &self,
                    venue: VenueId,
                    from: Timestamp,
                    to: Timestamp,
                    limit: u32,
                ) -> StoreResult<Vec<AttemptedEntry>> {
                    let rows = sqlx::query(
                        "SELECT * FROM venue_attempts WHERE venue_id = $1 AND attempted_at >= $2 AND attempted_at < $3
                         ORDER BY attempted_at DESC, id DESC LIMIT $4",
                    )
                    .bind(venue.as_uuid())
                    .bind(Time(from))
                    .bind(Time(to))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("reading a venue's attempted entries"))?;
                    rows.iter().map(attempt_from_row).collect()
                }

                async fn resident_attempts(
                    &self,
                    resident: ResidentId,
                    from: Timestamp,
                    to: Timestamp,
                    limit: u32,
                ) -> StoreResult<Vec<AttemptedEntry>> {
                    let rows = sqlx::query(
                        "SELECT * FROM venue_attempts WHERE resident_id = $1 AND attempted_at >= $2 AND attempted_at < $3
                         ORDER BY attempted_at, id LIMIT $4",
                    )
                    .bind(resident.as_uuid())
                    .bind(Time(from))
                    .bind(Time(to))
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(other("reading a person's attempted entries"))?;
                    rows.iter().map(attempt_from_row).collect()
                }
            }

            fn attempt_from_row(row: &Row) -> StoreResult<AttemptedEntry> {
                let source = get::<String>(row, "source")?;
                Ok(AttemptedEntry {
                    id: get(row, "id")?,
                    venue: VenueId::from_uuid(get::<Uuid>(row, "venue_id")?),
                    resident: ResidentId::from_uuid(get::<Uuid>(row, "resident_id")?),
                    at: ts(row, "attempted_at")?,
                    colour: colour(&get::<String>(row, "colour")?)?,
                    source: VisitSource::parse(&source).ok_or_else(|| corrupt(format!("attempt source {source}")))?,
                })
            }
        }
    };
}
