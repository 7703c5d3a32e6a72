//! A handful of counters exposed at `/metrics` in the Prometheus text format.
//! Small enough that a metrics crate would cost more build time than it saves.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Counter(AtomicU64);

impl Counter {
    pub fn inc(&self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[derive(Debug, Default)]
pub struct Metrics {
    pub requests_2xx: Counter,
    pub requests_3xx: Counter,
    pub requests_4xx: Counter,
    pub requests_5xx: Counter,
    pub reports: Counter,
    pub codes_issued: Counter,
    pub otp_sent: Counter,
    pub sign_ins: Counter,
    pub check_ins: Counter,
    /// Requests turned away with 503 `OVERLOADED` by the concurrency limit.
    pub shed: Counter,
    /// Cookie requests refused as cross-site (403 `CSRF_REFUSED`).
    pub cross_site_refused: Counter,
    /// Offline passages refused at sync for a `scanned_at` outside the
    /// accepted window (`PASSAGE_TIME_OUT_OF_RANGE`).
    pub passages_out_of_range: Counter,
    /// Yellow or red holders turned away at a venue (attempted entries).
    pub attempted_entries: Counter,
}

impl Metrics {
    pub fn count_status(&self, status: u16) {
        match status {
            200..=299 => self.requests_2xx.inc(),
            300..=399 => self.requests_3xx.inc(),
            400..=499 => self.requests_4xx.inc(),
            _ => self.requests_5xx.inc(),
        }
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP healthcode_http_requests_total HTTP responses by status class.");
        let _ = writeln!(out, "# TYPE healthcode_http_requests_total counter");
        for (class, c) in [
            ("2xx", &self.requests_2xx),
            ("3xx", &self.requests_3xx),
            ("4xx", &self.requests_4xx),
            ("5xx", &self.requests_5xx),
        ] {
            let _ = writeln!(out, "healthcode_http_requests_total{{class=\"{class}\"}} {}", c.get());
        }
        for (name, help, c) in [
            ("healthcode_reports_total", "Declarations and clock-ins accepted.", &self.reports),
            ("healthcode_codes_issued_total", "Health codes signed.", &self.codes_issued),
            ("healthcode_otp_sent_total", "One-time sign-in codes sent.", &self.otp_sent),
            ("healthcode_sign_ins_total", "Successful sign-ins.", &self.sign_ins),
            ("healthcode_check_ins_total", "Venue scans by residents (entries, exits, repeats).", &self.check_ins),
            ("healthcode_requests_shed_total", "Requests turned away past capacity (503 OVERLOADED).", &self.shed),
            (
                "healthcode_cross_site_refused_total",
                "Cookie requests refused as cross-site (403 CSRF_REFUSED).",
                &self.cross_site_refused,
            ),
            (
                "healthcode_passages_out_of_range_total",
                "Synced offline passages refused for a scan time outside the retention window (PASSAGE_TIME_OUT_OF_RANGE).",
                &self.passages_out_of_range,
            ),
            (
                "healthcode_attempted_entries_total",
                "Yellow or red holders turned away at a venue (recorded as attempted entries, no visit).",
                &self.attempted_entries,
            ),
        ] {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}", c.get());
        }
        out
    }
}
