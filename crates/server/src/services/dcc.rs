//! EU Digital COVID Certificates shown by visitors: the imported DSC list
//! ([`DccService`]), kept as the last good copy in
//! `<data-dir>/dcc-dsc-list.json`, refreshed from `dcc.dsc_list_url` by a
//! job, and the verdict at checkpoints ([`DccService::judge`]): verified by
//! `credential::verify_dcc`, then the configured acceptance rule.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use healthcode_credential::dcc::{
    AnchorError, DscList, DscListError, GatewayTrust, ListSignatureError, ListSigner, SkippedDsc, kind_name,
    skipped_by_code,
};
use healthcode_credential::verify_dcc;
use healthcode_domain::dcc_rules::DccRules;
use jiff::Timestamp;

use crate::state::AppState;

/// The file that holds the last good DSC list, in the data directory.
pub const KEPT_FILE: &str = "dcc-dsc-list.json";

/// `[dcc]` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DccConfig {
    pub rules: DccRules,
    /// A list imported at every start (CLI `healthcode dcc import` does the same once).
    pub dsc_list_file: Option<PathBuf>,
    /// A list fetched every `refresh`; failures keep the last good copy.
    pub dsc_list_url: Option<String>,
    pub refresh: Duration,
    /// The pinned certificate whose key must have signed every imported
    /// list (`dcc.dsc_list_signer`); `None`: lists are taken unsigned.
    pub list_signer: Option<ListSigner>,
    /// Where the gateway's CSCA and Upload certificates come from
    /// (`dcc.csca_certificates`, `dcc.upload_certificates`); with them every
    /// entry's CMS signature and CSCA chain are checked ([`GatewayTrust`]).
    pub anchors: Option<AnchorSources>,
}

/// The sources (file paths or `http(s)://` URLs) of the gateway's trust anchors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchorSources {
    pub csca: String,
    pub upload: String,
}

impl Default for DccConfig {
    fn default() -> Self {
        DccConfig {
            rules: DccRules::default(),
            dsc_list_file: None,
            dsc_list_url: None,
            refresh: Duration::from_secs(6 * 3600),
            list_signer: None,
            anchors: None,
        }
    }
}

/// The verdict on a DCC: what the officer and the API see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DccVerdict {
    pub accepted: bool,
    /// `DCC_ACCEPTED`, `DCC_RULE_NOT_MET` or a verification failure (`DCC_*`).
    pub reason: &'static str,
    pub message: String,
    /// `v`, `t` or `r`, once the certificate could be read.
    pub kind: Option<&'static str>,
    pub rule_id: Option<&'static str>,
    pub rule_version: Option<String>,
    pub holder: Option<String>,
    pub country: Option<String>,
    pub expires_at: Option<Timestamp>,
}

/// The DSC list in force and the rules.
#[derive(Debug)]
pub struct DccService {
    config: DccConfig,
    /// The gateway's anchors in force (reloaded with every fetch of the list).
    trust: RwLock<Option<Arc<GatewayTrust>>>,
    kept: PathBuf,
    list: RwLock<Arc<DscList>>,
    imported_at: RwLock<Option<Timestamp>>,
}

/// Importing a list failed; the list in force is unchanged.
#[derive(Debug, thiserror::Error)]
pub enum DccImportError {
    #[error(transparent)]
    List(#[from] DscListError),
    #[error(transparent)]
    Signature(#[from] ListSignatureError),
    #[error(transparent)]
    Anchors(#[from] AnchorError),
    #[error("reading the {what} certificates from {source_name}: {reason}")]
    AnchorSource { what: &'static str, source_name: String, reason: String },
    #[error("keeping the list in {path}: {source}")]
    Keep { path: String, source: std::io::Error },
}

impl DccImportError {
    pub fn code(&self) -> &'static str {
        match self {
            DccImportError::List(_) => "DSC_LIST_INVALID",
            DccImportError::Signature(e) => e.code(),
            DccImportError::Anchors(e) => e.code(),
            DccImportError::AnchorSource { .. } => "DSC_ANCHORS_INVALID",
            DccImportError::Keep { .. } => "INTERNAL",
        }
    }
}

pub fn kept_path(data_dir: &Path) -> PathBuf {
    data_dir.join(KEPT_FILE)
}

/// Reads one anchor source: a file, or an `http(s)://` URL.
async fn read_source(what: &'static str, source: &str) -> Result<Vec<u8>, DccImportError> {
    let failed = |reason: String| DccImportError::AnchorSource { what, source_name: source.to_owned(), reason };
    if source.starts_with("https://") || source.starts_with("http://") {
        fetch_text(source).await.map(String::into_bytes).map_err(failed)
    } else {
        tokio::fs::read(source).await.map_err(|e| failed(e.to_string()))
    }
}

/// Loads the gateway's CSCA and Upload certificates from their sources.
pub async fn load_trust(sources: &AnchorSources) -> Result<GatewayTrust, DccImportError> {
    let csca = read_source("CSCA", &sources.csca).await?;
    let upload = read_source("Upload", &sources.upload).await?;
    Ok(GatewayTrust::new(&csca, &upload)?)
}

/// Skipped entries as `{code: count}`, for logs and the CLI's report.
pub fn skipped_report(skipped: &[SkippedDsc]) -> serde_json::Value {
    serde_json::Value::Object(skipped_by_code(skipped).into_iter().map(|(k, v)| (k.to_owned(), v.into())).collect())
}

/// Checks the list's signature when a signer is pinned, then parses it
/// (with `trust`, every entry's CMS signature and CSCA chain are checked at
/// `now` and failing entries skipped) and keeps it in `data_dir` (what
/// `healthcode dcc import` does). A refused list leaves the kept one as it
/// was. With `trust`, only the accepted entries are kept (the kept copy is
/// read back at start without the anchors).
pub fn import_into(
    data_dir: &Path,
    text: &str,
    signer: Option<&ListSigner>,
    trust: Option<&GatewayTrust>,
    now: Timestamp,
) -> Result<(DscList, Vec<SkippedDsc>), DccImportError> {
    let json = match signer {
        Some(signer) => signer.verify(text)?,
        None => text,
    };
    let (list, skipped) = DscList::parse_checked(json, trust, now)?;
    let kept_text = match trust {
        Some(_) => list.to_gateway_json(),
        None => text.to_owned(),
    };
    let path = kept_path(data_dir);
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, kept_text)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|source| DccImportError::Keep { path: path.display().to_string(), source })?;
    Ok((list, skipped))
}

/// The kept list of `data_dir`, if one was imported.
pub fn load_kept(data_dir: &Path) -> Option<DscList> {
    let text = std::fs::read_to_string(kept_path(data_dir)).ok()?;
    match DscList::parse(&text) {
        Ok((list, _)) => Some(list),
        Err(e) => {
            tracing::warn!(error = %e, "the kept DSC list cannot be read; no DCC will verify until one is imported");
            None
        }
    }
}

impl DccService {
    /// Restores the kept list, then imports `dsc_list_file` when configured
    /// (checked at `now` against `trust`, the anchors loaded by [`load_trust`]).
    pub fn open(
        config: DccConfig,
        data_dir: &Path,
        trust: Option<GatewayTrust>,
        now: Timestamp,
    ) -> Result<DccService, DccImportError> {
        let list = load_kept(data_dir).unwrap_or_default();
        let service = DccService {
            config,
            trust: RwLock::new(trust.map(Arc::new)),
            kept: data_dir.to_path_buf(),
            list: RwLock::new(Arc::new(list)),
            imported_at: RwLock::new(None),
        };
        if let Some(file) = service.config.dsc_list_file.clone() {
            let text = std::fs::read_to_string(&file)
                .map_err(|source| DccImportError::Keep { path: file.display().to_string(), source })?;
            let skipped = service.import(&text, now, false)?;
            tracing::info!(file = %file.display(), dscs = service.list().dscs().len(), skipped, "DSC list imported");
        }
        Ok(service)
    }

    pub fn config(&self) -> &DccConfig {
        &self.config
    }

    pub fn list(&self) -> Arc<DscList> {
        self.list.read().map_or_else(|p| p.into_inner().clone(), |l| l.clone())
    }

    pub fn imported_at(&self) -> Option<Timestamp> {
        self.imported_at.read().map_or(None, |t| *t)
    }

    /// Replaces the anchors in force (after a reload from their sources).
    pub fn set_trust(&self, trust: GatewayTrust) {
        if let Ok(mut slot) = self.trust.write() {
            *slot = Some(Arc::new(trust));
        }
    }

    fn trust(&self) -> Option<Arc<GatewayTrust>> {
        self.trust.read().map_or_else(|p| p.into_inner().clone(), |t| t.clone())
    }

    /// Replaces the list in force and keeps it; returns the skipped entries'
    /// count (each reason's count is logged). `fetched`: record `now` as the
    /// list's import time (shown to the scanner page).
    pub fn import(&self, text: &str, now: Timestamp, fetched: bool) -> Result<usize, DccImportError> {
        if self.config.anchors.is_some() && self.trust().is_none() {
            return Err(DccImportError::AnchorSource {
                what: "CSCA and Upload",
                source_name: "dcc.csca_certificates / dcc.upload_certificates".into(),
                reason: "not loaded".into(),
            });
        }
        let trust = self.trust();
        let (list, skipped) = import_into(&self.kept, text, self.config.list_signer.as_ref(), trust.as_deref(), now)?;
        if !skipped.is_empty() {
            tracing::warn!(
                skipped = skipped.len(),
                reasons = %skipped_report(&skipped),
                "DSC list entries rejected; the others are in force"
            );
        }
        if let Ok(mut slot) = self.list.write() {
            *slot = Arc::new(list);
        }
        if let Ok(mut at) = self.imported_at.write() {
            *at = fetched.then_some(now);
        }
        Ok(skipped.len())
    }

    /// Verifies the certificate and applies the rule for its type.
    pub fn judge(&self, text: &str, now: Timestamp) -> DccVerdict {
        judge_with(&self.list(), &self.config.rules, text, now)
    }
}

/// The verdict with a given list and rules (shared with `healthcode verify`).
pub fn judge_with(list: &DscList, rules: &DccRules, text: &str, now: Timestamp) -> DccVerdict {
    let verified = match verify_dcc(text, list, now) {
        Ok(v) => v,
        Err(e) => {
            return DccVerdict {
                accepted: false,
                reason: e.code(),
                message: e.to_string(),
                kind: None,
                rule_id: None,
                rule_version: None,
                holder: None,
                country: None,
                expires_at: None,
            };
        }
    };
    let outcome = rules.evaluate(&verified.facts, now);
    let name = kind_name(outcome.kind);
    let (reason, message) = match &outcome.refusal {
        None => ("DCC_ACCEPTED", format!("EU DCC ({name}) meets rule {} v{}", outcome.rule_id, outcome.rule_version)),
        Some(why) => (
            "DCC_RULE_NOT_MET",
            format!("EU DCC ({name}) does not meet rule {} v{}: {why}", outcome.rule_id, outcome.rule_version),
        ),
    };
    let holder = match &verified.holder.given {
        Some(given) => format!("{}, {} ({})", verified.holder.family, given, verified.holder.date_of_birth),
        None => format!("{} ({})", verified.holder.family, verified.holder.date_of_birth),
    };
    DccVerdict {
        accepted: outcome.accepted(),
        reason,
        message,
        kind: Some(outcome.kind.code()),
        rule_id: Some(outcome.rule_id),
        rule_version: Some(outcome.rule_version),
        holder: Some(holder),
        country: Some(verified.country),
        expires_at: Some(verified.expires_at),
    }
}

/// Fetches `dcc.dsc_list_url` on a schedule; a failure keeps the last good copy.
pub fn spawn(state: AppState) {
    let Some(url) = state.dcc.config().dsc_list_url.clone() else { return };
    let client = match reqwest::Client::builder()
        .user_agent(concat!("healthcode/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_secs(30))
        .build()
    {
        Ok(c) => c,
        Err(e) => {
            tracing::error!(error = %e, "no HTTP client for the DSC list");
            return;
        }
    };
    tokio::spawn(async move {
        let mut failures = 0u32;
        loop {
            match fetch_once(&state, &client, &url).await {
                Ok(skipped) => {
                    failures = 0;
                    tracing::info!(url, dscs = state.dcc.list().dscs().len(), skipped, "DSC list refreshed");
                }
                Err(e) => {
                    failures = failures.saturating_add(1);
                    tracing::warn!(url, error = %e, failures, "fetching the DSC list failed; keeping the last good copy");
                }
            }
            let refresh = state.dcc.config().refresh;
            tokio::time::sleep(crate::services::federation::next_delay(refresh, failures)).await;
        }
    });
}

/// Fetches a DSC list's text (for `healthcode dcc import URL`).
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .user_agent(concat!("healthcode/", env!("CARGO_PKG_VERSION")))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())?;
    let response = client.get(url).send().await.and_then(|r| r.error_for_status()).map_err(|e| e.to_string())?;
    response.text().await.map_err(|e| e.to_string())
}

/// One fetch of the configured URL into the list in force.
pub async fn fetch_once(state: &AppState, client: &reqwest::Client, url: &str) -> Result<usize, String> {
    let response = client.get(url).send().await.and_then(|r| r.error_for_status()).map_err(|e| e.to_string())?;
    let text = response.text().await.map_err(|e| e.to_string())?;
    // The anchors may be published beside the list: reload them with it.
    if let Some(sources) = &state.dcc.config().anchors {
        state.dcc.set_trust(load_trust(sources).await.map_err(|e| format!("{}: {e}", e.code()))?);
    }
    state.dcc.import(&text, state.clock.now(), true).map_err(|e| format!("{}: {e}", e.code()))
}
