//! Where one-time codes go: the [`OtpSender`] trait, and the development
//! outbox used when no SMS/e-mail gateway is configured.

use async_trait::async_trait;
use healthcode_store::{Store, StoreResult};
use jiff::Timestamp;
use std::sync::Arc;

/// A message for a person: SMS for a phone, e-mail for an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub channel: &'static str,
    pub recipient: String,
    pub body: String,
    /// The one-time code the body contains, if any.
    pub code: Option<String>,
}

#[async_trait]
pub trait OtpSender: Send + Sync {
    /// Whether codes are visible in the dev outbox (no real gateway).
    fn is_dev_outbox(&self) -> bool;
    async fn send(&self, message: &Message, now: Timestamp) -> StoreResult<()>;
}

/// Keeps messages in the database for the `/dev/outbox` page.
pub struct DevOutbox {
    store: Arc<dyn Store>,
}

impl DevOutbox {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }
}

#[async_trait]
impl OtpSender for DevOutbox {
    fn is_dev_outbox(&self) -> bool {
        true
    }

    async fn send(&self, m: &Message, now: Timestamp) -> StoreResult<()> {
        tracing::info!(recipient = %m.recipient, channel = m.channel, "message put in the dev outbox");
        self.store.push_outbox(m.channel, &m.recipient, &m.body, m.code.as_deref(), now).await
    }
}
