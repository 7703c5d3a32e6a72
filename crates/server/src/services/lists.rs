//! The staff console's lists, a page at a time (the pages in `web` read
//! them through here).

use healthcode_store::{
    Alarm, AlarmSort, Appeal, AppealSort, Enterprise, EnterpriseSort, ListQuery, Listed, Override, OverrideSort,
    PassageListRow, PassageSort,
};

use healthcode_domain::{Checkpoint, StaffScope};

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

/// The checkpoints a reader with `scope` may see the passages of, by name.
pub async fn visible_checkpoints(state: &AppState, scope: &StaffScope) -> Result<Vec<Checkpoint>, ApiError> {
    let mut all = crate::services::checkpoints::list(state).await?;
    all.retain(|c| scope.allows_checkpoint(&c.id.to_string(), Some(c.district.as_str())));
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

/// One page of passages, and how many match: at `q.places` if it names
/// any (the caller picked them from `visible`), else at every checkpoint
/// the reader's `scope` allows (`visible`). The date range must be bounded:
/// passages are the largest table.
pub async fn passages(
    state: &AppState,
    scope: &StaffScope,
    visible: &[Checkpoint],
    mut q: ListQuery<PassageSort>,
) -> Result<(Vec<PassageListRow>, u64), ApiError> {
    if q.from.is_none() || q.to.is_none() {
        return Err(ApiError::bad_input("LIST_PARAM_INVALID", "the passages list needs a date range"));
    }
    if q.places.iter().any(|p| !visible.iter().any(|c| c.id.as_uuid() == *p)) {
        return Err(ApiError::bad_input("LIST_PARAM_INVALID", "the list cannot be shown with this checkpoint"));
    }
    if q.places.is_empty() && !scope.is_anywhere() {
        if visible.is_empty() {
            return Ok((Vec::new(), 0));
        }
        q.places = visible.iter().map(|c| c.id.as_uuid()).collect();
    }
    Ok(state.store.passage_list(&q).await?)
}

/// One page of employers' applications, and how many match.
pub async fn enterprises(state: &AppState, q: &ListQuery<EnterpriseSort>) -> Result<(Vec<Enterprise>, u64), ApiError> {
    Ok(state.store.enterprise_list(q).await?)
}
