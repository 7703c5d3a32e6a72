//! `healthcode`: the one binary. Parses the command line, builds the
//! configuration, and calls the server and credential crates. Thin on purpose.

mod commands;
mod gateways;
#[cfg(feature = "demo")]
mod loadgen;
mod settings;
mod single_sign_on;

use clap::{Parser, Subcommand};
#[cfg(feature = "demo")]
use commands::trace_sample::{SampleOutput, TraceRead};
#[cfg(feature = "demo")]
use healthcode_server::services::cases::Depth;
use std::process::ExitCode;

use settings::CommonArgs;

/// jemalloc, for memory given back after a burst (the stay index's load): see the workspace manifest.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(name = "healthcode", version, about = "Epidemic health QR codes and venue check-in: server and tools.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server.
    Serve {
        /// Put sign-in codes in the development outbox (`/dev/outbox`) instead of sending them.
        /// Local development only: refused unless the listen address is loopback.
        #[arg(long)]
        dev_outbox: bool,
        /// Serve `POST /bench/no-op`, the ingest benchmark's reference (a JSON body read, a JSON
        /// answer, nothing else; scripts/bench-wrk). Benchmarks only: refused unless the listen
        /// address is loopback.
        #[arg(long)]
        bench_no_op: bool,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Seed a deterministic synthetic city (scale S), then serve it.
    #[cfg(feature = "demo")]
    Demo {
        #[command(flatten)]
        common: CommonArgs,
        /// Seed of the synthetic city (same seed, same city).
        #[arg(long, default_value_t = 2020)]
        seed: u64,
        /// The size of the city (PERFORMANCE.md): s = 100,000 residents, 10,000 venues, 50,000
        /// check-ins a day for 14 days (0.7 M visits); m = 1,000,000 residents, 100,000 venues,
        /// 500,000 check-ins a day for 28 days (14 M visits; about 4 minutes and 2.5 GB on SQLite
        /// on 2 cores); l = 8,000,000 residents, 750,000 venues, 2,500,000 check-ins a day for 28
        /// days (70 M visits; about an hour and 17 GB).
        #[arg(long, value_enum, default_value_t = commands::demo::Scale::S)]
        scale: commands::demo::Scale,
        /// Instead of the scale's: this many residents (a venue per ten, a check-in a day per two).
        #[arg(long)]
        residents: Option<u32>,
        /// Instead of the scale's: this many days of history.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=60))]
        days: Option<u16>,
        /// Seed only; do not start the server.
        #[arg(long)]
        no_serve: bool,
    },
    /// Verify a health code, paper pass or venue QR offline (QR text, or a PNG/JPEG image
    /// of one). Prints a JSON verdict per code; exit status 0 only when all are valid,
    /// 1 when one is not, 3 (`NO_QR_FOUND`) when an image holds no readable QR code,
    /// 4 (`IMAGE_UNREADABLE`) when the file is not a PNG or JPEG. Without keys to check
    /// against (no key ring, an unreadable `--trust-list`) the verdict is `TRUST_LIST_MISSING`.
    /// A peer region's code is checked with that region's list the server kept in the store.
    Verify {
        /// The QR text (HCODE1:…) or the path of an image file.
        input: String,
        /// Trust list JSON file (default: built from the data directory's keys).
        #[arg(long)]
        trust_list: Option<std::path::PathBuf>,
        /// EU DSC list (gateway JSON) for an EU DCC (HC1:…); default: the list imported into the data directory.
        #[arg(long)]
        dsc_list: Option<std::path::PathBuf>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// EU Digital COVID Certificates: import the DSC list that verifies them.
    Dcc {
        #[command(subcommand)]
        action: DccAction,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Mint an API token for scripts and devices (operator command). The token is the last line printed.
    /// `token list` shows every device and script token; `token revoke` revokes one.
    #[command(args_conflicts_with_subcommands = true)]
    Token {
        #[command(subcommand)]
        action: Option<TokenAction>,
        /// resident, venue, officer, authority, supervisor or auditor.
        #[arg(long)]
        role: Option<String>,
        /// Phone number for resident/venue (account created when missing), user name for staff roles.
        #[arg(long)]
        subject: Option<String>,
        /// Days the token is valid (the expiry is printed).
        #[arg(long, default_value_t = commands::token::DEFAULT_DAYS,
              value_parser = clap::value_parser!(i64).range(1..=3650))]
        days: i64,
        /// Where a staff token may be used: district:CODE and checkpoint:ID, comma-separated (default anywhere).
        #[arg(long, default_value = "")]
        scope: String,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Staff accounts (operator command): add, list, disable, reset, roles.
    Staff {
        #[command(subcommand)]
        action: StaffAction,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// List or revoke a person's sign-in sessions and tokens (operator command).
    Tokens {
        #[command(subcommand)]
        action: TokensAction,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Show or rotate the signing keys.
    Keys {
        #[command(subcommand)]
        action: KeysAction,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Move a deployment between stores (e.g. SQLite to PostgreSQL).
    Store {
        #[command(subcommand)]
        action: StoreAction,
    },
    /// Write a consistent online backup of the SQLite store to FILE.
    Backup {
        file: std::path::PathBuf,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Restore a backup FILE into the (empty) configured store.
    Restore {
        file: std::path::PathBuf,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Print a case's trace report (JSON), or (demo builds) time sample traces.
    Trace {
        /// The case id.
        case: Option<String>,
        #[cfg(feature = "demo")]
        /// Instead: trace N random residents as if each were a case (median and worst latency).
        #[arg(long)]
        sample: Option<u32>,
        #[cfg(feature = "demo")]
        /// With --sample: the seed that picks the residents (the same seed, the same cases).
        #[arg(long, default_value_t = 7)]
        seed: u64,
        #[cfg(feature = "demo")]
        /// With --sample: 1 traces close contacts only, 2 also secondary contacts.
        #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=2))]
        hops: u8,
        #[cfg(feature = "demo")]
        /// With --sample: print the sampled cases (resident, window start, window end) and trace nothing.
        #[arg(long)]
        print_cases: bool,
        #[cfg(feature = "demo")]
        /// With --sample: trace the N cases as one outbreak (one sweep, each contact once) and print
        /// its time and how many contacts it found.
        #[arg(long, conflicts_with = "print_cases")]
        outbreak: bool,
        #[cfg(feature = "demo")]
        /// With --sample: read other people's stays from the in-memory stay index (loaded first, as
        /// a server does at start; needs `trace_index_days` above 0) or from the store.
        #[arg(long, value_enum, default_value_t = TraceRead::Index)]
        read: TraceRead,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Delete check-ins, declarations and passages past the retention period.
    Purge {
        /// Count what would go; delete nothing.
        #[arg(long)]
        dry_run: bool,
        /// Retention in days (default: the config file's retention_days, else 28).
        #[arg(long)]
        days: Option<i64>,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Daily statistics per day and district (every figure; the export is audited).
    Stats {
        /// First day, YYYY-MM-DD (default: 27 days before --to).
        #[arg(long)]
        from: Option<String>,
        /// Last day, YYYY-MM-DD (default: today).
        #[arg(long)]
        to: Option<String>,
        /// One district code (default: all).
        #[arg(long)]
        district: Option<String>,
        #[arg(long, value_enum, default_value_t = commands::stats::Format::Table)]
        format: commands::stats::Format,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Generate load against a server on this machine (setup fixtures, then run).
    #[cfg(feature = "demo")]
    Loadgen {
        #[command(subcommand)]
        action: loadgen::LoadgenAction,
    },
    /// Laboratory test results (import a CSV file).
    Tests {
        #[command(subcommand)]
        action: TestsAction,
        #[command(flatten)]
        common: CommonArgs,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        common: CommonArgs,
    },
}

#[derive(Subcommand)]
enum StoreAction {
    /// Copy everything (keys stay in the data directory) in batches, resuming an
    /// interrupted copy, then verify row counts and per-table checksums.
    Copy {
        /// Source URL, e.g. sqlite://./data/healthcode.db
        #[arg(long)]
        from: String,
        /// Target URL, e.g. postgres://user:password@host/db (must be empty, or an interrupted copy)
        #[arg(long)]
        to: String,
        /// Residents per transaction.
        #[arg(long, default_value_t = 1000)]
        batch: u32,
    },
}

#[derive(Subcommand)]
enum TokenAction {
    /// Every device and script token: hash prefix, name, role, scope, created, expires, state; never the secret.
    List,
    /// Revoke one token by the hash prefix `token list` shows (8 hex digits or more).
    Revoke { hash: String },
}

#[derive(Subcommand)]
enum StaffAction {
    /// Create an invited account; prints the one-use invitation link as the last line.
    Add {
        /// The sign-in name (2 to 64 of a-z 0-9 . _ -; case is ignored).
        login: String,
        /// The display name.
        #[arg(long)]
        name: String,
        /// One or more of officer, authority, supervisor, auditor, comma-separated.
        #[arg(long)]
        roles: String,
        /// Where they work: district:CODE and checkpoint:ID, comma-separated (default anywhere).
        #[arg(long, default_value = "")]
        scope: String,
    },
    /// Every account: id, login, state, roles, second factor, scope, name.
    List,
    /// Disable an account (by login or id); its sessions end at once.
    Disable { who: String },
    /// Clear the password and second factor, end the sessions, unlock; prints a new invitation link.
    Reset { who: String },
    /// Replace an account's roles.
    Roles {
        who: String,
        /// One or more of officer, authority, supervisor, auditor, comma-separated.
        roles: String,
    },
}

#[derive(Subcommand)]
enum TestsAction {
    /// Import results from a CSV file with the header `phone,kind,outcome,sampled_at,lab` (any order).
    /// Every row is checked first: one bad row refuses the file (each named by line) and nothing is
    /// recorded; a sample already recorded is skipped, so running it again records nothing twice.
    Import {
        file: std::path::PathBuf,
        /// The authority member or lab account importing (recorded with each result and in the audit log).
        #[arg(long)]
        recorded_by: String,
    },
}

#[derive(Subcommand)]
enum TokensAction {
    /// Every session and token of a person (hash prefix, kind, role, created, expires); never the secret.
    List {
        /// A phone number (resident, venue operator) or a staff user name.
        #[arg(long)]
        subject: String,
    },
    /// Revoke every session and token of a person, at once.
    Revoke {
        /// A phone number (resident, venue operator) or a staff user name.
        #[arg(long)]
        subject: String,
    },
}

#[derive(Subcommand)]
enum DccAction {
    /// Import a DSC list (EU gateway JSON array, or {"certificates": [..]}) from a file or URL
    /// into the data directory; the server reads it at start.
    Import {
        /// A file path or an http(s) URL.
        source: String,
    },
    /// Write TEST DSCs and EU DCCs signed with them (for the browser tests; never for production).
    #[command(hide = true)]
    TestVectors {
        #[arg(long)]
        out: std::path::PathBuf,
        /// An RSA PKCS#8 DER key for a PS256 test DSC.
        #[arg(long)]
        rsa_pkcs8: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Recompute the hash chain; exit status 0 only when it is intact.
    Verify,
}

#[derive(Subcommand)]
enum KeysAction {
    /// List the keys and print the trust list.
    Show,
    /// Make a new key active; the old one stays in the trust list until its codes expire.
    Rotate,
    /// Print the federation root key's public key (created on first use): what a
    /// peer region pins as `root_key` in its `[[peers]]` entry. The key is the last line.
    Root,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: starting the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve { dev_outbox, bench_no_op, common } => {
                commands::serve::run(common, dev_outbox, bench_no_op).await
            }
            #[cfg(feature = "demo")]
            Command::Demo { common, seed, scale, residents, days, no_serve } => {
                let plan = scale.plan(seed);
                let plan = match residents {
                    // Venues and check-ins follow the residents given.
                    Some(n) => healthcode_server::synthetic::CityPlan::new(seed, n, days.unwrap_or(plan.days)),
                    None => healthcode_server::synthetic::CityPlan { days: days.unwrap_or(plan.days), ..plan },
                };
                commands::demo::run(common, plan, no_serve).await
            }
            Command::Verify { input, trust_list, dsc_list, common } => {
                commands::verify::run(common, &input, trust_list, dsc_list).await
            }
            Command::Dcc { action: DccAction::Import { source }, common } => {
                commands::dcc::import(common, &source).await.map(|()| ExitCode::SUCCESS)
            }
            Command::Dcc { action: DccAction::TestVectors { out, rsa_pkcs8 }, .. } => {
                commands::dcc::test_vectors(&out, rsa_pkcs8, commands::system_clock().now()).map(|()| ExitCode::SUCCESS)
            }
            Command::Token { action: Some(TokenAction::List), common, .. } => {
                commands::token::list_tokens(common).await
            }
            Command::Token { action: Some(TokenAction::Revoke { hash }), common, .. } => {
                commands::token::revoke_token(common, &hash).await
            }
            Command::Token { action: None, role, subject, days, scope, common } => {
                let Some(role) = role else { anyhow::bail!("--role is required (or: token list, token revoke HASH)") };
                commands::token::run(common, &role, subject, days, &scope).await
            }
            Command::Staff { action, common } => match action {
                StaffAction::Add { login, name, roles, scope } => {
                    commands::staff::add(common, &login, &name, &roles, &scope).await
                }
                StaffAction::List => commands::staff::list(common).await,
                StaffAction::Disable { who } => commands::staff::disable(common, &who).await,
                StaffAction::Reset { who } => commands::staff::reset(common, &who).await,
                StaffAction::Roles { who, roles } => commands::staff::roles(common, &who, &roles).await,
            },
            Command::Tokens { action: TokensAction::List { subject }, common } => {
                commands::token::list(common, &subject).await
            }
            Command::Tokens { action: TokensAction::Revoke { subject }, common } => {
                commands::token::revoke(common, &subject).await
            }
            Command::Keys { action: KeysAction::Show, common } => commands::keys::show(common).await,
            Command::Keys { action: KeysAction::Rotate, common } => commands::keys::rotate(common).await,
            Command::Keys { action: KeysAction::Root, common } => commands::keys::root(common).await,
            Command::Migrate { common } => commands::migrate::run(common).await,
            Command::Stats { from, to, district, format, common } => {
                let query = healthcode_server::api::stats::StatsQuery { from, to, district };
                commands::stats::run(common, query, format).await
            }
            #[cfg(feature = "demo")]
            Command::Loadgen { action } => loadgen::run(action).await,
            Command::Tests { action: TestsAction::Import { file, recorded_by }, common } => {
                commands::tests::import(common, &file, &recorded_by).await
            }
            Command::Purge { dry_run, days, common } => commands::purge::run(common, dry_run, days).await,
            Command::Audit { action: AuditAction::Verify, common } => commands::audit::verify(common).await,
            #[cfg(feature = "demo")]
            Command::Trace { sample: Some(cases), seed, hops, print_cases, outbreak, read, common, .. } => {
                let sample = commands::trace_sample::Sample {
                    cases,
                    seed,
                    read,
                    depth: if hops == 1 { Depth::Close } else { Depth::Secondary },
                    output: match (print_cases, outbreak) {
                        (true, _) => SampleOutput::Cases,
                        (_, true) => SampleOutput::Outbreak,
                        _ => SampleOutput::Latency,
                    },
                };
                commands::trace_sample::run(common, sample).await
            }
            Command::Trace { case, common, .. } => commands::trace::run(common, case).await,
            Command::Store { action: StoreAction::Copy { from, to, batch } } => {
                commands::store::copy_cmd(&from, &to, batch).await
            }
            Command::Backup { file, common } => commands::store::backup(common, &file).await,
            Command::Restore { file, common } => commands::store::restore(common, &file).await,
        }
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
