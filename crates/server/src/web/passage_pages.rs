//! The checkpoints' passages for staff (`/staff/passages`): officers and
//! the authority, each seeing the checkpoints their scope allows. A list
//! that sorts, filters (checkpoint, its kind and district, direction,
//! verdict, days) and pages on the server, and never reads more than a
//! month of passages: with no dates it shows the last seven days.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use healthcode_domain::{CheckpointId, CheckpointKind, Direction};
use healthcode_store::{PassageListRow, PassageSort};

use crate::auth::staff::PageOfficer;
use crate::error::ApiError;
use crate::services::lists;
use crate::state::AppState;
use crate::web::i18n::Lang;
use crate::web::listing::{self, ListParams, ListSpec, Listing};
use crate::web::pages::colour_name;
use crate::web::view::Page;

const PASSAGES: &str = "/staff/passages";
/// Days shown when the address names none.
pub const DEFAULT_DAYS: i16 = 7;
/// The longest range the list reads.
pub const MAX_DAYS: i16 = 31;

/// The checkpoint kinds the filter takes (`CheckpointKind::ALL`, spelled out
/// for the spec; a test keeps them equal).
const KINDS: &[&str] = &["national_highway", "provincial_border", "station", "airport", "other"];

/// The passages list: the newest first unless asked.
const PASSAGE_LIST: ListSpec = ListSpec {
    sorts: &["scanned", "checkpoint", "district", "verdict"],
    descending: true,
    filters: &[
        ("checkpoint", &[]),
        ("kind", KINDS),
        ("direction", &["in", "out"]),
        ("verdict", &["allow", "deny"]),
        ("district", &[]),
        ("from", &[]),
        ("to", &[]),
    ],
};
const PASSAGE_SORTS: &[(&str, PassageSort)] = &[
    ("scanned", PassageSort::Scanned),
    ("checkpoint", PassageSort::Checkpoint),
    ("district", PassageSort::District),
    ("verdict", PassageSort::Verdict),
];

/// One passage as the list shows it.
#[derive(Debug, Clone)]
pub struct PassageShown {
    pub scanned: String,
    pub checkpoint: String,
    pub kind: String,
    pub district: String,
    pub direction: String,
    /// `green`, `yellow`, `red` or "" (the row's class).
    pub colour: String,
    pub colour_name: String,
    pub turned_back: bool,
    pub reason: String,
    /// The first characters of the pseudonymous holder id ("—": unread).
    pub person: String,
    pub officer: String,
    pub offline: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "passages.html")]
pub struct PassagesPage {
    pub page: Page,
    pub passages: Vec<PassageShown>,
    /// The filters: the checkpoint (those the reader's scope allows, by
    /// name), its kind, direction, verdict, district, days.
    pub l: Listing,
}

fn shown(state: &AppState, lang: Lang, kinds: &[(String, CheckpointKind)], r: &PassageListRow) -> PassageShown {
    let p = &r.passage;
    let kind = kinds.iter().find(|(id, _)| *id == p.checkpoint.to_string()).map(|(_, k)| *k);
    PassageShown {
        scanned: crate::web::pages::local_minute(state, p.scanned_at),
        checkpoint: r.checkpoint.clone(),
        kind: kind.map_or_else(String::new, |k| lang.t(&format!("scan.kind.{}", k.as_str())).to_string()),
        district: listing::district_name(state, lang, Some(r.district.as_str())),
        direction: lang.t(&format!("scan.{}", p.direction.as_str())).to_string(),
        colour: p.colour.map_or("", |c| c.as_str()).to_string(),
        colour_name: p.colour.map_or("—", |c| colour_name(lang, c)).to_string(),
        turned_back: p.verdict == healthcode_domain::Verdict::Deny,
        reason: lang.t_opt(&format!("reason.{}", p.reason)).map_or_else(|| p.reason.clone(), str::to_string),
        person: p.holder.map_or_else(|| "—".to_string(), |h| h.to_string().chars().take(8).collect()),
        officer: p.officer.clone(),
        offline: p.offline,
    }
}

/// `GET /staff/passages`.
pub async fn list(
    State(state): State<AppState>,
    lang: Lang,
    who: PageOfficer,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let scope = &who.staff.scope;
    let result = async {
        let mut list = ListParams::parse(PASSAGES, &query, &PASSAGE_LIST)?;
        let today = state.clock.now().to_zoned(state.config.time_zone.clone()).date();
        list.bound_days(today, DEFAULT_DAYS, MAX_DAYS)?;
        let mut q = list.query(&state, PASSAGE_SORTS)?;
        let visible = lists::visible_checkpoints(&state, scope).await?;
        let nonempty = |name: &str| Some(list.filter(name).to_string()).filter(|v| !v.is_empty());
        q.state = nonempty("verdict");
        q.direction =
            nonempty("direction").map(|d| Direction::parse(&d).map(|d| d.as_str().to_string())).transpose()?;
        if let Some(id) = nonempty("checkpoint") {
            let id: CheckpointId = id.parse().map_err(|_| {
                ApiError::bad_input("LIST_PARAM_INVALID", "the list cannot be shown with this checkpoint")
            })?;
            q.places = vec![id.as_uuid()];
        }
        let (rows, total) = lists::passages(&state, scope, &visible, q).await?;
        Ok::<_, ApiError>((list, visible, rows, total))
    }
    .await;
    let (list, visible, rows, total) = match result {
        Ok(r) => r,
        Err(e) => return listing::error_page(lang, PASSAGES, &e),
    };
    let kinds_of: Vec<(String, CheckpointKind)> = visible.iter().map(|c| (c.id.to_string(), c.kind)).collect();
    let passages = rows.iter().map(|r| shown(&state, lang, &kinds_of, r)).collect::<Vec<_>>();
    let checkpoints = visible.iter().map(|c| (c.id.to_string(), c.name.clone()));
    let kinds = CheckpointKind::ALL.iter().map(|k| (k.as_str(), lang.t(&format!("scan.kind.{}", k.as_str()))));
    let directions = Direction::ALL.map(|d| (d.as_str(), lang.t(&format!("scan.{}", d.as_str()))));
    let verdicts = [("allow", lang.t("passage.allowed")), ("deny", lang.t("passage.turned_back"))];
    PassagesPage {
        page: Page::staff(lang, PASSAGES, &who.staff.roles),
        l: Listing::new(&state, lang, list, passages.len(), total)
            .select("checkpoint", lang.t("passage.checkpoint"), checkpoints)
            .select("kind", lang.t("passage.kind"), kinds)
            .select("direction", lang.t("scan.direction"), directions)
            .select("verdict", lang.t("passage.verdict"), verdicts),
        passages,
    }
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_filter_takes_every_kind() {
        let all: Vec<&str> = CheckpointKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(KINDS, all.as_slice());
    }
}
