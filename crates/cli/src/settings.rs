//! Turning flags, environment and an optional config file into the validated
//! `ServerConfig`. Precedence: flag > environment > config file > default.

use anyhow::{Context, Result, bail};
use clap::Args;
use healthcode_credential::PinnedRootKey;
use healthcode_domain::ColourPolicy;
use healthcode_server::{FederationConfig, PeerConfig, ServerConfig};
use jiff::SignedDuration;
use jiff::tz::TimeZone;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Data directory: signing keys and the SQLite file.
    #[arg(long, env = "HEALTHCODE_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://FILE or postgres://… (default: SQLite file in the data directory).
    #[arg(long = "db", env = "HEALTHCODE_DB", global = true)]
    pub db: Option<String>,
    /// Address to listen on.
    #[arg(long, env = "HEALTHCODE_LISTEN", global = true)]
    pub listen: Option<SocketAddr>,
    /// Optional TOML config file (every key: docs/CONFIG.md).
    #[arg(long, env = "HEALTHCODE_CONFIG", global = true)]
    pub config: Option<PathBuf>,
}

/// The config file. Every field is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    db: Option<String>,
    region_id: Option<String>,
    time_zone: Option<String>,
    code_lifetime_seconds: Option<i64>,
    public_base_url: Option<String>,
    policy_file: Option<PathBuf>,
    db_max_connections: Option<u32>,
    db_statement_timeout_seconds: Option<u64>,
    retention_days: Option<i64>,
    stats_min_count: Option<u32>,
    stats_live_seconds: Option<i64>,
    alarm_manual_changes_per_hour: Option<u32>,
    alarm_manual_changes_per_approver_per_hour: Option<u32>,
    appeal_working_days: Option<u8>,
    max_in_flight: Option<usize>,
    queue_wait_ms: Option<u64>,
    trace_index_days: Option<u32>,
    session_days: Option<i64>,
    staff_shift_hours: Option<i64>,
    staff_max_failures: Option<u32>,
    trusted_proxy: Option<std::net::IpAddr>,
    sign_in_per_address_per_minute: Option<u32>,
    sign_in_per_minute: Option<u32>,
    federation_refresh_seconds: Option<u64>,
    federation_list_seconds: Option<i64>,
    federation_publish_status: Option<bool>,
    regions_file: Option<PathBuf>,
    deployment_name: Option<String>,
    #[serde(default)]
    peers: Vec<PeerFile>,
    /// Region code -> IANA zone (`[region_time_zones]`), overriding the
    /// built-in zone of a venue's or checkpoint's province.
    #[serde(default)]
    region_time_zones: std::collections::BTreeMap<String, String>,
    sms: Option<crate::gateways::SmsFile>,
    email: Option<crate::gateways::EmailFile>,
    dcc: Option<DccFile>,
    oidc: Option<crate::single_sign_on::OidcFile>,
}

/// The `[dcc]` section: where the DSC list comes from, and the acceptance
/// rules (`version`, `[dcc.vaccination]`, `[dcc.test]`, `[dcc.recovery]`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct DccFile {
    dsc_list_file: Option<PathBuf>,
    dsc_list_url: Option<String>,
    dsc_refresh_seconds: Option<u64>,
    /// PEM or DER X.509 certificate whose key must have signed every imported list.
    dsc_list_signer: Option<PathBuf>,
    /// The EU gateway's CSCA certificates (path or URL; PEM, DER or the gateway's JSON array).
    csca_certificates: Option<String>,
    /// The EU gateway's Upload certificates (path or URL; same formats).
    upload_certificates: Option<String>,
    version: Option<String>,
    #[serde(default)]
    vaccination: healthcode_domain::dcc_rules::VaccinationRule,
    #[serde(default)]
    test: healthcode_domain::dcc_rules::TestRule,
    #[serde(default)]
    recovery: healthcode_domain::dcc_rules::RecoveryRule,
}

fn dcc(file: Option<DccFile>) -> anyhow::Result<healthcode_server::services::dcc::DccConfig> {
    let mut config = healthcode_server::services::dcc::DccConfig::default();
    let Some(file) = file else { return Ok(config) };
    let rules = healthcode_domain::dcc_rules::DccRules {
        version: file.version.unwrap_or(config.rules.version.clone()),
        vaccination: file.vaccination,
        test: file.test,
        recovery: file.recovery,
    };
    rules.validate().map_err(|e| anyhow::anyhow!(e))?;
    config.rules = rules;
    config.dsc_list_file = file.dsc_list_file;
    if let Some(url) = file.dsc_list_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            bail!("dcc.dsc_list_url must start with https:// or http://");
        }
        config.dsc_list_url = Some(url);
    }
    if let Some(secs) = file.dsc_refresh_seconds {
        if !(60..=7 * 86_400).contains(&secs) {
            bail!("dcc.dsc_refresh_seconds must be between 60 and 604800");
        }
        config.refresh = std::time::Duration::from_secs(secs);
    }
    if let Some(path) = file.dsc_list_signer {
        let bytes =
            std::fs::read(&path).map_err(|e| anyhow::anyhow!("reading dcc.dsc_list_signer {}: {e}", path.display()))?;
        let signer = healthcode_credential::dcc::ListSigner::from_certificate(&bytes)
            .map_err(|e| anyhow::anyhow!("dcc.dsc_list_signer {}: {}: {e}", path.display(), e.code()))?;
        config.list_signer = Some(signer);
    }
    match (file.csca_certificates, file.upload_certificates) {
        (None, None) => {}
        (Some(csca), Some(upload)) => {
            config.anchors = Some(healthcode_server::services::dcc::AnchorSources { csca, upload });
        }
        _ => bail!(
            "dcc.csca_certificates and dcc.upload_certificates go together: the gateway's per-entry signatures are checked against both"
        ),
    }
    Ok(config)
}

/// One `[[peers]]` entry: a peer region whose codes are accepted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PeerFile {
    region: String,
    url: String,
    root_key: String,
}

fn federation(
    refresh: Option<u64>,
    list_seconds: Option<i64>,
    publish_status: Option<bool>,
    peers: Vec<PeerFile>,
    own_region: &str,
) -> Result<FederationConfig> {
    let mut config = FederationConfig::default();
    if let Some(secs) = refresh {
        if !(1..=86_400).contains(&secs) {
            bail!("federation_refresh_seconds must be between 1 and 86400");
        }
        config.refresh = std::time::Duration::from_secs(secs);
    }
    if let Some(secs) = list_seconds {
        if !(10..=30 * 86_400).contains(&secs) {
            bail!("federation_list_seconds must be between 10 and 2592000");
        }
        config.list_validity = SignedDuration::from_secs(secs);
    }
    config.publish_status = publish_status.unwrap_or(false);
    for peer in peers {
        let region = peer.region.trim().to_string();
        if region.is_empty() || region.len() > 64 {
            bail!("peers.region must be 1 to 64 characters");
        }
        if region == own_region {
            bail!("peers: {region} is this deployment's own region_id");
        }
        if config.peers.iter().any(|p| p.region == region) {
            bail!("peers: {region} is listed twice");
        }
        let url = peer.url.trim().trim_end_matches('/').to_string();
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            bail!("peers.url of {region} must start with https:// or http://");
        }
        let root_key = PinnedRootKey::parse(&peer.root_key).map_err(|e| {
            anyhow::anyhow!("peers.root_key of {region}: {e} (copy it from the peer's `healthcode keys root`)")
        })?;
        config.peers.push(PeerConfig { region, url, root_key });
    }
    Ok(config)
}

pub fn build(args: &CommonArgs) -> Result<ServerConfig> {
    let file: FileConfig = match &args.config {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).with_context(|| format!("reading config file {}", path.display()))?;
            toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))?
        }
        None => FileConfig::default(),
    };
    let data_dir = args.data_dir.clone().or(file.data_dir).unwrap_or_else(|| PathBuf::from("./data"));
    let mut config = ServerConfig::with_defaults(data_dir);
    if let Some(db) = args.db.clone().or(file.db) {
        config.database_url = db;
    }
    if let Some(listen) = args.listen.or(file.listen) {
        config.listen = listen;
    }
    config.public_base_url = file.public_base_url.unwrap_or_else(|| format!("http://{}", config.listen));
    if let Some(region) = file.region_id {
        if region.trim().is_empty() || region.len() > 64 {
            bail!("region_id must be 1 to 64 characters");
        }
        config.region_id = region;
    }
    if let Some(zone) = file.time_zone {
        config.time_zone = TimeZone::get(&zone).with_context(|| format!("unknown time zone '{zone}'"))?;
        config.time_zone_name = zone;
    }
    for (region, zone) in file.region_time_zones {
        TimeZone::get(&zone).with_context(|| format!("region_time_zones: unknown time zone '{zone}' for {region}"))?;
        config.region_time_zones.insert(region.trim().to_ascii_uppercase(), zone);
    }
    if let Some(secs) = file.code_lifetime_seconds {
        if !(30..=3600).contains(&secs) {
            bail!("code_lifetime_seconds must be between 30 and 3600");
        }
        config.code_lifetime = SignedDuration::from_secs(secs);
    }
    if let Some(n) = file.db_max_connections {
        if !(1..=1000).contains(&n) {
            bail!("db_max_connections must be between 1 and 1000");
        }
        config.postgres.max_connections = n;
    }
    if let Some(secs) = file.db_statement_timeout_seconds {
        if !(1..=3600).contains(&secs) {
            bail!("db_statement_timeout_seconds must be between 1 and 3600");
        }
        config.postgres.statement_timeout = std::time::Duration::from_secs(secs);
    }
    if let Some(days) = file.retention_days {
        if !(1..=3650).contains(&days) {
            bail!("retention_days must be between 1 and 3650");
        }
        config.retention = SignedDuration::from_hours(24 * days);
    }
    if let Some(n) = file.stats_min_count {
        if !(1..=100).contains(&n) {
            bail!("stats_min_count must be between 1 and 100");
        }
        config.stats_min_count = n;
    }
    if let Some(secs) = file.stats_live_seconds {
        if !(0..=3600).contains(&secs) {
            bail!("stats_live_seconds must be between 0 and 3600");
        }
        config.stats_live_ttl = SignedDuration::from_secs(secs);
    }
    if let Some(n) = file.alarm_manual_changes_per_hour {
        if !(1..=100_000).contains(&n) {
            bail!("alarm_manual_changes_per_hour must be between 1 and 100000");
        }
        config.alarm_manual_changes_per_hour = n;
    }
    if let Some(n) = file.alarm_manual_changes_per_approver_per_hour {
        if !(1..=100_000).contains(&n) {
            bail!("alarm_manual_changes_per_approver_per_hour must be between 1 and 100000");
        }
        config.alarm_manual_changes_per_approver_per_hour = n;
    }
    if let Some(days) = file.appeal_working_days {
        if !(1..=30).contains(&days) {
            bail!("appeal_working_days must be between 1 and 30");
        }
        config.appeal_working_days = days;
    }
    if let Some(n) = file.max_in_flight {
        if !(1..=100_000).contains(&n) {
            bail!("max_in_flight must be between 1 and 100000");
        }
        config.max_in_flight = Some(n);
    }
    if let Some(ms) = file.queue_wait_ms {
        if ms > 10_000 {
            bail!("queue_wait_ms must be between 0 and 10000");
        }
        config.queue_wait = std::time::Duration::from_millis(ms);
    }
    if let Some(days) = file.trace_index_days {
        if days > 40 {
            bail!("trace_index_days must be between 0 (off) and 40");
        }
        config.trace_index_days = Some(days);
    }
    if let Some(days) = file.session_days {
        if !(1..=90).contains(&days) {
            bail!("session_days must be between 1 and 90");
        }
        config.session_lifetime = SignedDuration::from_hours(24 * days);
    }
    if let Some(hours) = file.staff_shift_hours {
        if !(1..=24).contains(&hours) {
            bail!("staff_shift_hours must be between 1 and 24");
        }
        config.staff_shift = SignedDuration::from_hours(hours);
    }
    if let Some(n) = file.staff_max_failures {
        if !(3..=20).contains(&n) {
            bail!("staff_max_failures must be between 3 and 20");
        }
        config.staff_max_failures = n;
    }
    config.trusted_proxy = file.trusted_proxy;
    if let Some(n) = file.sign_in_per_address_per_minute {
        if !(1..=100_000).contains(&n) {
            bail!("sign_in_per_address_per_minute must be between 1 and 100000");
        }
        config.sign_in_limits.per_address_per_minute = n;
    }
    if let Some(n) = file.sign_in_per_minute {
        if !(1..=1_000_000).contains(&n) {
            bail!("sign_in_per_minute must be between 1 and 1000000");
        }
        config.sign_in_limits.overall_per_minute = n;
    }
    config.federation = federation(
        file.federation_refresh_seconds,
        file.federation_list_seconds,
        file.federation_publish_status,
        file.peers,
        &config.region_id,
    )?;
    config.dcc = dcc(file.dcc)?;
    config.oidc = crate::single_sign_on::oidc(file.oidc, &|name: &str| std::env::var(name).ok())?;
    config.sender = crate::gateways::sender(file.sms, file.email, &|name: &str| std::env::var(name).ok())?;
    if let Some(path) = file.regions_file {
        let regions = healthcode_server::regions::Catalogue::from_file(&path)
            .map_err(|e| anyhow::anyhow!("regions_file {}: {e}", path.display()))?;
        config.regions = std::sync::Arc::new(regions);
    }
    if let Some(name) = file.deployment_name {
        let name = name.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() || name.chars().count() > 60 {
            bail!("deployment_name must be 1 to 60 characters");
        }
        config.deployment_name = Some(name);
    }
    if let Some(path) = file.policy_file {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading policy file {}", path.display()))?;
        config.policy = ColourPolicy::from_toml(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn peer(region: &str, url: &str, root_key: &str) -> PeerFile {
        PeerFile { region: region.into(), url: url.into(), root_key: root_key.into() }
    }

    #[test]
    fn the_dcc_section_is_read_and_checked() {
        let parse = |text: &str| {
            toml::from_str::<FileConfig>(text)
                .map_err(|e| e.to_string())
                .and_then(|f| dcc(f.dcc).map_err(|e| e.to_string()))
        };
        let config = parse(
            "[dcc]\ndsc_list_url = \"https://dsc.example/list\"\nversion = \"v9\"\n[dcc.test]\nnaat_max_hours = 24\n",
        )
        .unwrap();
        assert_eq!(config.rules.version, "v9");
        assert_eq!(config.rules.test.naat_max_hours, 24);
        assert_eq!(config.rules.test.rat_max_hours, 48, "unset keys keep their defaults");
        assert_eq!(config.dsc_list_url.as_deref(), Some("https://dsc.example/list"));
        assert!(parse("[dcc]\nversoin = \"typo\"\n").is_err(), "an unknown key stops the start");
        assert!(parse("[dcc.vaccination]\nmin_days = 300\nmax_days = 10\n").is_err());
        assert!(parse("[dcc]\ndsc_list_url = \"ftp://x\"\n").is_err());
        assert!(parse("[dcc]\ndsc_refresh_seconds = 5\n").is_err());
    }

    #[test]
    fn peers_are_validated_at_start() {
        let key = healthcode_credential::SigningKey::generate().unwrap();
        let pin = PinnedRootKey::of(&key).to_base64();
        let ok =
            federation(Some(60), Some(3600), Some(true), vec![peer("VN-HN", "https://hn.example/", &pin)], "CN-ZJ-HZ")
                .unwrap();
        assert_eq!(ok.peers.len(), 1);
        assert_eq!(ok.peers[0].url, "https://hn.example", "a trailing slash is dropped");
        assert_eq!((ok.refresh.as_secs(), ok.publish_status), (60, true));

        let err = |peers: Vec<PeerFile>| federation(None, None, None, peers, "CN-ZJ-HZ").unwrap_err().to_string();
        assert!(err(vec![peer("CN-ZJ-HZ", "https://a", &pin)]).contains("own region_id"));
        assert!(err(vec![peer("VN-HN", "https://a", &pin), peer("VN-HN", "https://b", &pin)]).contains("twice"));
        assert!(err(vec![peer("VN-HN", "ftp://a", &pin)]).contains("https://"));
        assert!(err(vec![peer("VN-HN", "https://a", "AAAA")]).contains("keys root"));
        assert!(federation(Some(0), None, None, vec![], "X").is_err());
        assert!(federation(None, Some(5), None, vec![], "X").is_err());
    }
}
