//! Text messages through an HTTP gateway ([`HttpSmsSender`]): a configured
//! request with `{to}` and `{text}` filled into its body, retried with
//! exponential backoff on 5xx answers, timeouts and refused connections.
//! Failures are logged with the status or cause only, never the text (it
//! holds the code), the body or the URL (it may hold a key).

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use std::time::Duration;

use crate::auth::sender::SendError;
use crate::config::{BodyFormat, SmsGatewayConfig};

pub struct HttpSmsSender {
    client: reqwest::Client,
    url: reqwest::Url,
    method: reqwest::Method,
    headers: HeaderMap,
    body: String,
    format: BodyFormat,
    retries: u32,
    backoff: Duration,
}

impl HttpSmsSender {
    pub fn new(config: &SmsGatewayConfig) -> Result<Self, SendError> {
        let url = reqwest::Url::parse(&config.url).map_err(|e| SendError::Invalid(format!("[sms] url: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(SendError::Invalid("[sms] url must be http:// or https://".into()));
        }
        let method = match config.method.to_ascii_uppercase().as_str() {
            "POST" => reqwest::Method::POST,
            "PUT" => reqwest::Method::PUT,
            other => return Err(SendError::Invalid(format!("[sms] method must be POST or PUT (got '{other}')"))),
        };
        let mut headers = HeaderMap::new();
        for (name, value) in &config.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| SendError::Invalid(format!("[sms] header name '{name}'")))?;
            let mut value = HeaderValue::from_str(&value.0)
                .map_err(|_| SendError::Invalid(format!("[sms] the value of header '{name}' is not valid")))?;
            value.set_sensitive(true);
            headers.insert(name, value);
        }
        if !headers.contains_key(CONTENT_TYPE) {
            let content_type = match config.format {
                BodyFormat::Json => "application/json",
                BodyFormat::Form => "application/x-www-form-urlencoded",
                BodyFormat::Text => "text/plain; charset=utf-8",
            };
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SendError::Invalid(format!("[sms] HTTP client: {e}")))?;
        Ok(Self {
            client,
            url,
            method,
            headers,
            body: config.body.clone(),
            format: config.format,
            retries: config.retries,
            backoff: config.backoff,
        })
    }

    pub async fn send(&self, to: &str, text: &str) -> Result<(), SendError> {
        let body = fill(&self.body, to, text, self.format);
        let mut last = String::new();
        for attempt in 0..=self.retries {
            if attempt > 0 {
                tokio::time::sleep(self.backoff.saturating_mul(1 << (attempt - 1).min(16))).await;
            }
            let sent = self
                .client
                .request(self.method.clone(), self.url.clone())
                .headers(self.headers.clone())
                .body(body.clone())
                .send()
                .await;
            match sent {
                Ok(response) if response.status().is_success() => return Ok(()),
                Ok(response) if response.status().is_server_error() => {
                    last = format!("HTTP {}", response.status().as_u16());
                }
                Ok(response) => {
                    let status = response.status().as_u16();
                    tracing::warn!(status, attempt = attempt + 1, "the SMS gateway refused a message");
                    return Err(SendError::Refused(status));
                }
                Err(e) if e.is_timeout() => last = "timed out".into(),
                Err(e) if e.is_connect() => last = "connection failed".into(),
                Err(e) => last = e.without_url().to_string(),
            }
            tracing::warn!(cause = %last, attempt = attempt + 1, of = self.retries + 1, "an SMS gateway attempt failed");
        }
        Err(SendError::Failed { attempts: self.retries + 1, last })
    }
}

/// The body template with `{to}` and `{text}` replaced in one pass (a
/// placeholder inside an inserted value stays as it is), each value escaped
/// for the body's format.
pub fn fill(template: &str, to: &str, text: &str, format: BodyFormat) -> String {
    let escape = |v: &str| -> String {
        match format {
            BodyFormat::Json => {
                let quoted = serde_json::Value::String(v.to_string()).to_string();
                quoted[1..quoted.len() - 1].to_string()
            }
            BodyFormat::Form => form_urlencoded::byte_serialize(v.as_bytes()).collect(),
            BodyFormat::Text => v.to_string(),
        }
    };
    let mut out = String::with_capacity(template.len() + text.len());
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{to}") {
            out.push_str(&escape(to));
            rest = after;
        } else if let Some(after) = tail.strip_prefix("{text}") {
            out.push_str(&escape(text));
            rest = after;
        } else {
            out.push('{');
            rest = &tail[1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies_escape_the_values() {
        let body = fill(r#"{"to":"{to}","msg":"{text}"}"#, "+8613800000001", "say \"{to}\"\n", BodyFormat::Json);
        assert_eq!(body, r#"{"to":"+8613800000001","msg":"say \"{to}\"\n"}"#);
        let parsed: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["msg"], "say \"{to}\"\n");
    }

    #[test]
    fn form_bodies_encode_the_values() {
        let body = fill("to={to}&text={text}", "+8613800000001", "code 123456 & more", BodyFormat::Form);
        assert_eq!(body, "to=%2B8613800000001&text=code+123456+%26+more");
    }

    #[test]
    fn other_braces_stay() {
        assert_eq!(fill("{x} {to}", "a", "b", BodyFormat::Text), "{x} a");
    }
}
