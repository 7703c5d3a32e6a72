//! Where one-time codes go: the [`OtpSender`] trait, the real gateways
//! ([`Gateways`]: SMS over HTTP, e-mail over SMTP) and the development outbox
//! ([`DevOutbox`]) that a loopback-only development server uses instead.

use async_trait::async_trait;
use healthcode_store::{Store, StoreError};
use jiff::Timestamp;
use std::sync::Arc;

use crate::auth::email::SmtpSender;
use crate::auth::sms::HttpSmsSender;
use crate::config::SenderConfig;

/// A message for a person: SMS for a phone, e-mail for an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub channel: &'static str,
    pub recipient: String,
    pub body: String,
    /// The one-time code the body contains, if any.
    pub code: Option<String>,
}

/// Why a message did not go out. Never carries the message's text.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("no {0} gateway is configured")]
    NoGateway(&'static str),
    #[error("the gateway refused the message (HTTP {0})")]
    Refused(u16),
    #[error("the gateway failed after {attempts} attempts: {last}")]
    Failed { attempts: u32, last: String },
    #[error("the message could not be built: {0}")]
    Invalid(String),
    #[error("the outbox: {0}")]
    Store(#[from] StoreError),
}

#[async_trait]
pub trait OtpSender: Send + Sync {
    /// Whether codes are visible in the dev outbox (no real gateway).
    fn is_dev_outbox(&self) -> bool;
    async fn send(&self, message: &Message, now: Timestamp) -> Result<(), SendError>;
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

    async fn send(&self, m: &Message, now: Timestamp) -> Result<(), SendError> {
        tracing::info!(recipient = %m.recipient, channel = m.channel, "message put in the dev outbox");
        Ok(self.store.push_outbox(m.channel, &m.recipient, &m.body, m.code.as_deref(), now).await?)
    }
}

/// The real gateways, one per channel; nothing is written to the outbox.
pub struct Gateways {
    sms: Option<HttpSmsSender>,
    email: Option<SmtpSender>,
}

#[async_trait]
impl OtpSender for Gateways {
    fn is_dev_outbox(&self) -> bool {
        false
    }

    async fn send(&self, m: &Message, _now: Timestamp) -> Result<(), SendError> {
        match m.channel {
            "sms" => self.sms.as_ref().ok_or(SendError::NoGateway("sms"))?.send(&m.recipient, &m.body).await,
            "email" => self.email.as_ref().ok_or(SendError::NoGateway("email"))?.send(&m.recipient, &m.body).await,
            other => Err(SendError::NoGateway(if other.is_empty() { "unnamed" } else { "unknown" })),
        }
    }
}

/// The sender a configuration asks for.
pub fn build(config: &SenderConfig, store: Arc<dyn Store>) -> Result<Arc<dyn OtpSender>, SendError> {
    Ok(match config {
        SenderConfig::DevOutbox => Arc::new(DevOutbox::new(store)),
        SenderConfig::Gateways { sms, email } => Arc::new(Gateways {
            sms: sms.as_ref().map(HttpSmsSender::new).transpose()?,
            email: email.as_ref().map(SmtpSender::new).transpose()?,
        }),
    })
}
