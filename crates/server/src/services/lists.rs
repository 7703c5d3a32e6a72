//! The staff console's lists, a page at a time (the pages in `web` read
//! them through here).

use healthcode_store::{
    Alarm, AlarmSort, Appeal, AppealSort, Enterprise, EnterpriseSort, ListQuery, Listed, Override, OverrideSort,
    PassageListRow, PassageSort,
};

use crate::error::ApiError;
use crate::state::AppState;

/// One page of overrides with each person's district, and how many match.
pub async fn overrides(
    state: &AppState,
    q: &ListQuery<OverrideSort>,
) -> Result<(Vec<Listed<Override>>, u64), ApiError> {
    Ok(state.store.override_list(q).await?)
}

/// One page of alarms, and how many match.
pub async fn alarms(state: &AppState, q: &ListQuery<AlarmSort>) -> Result<(Vec<Alarm>, u64), ApiError> {
    Ok(state.store.alarm_list(q).await?)
}

/// One page of appeals with each person's district, and how many match.
pub async fn appeals(state: &AppState, q: &ListQuery<AppealSort>) -> Result<(Vec<Listed<Appeal>>, u64), ApiError> {
    Ok(state.store.appeal_list(q).await?)
}

/// One page of passages at every checkpoint, and how many match.
pub async fn passages(state: &AppState, q: &ListQuery<PassageSort>) -> Result<(Vec<PassageListRow>, u64), ApiError> {
    Ok(state.store.passage_list(q).await?)
}

/// One page of employers' applications, and how many match.
pub async fn enterprises(state: &AppState, q: &ListQuery<EnterpriseSort>) -> Result<(Vec<Enterprise>, u64), ApiError> {
    Ok(state.store.enterprise_list(q).await?)
}
