//! The venue URL a phone camera opens (`/c/{token}`), and the person's visits.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use healthcode_domain::{Colour, ExitKind, VisitId, VisitSource};
use jiff::Timestamp;

use crate::auth::extract::{PageResident, optional_resident};
use crate::error::ApiError;
use crate::services::check_in::{self, Refusal, ScanAnswer, ScanOutcome};
use crate::services::time_zones::{Zone, zone_of_region, zone_of_venue};
use crate::services::venues;
use crate::state::AppState;
use crate::web::form_errors::FieldErrors;
use crate::web::i18n::Lang;
use crate::web::pages::{colour_name, error_page};
use crate::web::view::{CheckInPage, EntryCodePage, Page, ScanShown, Submitted, VisitShown, VisitsPage};

/// `t` in the venue's zone (its province's: `services::time_zones`).
fn local(zone: &Zone, t: Timestamp) -> String {
    t.to_zoned(zone.tz.clone()).strftime("%Y-%m-%d %H:%M").to_string()
}

/// When an open visit closes by itself, in words that fit the tense: "will
/// close automatically at" while that time is still to come, "closed
/// automatically at" once it has passed (never a past tense for the future).
fn auto_close_note(zone: &Zone, lang: Lang, at: Timestamp, now: Timestamp) -> String {
    let key = if at > now { "checkin.auto_close_future" } else { "checkin.auto_close_past" };
    lang.t(key).replace("{time}", &local(zone, at))
}

/// `GET /c`: where a visitor whose camera cannot read the poster's QR
/// types the entry code printed under it.
pub async fn entry_form(State(state): State<AppState>, lang: Lang, headers: HeaderMap) -> Response {
    let resident = optional_resident(&state, &headers).await;
    EntryCodePage { page: Page::new(lang, ENTRY, resident.is_some()) }.into_response()
}

/// `POST /c`: the typed code leads to the venue's check-in page (the one its
/// QR opens); a code that is malformed, unknown, replaced or of a closed
/// venue is shown beside the field.
pub async fn entry_submit(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    axum::Form(f): axum::Form<crate::web::pages::Fields>,
) -> Response {
    let typed = crate::web::pages::field(&f, "code");
    match venues::by_entry_code(&state, typed).await {
        Ok(venue) => Redirect::to(&format!("/c/{}", venue.qr_token)).into_response(),
        Err(e) if e.status().is_client_error() => {
            let resident = optional_resident(&state, &headers).await;
            let mut fields = FieldErrors::default();
            fields.add(lang, "code", e.code, &e.message);
            let submitted = Submitted::new(fields, &f);
            let status = submitted.status();
            (status, EntryCodePage { page: Page::new(lang, ENTRY, resident.is_some()).with_submitted(submitted) })
                .into_response()
        }
        Err(e) => error_page(lang, ENTRY, false, &e),
    }
}

const ENTRY: &str = "/c";

/// What a phone camera opens: the venue, and one button.
pub async fn venue_link(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let path = format!("/c/{token}");
    let resident = optional_resident(&state, &headers).await;
    let venue = match venues::resolve(&state, &token).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, &path, resident.is_some(), &e),
    };
    let here_now = match resident {
        Some(r) => crate::services::check_in::latest_visit(&state, r)
            .await
            .ok()
            .flatten()
            .is_some_and(|v| v.venue == venue.id && v.is_open_at(state.clock.now())),
        None => false,
    };
    CheckInPage {
        page: Page::new(lang, &path, resident.is_some()),
        venue_name: venue.profile.name.clone(),
        venue_address: venue.profile.address.clone(),
        action: path,
        signed_in_resident: resident.is_some(),
        here_now,
        result: None,
    }
    .into_response()
}

/// The button: enters, or exits when already checked in here.
pub async fn venue_scan(
    State(state): State<AppState>,
    lang: Lang,
    who: PageResident,
    Path(token): Path<String>,
) -> Response {
    let path = format!("/c/{token}");
    let result = match check_in::scan(&state, who.resident, &token, VisitSource::SelfScan).await {
        Ok(ScanAnswer::Recorded(r)) => r,
        Ok(ScanAnswer::Refused(refusal)) => return refused_page(&state, lang, path, &refusal),
        Err(e) if e.code == "DECLARATION_REQUIRED" => return Redirect::to("/declare").into_response(),
        Err(e) => return error_page(lang, &path, true, &e),
    };
    let now = state.clock.now();
    let zone = zone_of_venue(&state.config, &result.venue);
    let open_note = || Some(auto_close_note(&zone, lang, result.visit.auto_checkout_at(), now));
    let (key, at, auto) = match result.outcome {
        ScanOutcome::Entered => ("checkin.entered", result.visit.entered_at, open_note()),
        ScanOutcome::Exited => ("checkin.exited", result.visit.effective_end(), None),
        ScanOutcome::Duplicate => ("checkin.duplicate", result.visit.entered_at, open_note()),
    };
    CheckInPage {
        page: Page::new(lang, &path, true),
        venue_name: result.venue.profile.name.clone(),
        venue_address: result.venue.profile.address.clone(),
        action: path,
        signed_in_resident: true,
        here_now: false,
        result: Some(ScanShown {
            outcome: result.outcome.as_str().into(),
            outcome_text: lang.t(key).into(),
            colour: result.colour.as_str().into(),
            colour_name: colour_name(lang, result.colour).into(),
            at: local(&zone, at),
            auto_checkout: auto,
            now: now.to_zoned(zone.tz.clone()).strftime("%H:%M:%S").to_string(),
            time_zone: zone.name.clone(),
            advice: match result.colour {
                Colour::Green => None,
                Colour::Yellow => Some(lang.t("checkin.advice.yellow")),
                Colour::Red => Some(lang.t("checkin.advice.red")),
            },
            refused_reason: None,
        }),
    }
    .into_response()
}

/// A yellow or red holder who scanned to enter: a full-screen "do not
/// enter", the reason and what to do. No visit was recorded; the attempt was.
fn refused_page(state: &AppState, lang: Lang, path: String, refusal: &Refusal) -> Response {
    let zone = zone_of_venue(&state.config, &refusal.venue);
    let colour = refusal.attempt.colour;
    let (reason, advice) = match colour {
        Colour::Red => ("checkin.refused.reason_red", "checkin.advice.red"),
        Colour::Yellow | Colour::Green => ("checkin.refused.reason_yellow", "checkin.advice.yellow"),
    };
    let now = state.clock.now();
    (
        axum::http::StatusCode::FORBIDDEN,
        CheckInPage {
            page: Page::new(lang, &path, true),
            venue_name: refusal.venue.profile.name.clone(),
            venue_address: refusal.venue.profile.address.clone(),
            action: path,
            signed_in_resident: true,
            here_now: false,
            result: Some(ScanShown {
                outcome: "refused".into(),
                outcome_text: lang.t("checkin.refused.title").into(),
                colour: colour.as_str().into(),
                colour_name: colour_name(lang, colour).into(),
                at: local(&zone, refusal.attempt.at),
                auto_checkout: None,
                now: now.to_zoned(zone.tz.clone()).strftime("%H:%M:%S").to_string(),
                time_zone: zone.name.clone(),
                advice: Some(lang.t(advice)),
                refused_reason: Some(lang.t(reason)),
            }),
        },
    )
        .into_response()
}

pub async fn my_visits(State(state): State<AppState>, lang: Lang, who: PageResident) -> Response {
    let now = state.clock.now();
    let visits = match crate::services::check_in::recent_visits(&state, who.resident, 50).await {
        Ok(v) => v,
        Err(e) => return error_page(lang, "/me/visits", true, &e),
    };
    let mut current = None;
    let mut recent = Vec::new();
    for (v, venue) in visits {
        let v = &v;
        let zone = match &venue {
            Some(venue) => zone_of_venue(&state.config, venue),
            None => zone_of_region(&state.config, None),
        };
        let name = venue.map(|venue| venue.profile.name).unwrap_or_default();
        let open = v.is_open_at(now);
        let closed_by_itself = v.exit_kind == Some(ExitKind::Auto) || (v.exited_at.is_none() && !open);
        let exited = if open {
            "—".to_string()
        } else if closed_by_itself {
            lang.tf("checkin.ended_automatically", &[("time", &local(&zone, v.effective_end()))])
        } else {
            local(&zone, v.effective_end())
        };
        let shown = VisitShown {
            id: v.id.to_string(),
            venue: name,
            entered: local(&zone, v.entered_at),
            exited,
            auto_checkout: auto_close_note(&zone, lang, v.auto_checkout_at(), now),
        };
        if current.is_none() && open {
            current = Some(shown.clone());
        }
        recent.push(shown);
    }
    VisitsPage { page: Page::new(lang, "/me/visits", true), current, recent }.into_response()
}

pub async fn check_out(
    State(state): State<AppState>,
    lang: Lang,
    who: PageResident,
    Path(id): Path<String>,
) -> Response {
    let result = async {
        let id: VisitId = id.parse().map_err(|_| ApiError::not_found())?;
        check_in::check_out(&state, who.resident, id).await
    }
    .await;
    match result {
        Ok(_) => Redirect::to("/me/visits").into_response(),
        Err(e) => error_page(lang, "/me/visits", true, &e),
    }
}
