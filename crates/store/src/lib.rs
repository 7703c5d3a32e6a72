//! healthcode storage: the traits every backend implements, the small
//! [`StoreError`], the records that cross the boundary, and (feature
//! `contract`) the backend-agnostic `contract` suite both backends pass.
//!
//! The one trait object the server holds is [`Store`], the union of the
//! role-shaped traits [`AccountStore`], [`HealthStore`], [`AuthStore`] and
//! [`OutboxStore`], [`VenueStore`], [`VisitStore`] (and [`TransferStore`]
//! for copies). No SQL and no driver type appears here.

pub mod audit;
pub mod bulk;
pub mod cluster;
pub mod dcc;
pub mod error;
pub mod lab;
pub mod lists;
pub mod records;
pub mod stats_sql;
mod traits;

#[cfg(feature = "contract")]
pub mod contract;

pub use audit::{AuditAction, AuditActor, AuditEntry};
pub use bulk::{BulkLoad, BulkLoadStore, UnfinishedLoad};
pub use cluster::{ClusterStore, FeedEvent, SharedBucket, VisitChange, VisitFeed};
pub use dcc::{DccAttachment, DccStore};
pub use error::{StoreError, StoreResult};
pub use lab::{FalseDeclaration, LabRecords, LabStore, StoredTestResult};
pub use lists::{
    AlarmSort, AppealSort, EnterpriseSort, ListQuery, ListStore, Listed, OverrideSort, PassageListRow, PassageSort,
};
pub use records::*;
pub use traits::{
    AccessLogStore, AccountStore, AlarmStore, AppealStore, AuditStore, AuthStore, CaseStore, CheckpointStore,
    EnrolmentStore, EnterpriseStore, HealthStore, OutboxStore, OverrideStore, PaperPassStore, PeerListStore,
    RetentionStore, RiskAreaStore, StaffStore, StatsStore, Store, TransferStore, VenueStore, VisitStore,
};
