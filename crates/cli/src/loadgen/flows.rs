//! The flows a run replays, each step one scheduled action of one resident:
//! check in at a venue (entries, exits by rescanning, repeats), check out by
//! the button, refresh the code, or be scanned at a checkpoint (the server
//! verifies the code and reads the current status).

use clap::ValueEnum;
use healthcode_domain::random::SeededRng;
use reqwest::{Client, RequestBuilder};
use serde::Deserialize;
use std::io::Write;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::clock::now;
use super::fixtures::Fixtures;
use super::stats::{Answer, Kind, Stats};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Flow {
    /// Check-ins at venues and check-outs by the button.
    CheckIn,
    /// Checkpoint scans of residents' codes (refreshing a code when half its life is gone).
    Checkpoint,
    /// Code refreshes (`GET /api/v1/me/code`).
    Code,
    /// 60 % check-in, 25 % code, 15 % checkpoint.
    Mixed,
    /// The no-op reference: `GET /healthz` (one `SELECT 1`), the ceiling of this machine.
    Ping,
}

impl Flow {
    pub fn as_str(self) -> &'static str {
        match self {
            Flow::CheckIn => "check-in",
            Flow::Checkpoint => "checkpoint",
            Flow::Code => "code",
            Flow::Mixed => "mixed",
            Flow::Ping => "ping",
        }
    }
}

/// Of the check-in steps of a resident with an open visit, the share that
/// presses the check-out button (the others scan a venue).
const CHECK_OUT_SHARE: f64 = 0.3;

/// What the load generator remembers of one resident.
#[derive(Debug, Default)]
struct Person {
    open_visit: Option<String>,
    /// The code's text and when to fetch a new one.
    code: Option<(String, Instant)>,
}

#[derive(Deserialize)]
struct CheckInAnswer {
    id: String,
    outcome: String,
}

#[derive(Deserialize)]
struct CodeAnswer {
    qr_text: String,
    expires_in_seconds: i64,
}

/// Everything the workers share.
pub struct Target {
    client: Client,
    base: String,
    fixtures: Fixtures,
    people: Vec<Mutex<Person>>,
    /// Acknowledged check-ins: one visit id per line, written as they arrive.
    acked: Option<Mutex<std::fs::File>>,
    flow: Flow,
    seed: u64,
}

impl Target {
    pub fn new(
        client: Client,
        base: &str,
        fixtures: Fixtures,
        acked: Option<std::fs::File>,
        flow: Flow,
        seed: u64,
    ) -> Self {
        let people = fixtures.residents.iter().map(|_| Mutex::new(Person::default())).collect();
        Self {
            client,
            base: base.trim_end_matches('/').to_string(),
            fixtures,
            people,
            acked: acked.map(Mutex::new),
            flow,
            seed,
        }
    }

    /// Scheduled action `i`, due at `due`; latencies count from `due`.
    pub async fn step(&self, i: u64, due: Instant, stats: &mut Stats) {
        let mut rng = SeededRng::for_item(self.seed, i);
        let who = (i % self.people.len() as u64) as usize;
        let flow = match self.flow {
            Flow::Mixed => match rng.unit() {
                u if u < 0.60 => Flow::CheckIn,
                u if u < 0.85 => Flow::Code,
                _ => Flow::Checkpoint,
            },
            one => one,
        };
        match flow {
            Flow::CheckIn | Flow::Mixed => self.visit(who, &mut rng, due, stats).await,
            Flow::Code => {
                self.code(who, due, stats).await;
            }
            Flow::Checkpoint => self.checkpoint(who, due, stats).await,
            Flow::Ping => {
                let request = self.client.get(format!("{}/healthz", self.base));
                self.send(Kind::Ping, request, due, stats).await;
            }
        }
        stats.action(now().saturating_duration_since(due));
    }

    fn person(&self, who: usize) -> std::sync::MutexGuard<'_, Person> {
        // A worker that panicked holding the lock left plain data behind.
        self.people[who].lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sends one request and records it; the latency counts from `since`.
    async fn send(
        &self,
        kind: Kind,
        request: RequestBuilder,
        since: Instant,
        stats: &mut Stats,
    ) -> (Answer, Option<Vec<u8>>, Instant) {
        let (answer, body) = match request.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                match resp.bytes().await {
                    Ok(body) => (Answer::Status(status), Some(body.to_vec())),
                    Err(e) => (failure(&e), None),
                }
            }
            Err(e) => (failure(&e), None),
        };
        let done = now();
        stats.request(kind, answer, done.saturating_duration_since(since));
        (answer, body, done)
    }

    async fn visit(&self, who: usize, rng: &mut SeededRng, due: Instant, stats: &mut Stats) {
        let token = &self.fixtures.residents[who].token;
        let open = self.person(who).open_visit.clone();
        if let Some(visit) = open
            && rng.chance(CHECK_OUT_SHARE)
        {
            let url = format!("{}/api/v1/check-ins/{visit}/check-out", self.base);
            let (answer, _, _) = self.send(Kind::CheckOut, self.client.post(url).bearer_auth(token), due, stats).await;
            // Closed now, or already closed (409): either way not open any more.
            if answer.is_success() || answer == Answer::Status(409) {
                self.person(who).open_visit = None;
            }
            return;
        }
        let venues = &self.fixtures.venues;
        // A few venues get most scans, as in a city (u³ piles up near zero).
        let venue = &venues[((rng.unit().powi(3) * venues.len() as f64) as usize).min(venues.len() - 1)];
        let request = self
            .client
            .post(format!("{}/api/v1/check-ins", self.base))
            .bearer_auth(token)
            .json(&serde_json::json!({ "venue_qr": venue.qr_text }));
        let (answer, body, _) = self.send(Kind::CheckIn, request, due, stats).await;
        if !answer.is_success() {
            return;
        }
        let Some(scan) = body.and_then(|b| serde_json::from_slice::<CheckInAnswer>(&b).ok()) else {
            return;
        };
        self.acknowledge(&scan.id);
        let mut person = self.person(who);
        match scan.outcome.as_str() {
            "entered" => person.open_visit = Some(scan.id),
            "exited" => person.open_visit = None,
            _ => {}
        }
    }

    /// Writes an acknowledged visit id, one line per write so a reader
    /// never sees half a line.
    fn acknowledge(&self, id: &str) {
        if let Some(file) = &self.acked {
            let mut file = file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Err(e) = file.write_all(format!("{id}\n").as_bytes()) {
                eprintln!("warning: writing an acknowledged id: {e}");
            }
        }
    }

    /// Fetches a fresh code; returns its text and when the fetch ended.
    async fn code(&self, who: usize, since: Instant, stats: &mut Stats) -> Option<(String, Instant)> {
        let token = &self.fixtures.residents[who].token;
        let request = self.client.get(format!("{}/api/v1/me/code", self.base)).bearer_auth(token);
        let (answer, body, done) = self.send(Kind::Code, request, since, stats).await;
        if !answer.is_success() {
            return None;
        }
        let code = body.and_then(|b| serde_json::from_slice::<CodeAnswer>(&b).ok())?;
        let half_life = Duration::from_secs(u64::try_from(code.expires_in_seconds / 2).unwrap_or(0));
        self.person(who).code = Some((code.qr_text.clone(), done + half_life));
        Some((code.qr_text, done))
    }

    async fn checkpoint(&self, who: usize, due: Instant, stats: &mut Stats) {
        let cached = self.person(who).code.clone().filter(|(_, refresh_at)| now() < *refresh_at);
        let (qr_text, since) = match cached {
            Some((text, _)) => (text, due),
            None => match self.code(who, due, stats).await {
                Some(fresh) => fresh,
                None => return,
            },
        };
        let checkpoint = &self.fixtures.checkpoint;
        let request = self
            .client
            .post(format!("{}/api/v1/checkpoints/{}/scans", self.base, checkpoint.id))
            .bearer_auth(&checkpoint.officer_token)
            .json(&serde_json::json!({ "qr_text": qr_text, "direction": "in" }));
        self.send(Kind::CheckpointScan, request, since, stats).await;
    }
}

fn failure(e: &reqwest::Error) -> Answer {
    if e.is_timeout() {
        Answer::Timeout
    } else if e.is_connect() {
        Answer::Connect
    } else {
        Answer::Failed
    }
}
