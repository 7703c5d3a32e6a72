//! E-mail over SMTP ([`SmtpSender`], `lettre` on tokio with rustls): STARTTLS,
//! TLS from the start, or a plain connection to a local relay.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use crate::auth::sender::SendError;
use crate::config::{SmtpConfig, SmtpSecurity};

/// One SMTP server; connections are pooled by `lettre`.
pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
}

impl SmtpSender {
    pub fn new(config: &SmtpConfig) -> Result<Self, SendError> {
        let from: Mailbox =
            config.from.parse().map_err(|e| SendError::Invalid(format!("[email] from '{}': {e}", config.from)))?;
        let builder = match config.security {
            SmtpSecurity::StartTls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&config.host),
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host),
            SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)),
        }
        .map_err(|e| SendError::Invalid(format!("[email] host '{}': {e}", config.host)))?;
        let mut builder = builder.port(config.port).timeout(Some(config.timeout));
        if let Some((user, password)) = &config.credentials {
            builder = builder.credentials(Credentials::new(user.clone(), password.0.clone()));
        }
        Ok(Self { transport: builder.build(), from, host: config.host.clone() })
    }

    pub async fn send(&self, to: &str, text: &str) -> Result<(), SendError> {
        let to: Mailbox = to.parse().map_err(|_| SendError::Invalid("the recipient is not an address".into()))?;
        let mail = lettre::Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject("healthcode")
            .header(ContentType::TEXT_PLAIN)
            .body(text.to_string())
            .map_err(|e| SendError::Invalid(e.to_string()))?;
        match self.transport.send(mail).await {
            Ok(_) => Ok(()),
            Err(e) => {
                // The error names the server's answer, never the message.
                tracing::warn!(host = %self.host, error = %e, "the SMTP server did not take a message");
                Err(SendError::Failed { attempts: 1, last: e.to_string() })
            }
        }
    }
}
