//! What one worker saw: a latency histogram per scheduled action, and per
//! kind of request a histogram and the count of each answer.

use std::collections::BTreeMap;
use std::time::Duration;

use super::histogram::Histogram;

/// The requests a flow makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    CheckIn,
    CheckOut,
    Code,
    CheckpointScan,
    Ping,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CheckIn => "check-in",
            Kind::CheckOut => "check-out",
            Kind::Code => "code",
            Kind::CheckpointScan => "checkpoint-scan",
            Kind::Ping => "ping",
        }
    }
}

/// How a request ended: an HTTP status, or no answer at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Answer {
    Status(u16),
    Timeout,
    Connect,
    Failed,
}

impl Answer {
    pub fn label(self) -> String {
        match self {
            Answer::Status(s) => s.to_string(),
            Answer::Timeout => "timeout".into(),
            Answer::Connect => "connect-error".into(),
            Answer::Failed => "other-error".into(),
        }
    }

    pub fn is_success(self) -> bool {
        matches!(self, Answer::Status(200..=299))
    }
}

#[derive(Debug, Clone, Default)]
pub struct KindStats {
    pub latency: Histogram,
    pub answers: BTreeMap<Answer, u64>,
}

#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// One sample per scheduled action, from its due time to its last answer.
    pub actions: Histogram,
    /// Every request answered 2xx (any kind): what an accepted request costs.
    pub accepted: Histogram,
    pub kinds: BTreeMap<Kind, KindStats>,
}

pub fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

impl Stats {
    pub fn request(&mut self, kind: Kind, answer: Answer, latency: Duration) {
        if answer.is_success() {
            self.accepted.record(micros(latency));
        }
        let k = self.kinds.entry(kind).or_default();
        k.latency.record(micros(latency));
        *k.answers.entry(answer).or_default() += 1;
    }

    pub fn action(&mut self, latency: Duration) {
        self.actions.record(micros(latency));
    }

    pub fn merge(&mut self, other: &Stats) {
        self.actions.merge(&other.actions);
        self.accepted.merge(&other.accepted);
        for (kind, theirs) in &other.kinds {
            let mine = self.kinds.entry(*kind).or_default();
            mine.latency.merge(&theirs.latency);
            for (answer, n) in &theirs.answers {
                *mine.answers.entry(*answer).or_default() += n;
            }
        }
    }

    /// Every request's answer, all kinds together.
    pub fn answers(&self) -> BTreeMap<Answer, u64> {
        let mut all = BTreeMap::new();
        for k in self.kinds.values() {
            for (answer, n) in &k.answers {
                *all.entry(*answer).or_default() += n;
            }
        }
        all
    }

    pub fn requests(&self) -> u64 {
        self.kinds.values().map(|k| k.latency.count()).sum()
    }
}
