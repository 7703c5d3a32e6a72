//! `healthcode demo`: seed the synthetic city, print where to click, serve.

use anyhow::Result;
use healthcode_server::synthetic::{CityPlan, phone_of, seed_city_bulk, seed_enterprises, seed_places_bulk, venue_of};
use healthcode_server::{build_state, serve};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

use crate::commands::serve::{bind, init_logs};
use crate::settings::{CommonArgs, build};

/// The city sizes of PERFORMANCE.md that `--scale` names (L, 8 M residents
/// and 70 M visits, is for long runs: a SQLite file of ~20 GB, hours to seed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Scale {
    S,
    M,
    L,
}

impl Scale {
    pub fn plan(self, seed: u64) -> CityPlan {
        match self {
            Scale::S => CityPlan::scale_s(seed),
            Scale::M => CityPlan::scale_m(seed),
            Scale::L => CityPlan::scale_l(seed),
        }
    }
}

/// Progress of one seeding step on stderr: a bar on a terminal, else a
/// plain line at every tenth, so a log shows how far a long seed got.
struct Progress {
    bar: Option<ProgressBar>,
    what: &'static str,
    len: u64,
    next_tenth: u64,
    started: Instant,
}

impl Progress {
    fn new(what: &'static str, len: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(len);
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template(&format!("seeding {{bar:40}} {{pos}}/{{len}} {what} ({{eta}} left)"))
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar
        });
        Self { bar, what, len, next_tenth: 1, started: crate::loadgen::clock::now() }
    }

    fn set(&mut self, done: u64, len: Option<u64>) {
        if let Some(len) = len {
            self.len = len;
        }
        match &self.bar {
            Some(bar) => {
                bar.set_length(self.len);
                bar.set_position(done);
            }
            None => {
                if self.len > 0 && done * 10 >= self.next_tenth * self.len {
                    eprintln!(
                        "seeding: {done}/{} {} ({} %, {:.1} s)",
                        self.len,
                        self.what,
                        done * 100 / self.len,
                        self.started.elapsed().as_secs_f64()
                    );
                    self.next_tenth = done * 10 / self.len + 1;
                }
            }
        }
    }

    fn done(self, summary: &str) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        eprintln!("seeded {summary} in {:.1} s", self.started.elapsed().as_secs_f64());
    }
}

pub async fn run(common: CommonArgs, plan: CityPlan, no_serve: bool) -> Result<ExitCode> {
    let (seed, residents) = (plan.seed, plan.residents);
    init_logs();
    let mut config = build(&common)?;
    // The demo is development by nature: its codes go to the outbox.
    super::serve::outbox_only_on_loopback(config.listen, "the demo")?;
    config.sender = healthcode_server::SenderConfig::DevOutbox;
    // Bound before the seeding: a port in use fails now rather than after minutes of seeding, and
    // with port 0 the printed URLs name the port taken.
    let listener = if no_serve { None } else { Some(bind(&mut config).await?) };
    let state = build_state(config, super::system_clock()).await?;
    let first = healthcode_domain::Contact::Phone(phone_of(0));
    let now = state.clock.now();
    let sign = |id: healthcode_domain::VenueId, generation: u32| {
        healthcode_server::services::venues::sign_token(&state, id, generation).ok()
    };
    let people_seeded = state.store.resident_by_contact(&first).await?.is_some();
    let places_seeded = match venue_of(&plan, 0, now, &sign).map(|v| v.id) {
        Some(id) => state.store.venue(id).await.is_ok(),
        None => true,
    };
    if people_seeded {
        eprintln!("the synthetic city is already in {}; not seeding again", state.config.database_url);
    }
    if !people_seeded || !places_seeded {
        let started = crate::loadgen::clock::now();
        let visits = (u64::from(plan.days) + 1) * u64::from(plan.daily_check_ins);
        eprintln!(
            "seeding the synthetic city in one bulk load: {} residents, {} venues, about {visits} visits over {} days \
             (seed {seed})",
            if people_seeded { 0 } else { plan.residents },
            plan.venue_count,
            plan.days
        );
        eprintln!(
            "  if this stops before \"seeded in\", the data is incomplete and healthcode will refuse it: \
             delete it and run again"
        );
        let what = format!("healthcode demo, seed {seed}, {residents} residents, {} days", plan.days);
        let mut load = state.store.begin_bulk_load(&what, now).await?;
        let (policy, tz) = (&state.config.policy, &state.config.time_zone);
        if !people_seeded {
            let mut p = Progress::new("residents", u64::from(plan.residents));
            let written =
                seed_city_bulk(load.as_mut(), &plan, policy, tz, now, |done| p.set(u64::from(done), None)).await?;
            p.done(&format!("{written} residents with their declarations and clock-ins"));
        }
        if !places_seeded {
            let mut p = Progress::new("visits", visits);
            let (venues, written) =
                seed_places_bulk(load.as_mut(), &plan, tz, now, &sign, |done, total| p.set(done, Some(total))).await?;
            p.done(&format!("{venues} venues and {written} visits over {} days and today", plan.days));
        }
        let indexing = crate::loadgen::clock::now();
        eprintln!("seeding: building the indexes set aside for the load");
        load.finish().await?;
        eprintln!(
            "seeding: indexes built in {:.1} s; seeded in {:.1} s",
            indexing.elapsed().as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
    }
    let employers =
        seed_enterprises(state.store.as_ref(), &plan, &state.config.policy, &state.config.time_zone, now).await?;
    if employers.enterprises > 0 {
        eprintln!(
            "seeded {} enterprises with {} employees ({} clocked in today, {} gate scans)",
            employers.enterprises, employers.employees, employers.clock_ins, employers.gate_scans
        );
    }
    let (store, tz) = (state.store.as_ref(), &state.config.time_zone);
    let c = healthcode_server::synthetic::seed_control(store, &plan, &state.config.policy, tz, now).await?;
    if c.checkpoints > 0 {
        eprintln!("seeded {} checkpoints with {} passages, and {} confirmed cases", c.checkpoints, c.passages, c.cases);
    }
    let sign = |id: healthcode_domain::VenueId, generation: u32| {
        healthcode_server::services::venues::sign_token(&state, id, generation).ok()
    };
    let turned = healthcode_server::synthetic::seed_turned_away(store, &plan, now, &sign).await?;
    if turned.hanoi_venues > 0 {
        eprintln!(
            "seeded a Hanoi venue (owner +84900000000, shown in Hanoi time) and {} attempted entries of yellow and red people",
            turned.attempts
        );
    }
    let l = healthcode_server::synthetic::seed_lab(store, &plan, &state.config.policy, tz, now).await?;
    if l.results > 0 {
        eprintln!(
            "seeded {} test results ({} positive) and {} false declarations",
            l.results, l.positives, l.false_declarations
        );
    }
    let days = healthcode_server::services::stats::roll_closed_days(store, now, tz).await?;
    eprintln!("rolled up {days} days of statistics");
    let base = format!("http://{}", state.config.listen);
    eprintln!();
    eprintln!("healthcode demo");
    eprintln!("  1. open {base}/signin and enter any phone number, e.g. +8613800000001");
    eprintln!("  2. read the 6-digit code at {base}/dev/outbox (no SMS gateway in the demo)");
    eprintln!("  3. declare (try 38.1 °C and fever: the code turns yellow), see {base}/me/code");
    eprintln!(
        "  4. synthetic residents sign in the same way: {} … {}",
        phone_of(0).as_str(),
        phone_of(residents.saturating_sub(1)).as_str()
    );
    eprintln!("  5. venue operators sign in at {base}/venue/signin (synthetic owners: +84900000000 …), register a");
    eprintln!("     place, and a phone opens its QR to check in; your visits are at {base}/me/visits");
    eprintln!("  6. employers: sign in at {base}/venue/signin as +84900000000 and open {base}/employer; the authority");
    eprintln!(
        "     (healthcode token --role authority --subject anh) reviews applications at {base}/authority/enterprises"
    );
    eprintln!(
        "  7. the city dashboard: {base}/stats (public view; staff sign in at {base}/staff/signin for every figure)"
    );
    eprintln!("  API docs: {base}/api/docs   trust list: {base}/api/v1/trust-list");
    eprintln!();
    if let Some(listener) = listener {
        serve(state, listener).await?;
    }
    Ok(ExitCode::SUCCESS)
}
