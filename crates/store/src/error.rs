//! The storage error: three cases, no driver types.

/// What went wrong in storage. Callers branch on `NotFound` and `Conflict`;
/// `Other` carries a cause for the logs only.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A uniqueness or optimistic-concurrency conflict.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("storage failure: {0}")]
    Other(String),
}

pub type StoreResult<T> = Result<T, StoreError>;
