//! The staff console's lists (overrides, alarms, appeals, checkpoint
//! passages, employers' applications) read a page at a time: one filter
//! shape and one window for all of them, a sort key per list.

use async_trait::async_trait;
use healthcode_domain::Passage;
use jiff::Timestamp;

use crate::error::StoreResult;
use crate::records::{Alarm, Appeal, Enterprise, Override};

/// One page of a staff list: what matches, in which order, which rows.
/// A filter a list does not have is left `None`.
#[derive(Debug, Clone, Default)]
pub struct ListQuery<S> {
    /// The record's state (`pending`, `open`, `allow`, ...; each list's own words).
    pub state: Option<String>,
    /// The record's kind (an alarm's kind, a checkpoint's kind).
    pub kind: Option<String>,
    /// A district code (where the person lives, the checkpoint or employer is).
    pub district: Option<String>,
    /// Recorded at or after.
    pub from: Option<Timestamp>,
    /// Recorded before.
    pub to: Option<Timestamp>,
    /// Only rows at one of these places (a passage's checkpoint); empty: at
    /// any place. A caller whose reader may see no place asks for no rows.
    pub places: Vec<uuid::Uuid>,
    /// The direction (a passage's `in` or `out`).
    pub direction: Option<String>,
    pub sort: S,
    pub descending: bool,
    pub limit: u32,
    pub offset: u64,
}

/// How the overrides list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverrideSort {
    #[default]
    Requested,
    State,
    Colour,
    /// The person's district of residence (by code).
    District,
}

/// How the alarms list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AlarmSort {
    #[default]
    At,
    Kind,
    /// Open, then acknowledged.
    State,
}

/// How the appeals list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppealSort {
    #[default]
    Due,
    Submitted,
    State,
    District,
}

/// How the passages list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PassageSort {
    #[default]
    Scanned,
    Checkpoint,
    District,
    Verdict,
}

/// How the employers' applications list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EnterpriseSort {
    #[default]
    Due,
    Submitted,
    Name,
    District,
    State,
    Headcount,
}

/// A listed record with the district it is shown under (the person's
/// declared district; `None` when they declared none).
#[derive(Debug, Clone, PartialEq)]
pub struct Listed<T> {
    pub record: T,
    pub district: Option<String>,
}

/// A passage with its checkpoint's name and district.
#[derive(Debug, Clone, PartialEq)]
pub struct PassageListRow {
    pub passage: Passage,
    pub checkpoint: String,
    pub district: String,
}

/// The staff lists, each a page and how many rows match.
#[async_trait]
pub trait ListStore: Send + Sync {
    /// Overrides; `state` is `pending`, `approved` or `rejected`.
    async fn override_list(&self, q: &ListQuery<OverrideSort>) -> StoreResult<(Vec<Listed<Override>>, u64)>;
    /// Alarms; `state` is `open` or `acknowledged`, `kind` an alarm kind's code.
    async fn alarm_list(&self, q: &ListQuery<AlarmSort>) -> StoreResult<(Vec<Alarm>, u64)>;
    /// Appeals; `state` is `pending`, `upheld` or `rejected`.
    async fn appeal_list(&self, q: &ListQuery<AppealSort>) -> StoreResult<(Vec<Listed<Appeal>>, u64)>;
    /// Passages at every checkpoint (or at `places`); `state` is the
    /// verdict (`allow`, `deny`), `kind` the checkpoint's kind, `district`
    /// the checkpoint's district. Callers bound `from` and `to`: the
    /// passages table is the largest one.
    async fn passage_list(&self, q: &ListQuery<PassageSort>) -> StoreResult<(Vec<PassageListRow>, u64)>;
    /// Employers' applications; `state` is `pending`, `approved` or `rejected`.
    async fn enterprise_list(&self, q: &ListQuery<EnterpriseSort>) -> StoreResult<(Vec<Enterprise>, u64)>;
}
