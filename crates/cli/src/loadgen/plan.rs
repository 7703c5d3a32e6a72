//! The validated run plan: where (loopback only), how fast (a fixed rate or
//! as fast as the server answers), for how long (bounded), how many at once.

use reqwest::Url;
use std::net::IpAddr;
use std::time::Duration;

use super::error::LoadgenError;

/// No run lasts longer than this, whatever `--duration` says.
pub const MAX_DURATION: Duration = Duration::from_secs(600);
pub const MAX_CONCURRENCY: u32 = 4096;
pub const MAX_RATE: f64 = 1_000_000.0;

/// How requests are started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// Open loop: request `i` is due at `start + i / rate`, whether or not
    /// earlier ones have answered; latency counts from that due time, so a
    /// slow server cannot hide its queue (no coordinated omission).
    Fixed { per_second: f64 },
    /// Closed loop: each of the concurrent clients sends its next request as
    /// soon as the previous one answers.
    Max,
}

/// The target base URL, after checking that it is on this machine.
pub fn loopback_url(text: &str) -> Result<Url, LoadgenError> {
    let url = Url::parse(text)
        .map_err(|e| LoadgenError::new("LOADGEN_URL_INVALID", format!("'{text}' is not a URL: {e}")))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err(LoadgenError::new("LOADGEN_URL_INVALID", "the URL must start with http:// or https://"));
    }
    let host = url.host_str().unwrap_or("");
    let loopback = match host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    };
    if !loopback {
        return Err(LoadgenError::new(
            "LOADGEN_URL_NOT_LOOPBACK",
            format!(
                "refusing to load {}: only this machine's loopback (127.0.0.0/8, ::1, localhost) may be targeted",
                url.host_str().unwrap_or("a URL without a host")
            ),
        ));
    }
    Ok(url)
}

/// `--rate`: requests per second, or `max`.
pub fn pace(text: &str) -> Result<Pace, LoadgenError> {
    if text.eq_ignore_ascii_case("max") {
        return Ok(Pace::Max);
    }
    match text.parse::<f64>() {
        Ok(r) if r.is_finite() && r > 0.0 && r <= MAX_RATE => Ok(Pace::Fixed { per_second: r }),
        _ => Err(LoadgenError::new(
            "LOADGEN_RATE_INVALID",
            format!("--rate is requests per second (more than 0, at most {MAX_RATE}) or 'max', not '{text}'"),
        )),
    }
}

/// `--duration`: `500ms`, `30s`, `2m` or plain seconds; more than zero, at most [`MAX_DURATION`].
pub fn duration(text: &str) -> Result<Duration, LoadgenError> {
    let invalid =
        || LoadgenError::new("LOADGEN_DURATION_INVALID", format!("--duration is like 500ms, 30s or 2m, not '{text}'"));
    let text = text.trim();
    let (number, unit_ms) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60_000.0)
    } else {
        (text, 1000.0)
    };
    let value: f64 = number.trim().parse().map_err(|_| invalid())?;
    if !value.is_finite() || value <= 0.0 {
        return Err(invalid());
    }
    let millis = value * unit_ms;
    if millis > MAX_DURATION.as_millis() as f64 {
        return Err(LoadgenError::new(
            "LOADGEN_DURATION_TOO_LONG",
            format!("a run lasts at most {} s", MAX_DURATION.as_secs()),
        ));
    }
    Ok(Duration::from_secs_f64(millis / 1000.0))
}

pub fn concurrency(n: u32) -> Result<u32, LoadgenError> {
    if (1..=MAX_CONCURRENCY).contains(&n) {
        Ok(n)
    } else {
        Err(LoadgenError::new(
            "LOADGEN_CONCURRENCY_INVALID",
            format!("--concurrency must be between 1 and {MAX_CONCURRENCY}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_loopback_targets_are_accepted() {
        for ok in
            ["http://127.0.0.1:8080", "http://127.9.8.7/", "http://[::1]:80", "http://localhost:1", "https://LOCALHOST"]
        {
            assert!(loopback_url(ok).is_ok(), "{ok}");
        }
        for (bad, code) in [
            ("http://10.0.0.1:8080", "LOADGEN_URL_NOT_LOOPBACK"),
            ("http://example.com", "LOADGEN_URL_NOT_LOOPBACK"),
            ("http://localhost.example.com", "LOADGEN_URL_NOT_LOOPBACK"),
            ("http://[::ffff:127.0.0.1]/", "LOADGEN_URL_NOT_LOOPBACK"),
            ("http://0.0.0.0:8080", "LOADGEN_URL_NOT_LOOPBACK"),
            ("ftp://127.0.0.1", "LOADGEN_URL_INVALID"),
            ("127.0.0.1:8080", "LOADGEN_URL_INVALID"),
        ] {
            assert_eq!(loopback_url(bad).unwrap_err().code, code, "{bad}");
        }
    }

    #[test]
    fn rates_and_durations_parse_within_bounds() {
        assert_eq!(pace("max").unwrap(), Pace::Max);
        assert_eq!(pace("250").unwrap(), Pace::Fixed { per_second: 250.0 });
        for bad in ["0", "-1", "fast", "NaN", "1e9"] {
            assert_eq!(pace(bad).unwrap_err().code, "LOADGEN_RATE_INVALID", "{bad}");
        }
        assert_eq!(duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(duration("7").unwrap(), Duration::from_secs(7));
        assert_eq!(duration("11m").unwrap_err().code, "LOADGEN_DURATION_TOO_LONG");
        for bad in ["", "0s", "-3s", "soon", "1h"] {
            assert_eq!(duration(bad).unwrap_err().code, "LOADGEN_DURATION_INVALID", "{bad}");
        }
        assert!(concurrency(0).is_err() && concurrency(5000).is_err() && concurrency(32).is_ok());
    }
}
