//! The venue operator's pages: sign-in, their scanning points, one venue with
//! its QR and its entry/exit log.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::SET_COOKIE;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use healthcode_credential::render_svg;
use healthcode_domain::{Contact, PhoneNumber, VenueCategory, VenueId, VenueProfile, VenueState};
use healthcode_store::SessionKind;
use jiff::SignedDuration;

use crate::auth::extract::PageVenue;
use crate::auth::rate_limit::SignInGate;
use crate::auth::{otp, session};
use crate::error::ApiError;
use crate::services::venues::{self, venue_qr_text};
use crate::state::AppState;
use crate::web::form_checks;
use crate::web::form_errors::{self, FieldErrors};
use crate::web::i18n::Lang;
use crate::web::pages::{Fields, error_page, field};
use crate::web::view::{Page, Submitted, VenuePage, VenueSignInPage, VenuesPage};

pub async fn signin_form(State(state): State<AppState>, lang: Lang) -> impl IntoResponse {
    VenueSignInPage {
        page: Page::new(lang, "/venue/signin", false),
        code_for: None,
        dev_outbox: state.sender.is_dev_outbox(),
    }
}

pub async fn signin_submit(
    _gate: SignInGate,
    State(state): State<AppState>,
    lang: Lang,
    Form(f): Form<Fields>,
) -> Response {
    let mut fields = FieldErrors::default();
    let result = match form_errors::phone(lang, &mut fields, "phone", field(&f, "phone")) {
        Some(phone) => otp::request(&state, &Contact::Phone(phone.clone())).await.map(|_| phone).map_err(Some),
        None => Err(None),
    };
    let (status, code_for, top) = match result {
        Ok(phone) => (StatusCode::OK, Some(phone.as_str().to_string()), None),
        Err(Some(e)) => (e.status(), None, Some(e.message)),
        Err(None) => (StatusCode::UNPROCESSABLE_ENTITY, None, None),
    };
    let page = Page::new(lang, "/venue/signin", false).with_submitted(Submitted { error: top, fields, typed: f });
    (status, VenueSignInPage { page, code_for, dev_outbox: state.sender.is_dev_outbox() }).into_response()
}

pub async fn signin_verify(
    _gate: SignInGate,
    State(state): State<AppState>,
    lang: Lang,
    Form(f): Form<Fields>,
) -> Response {
    let result = async {
        let phone = PhoneNumber::parse(field(&f, "phone"))?;
        let token = otp::verify_venue_operator(&state, &phone, field(&f, "code"), SessionKind::Cookie).await?;
        Ok::<_, ApiError>((phone, token))
    }
    .await;
    match result {
        Ok((_, token)) => {
            let cookie = session::session_cookie(&token, state.config.session_lifetime, state.config.secure_cookies());
            (AppendHeaders([(SET_COOKIE, cookie)]), Redirect::to("/venue")).into_response()
        }
        Err(e) => {
            let mut fields = FieldErrors::default();
            let top = fields.place_or_top(lang, &e, &form_checks::FIELD_OF_CODE);
            let page = Page::new(lang, "/venue/signin", false).with_error(top).with_fields(fields);
            let code_for = Some(field(&f, "phone").to_string());
            (e.status(), VenueSignInPage { page, code_for, dev_outbox: state.sender.is_dev_outbox() }).into_response()
        }
    }
}

async fn list_page(state: &AppState, lang: Lang, who: &PageVenue, submitted: Submitted) -> Response {
    let status = submitted.status();
    match crate::services::venues::of_owner(state, &who.owner).await {
        Ok(list) => (
            status,
            VenuesPage {
                page: Page::operator(lang, "/venue").with_regions(&state.config.regions).with_submitted(submitted),
                venues: list
                    .iter()
                    .map(|v| (v.id.to_string(), v.profile.name.clone(), v.state == VenueState::Closed))
                    .collect(),
                categories: VenueCategory::ALL.iter().map(|c| c.as_str()).collect(),
            },
        )
            .into_response(),
        Err(e) => error_page(lang, "/venue", false, &e),
    }
}

pub async fn list(State(state): State<AppState>, lang: Lang, who: PageVenue) -> Response {
    list_page(&state, lang, &who, Submitted::default()).await
}

pub async fn register(
    State(state): State<AppState>,
    lang: Lang,
    who: PageVenue,
    Form(mut f): Form<Fields>,
) -> Response {
    state.config.regions.codes_in_form(&mut f, &["province", "district", "commune"]);
    let fields = form_checks::venue(lang, &f);
    if !fields.is_empty() {
        return list_page(&state, lang, &who, Submitted::new(fields, &f)).await;
    }
    let number = |name: &str| field(&f, name).trim().parse::<u32>().ok();
    let result = async {
        let profile = VenueProfile::parse(
            field(&f, "name"),
            field(&f, "address"),
            field(&f, "province"),
            field(&f, "district"),
            field(&f, "commune"),
            field(&f, "category"),
            number("capacity"),
            number("max_stay_minutes"),
        )?;
        venues::register(&state, who.owner.clone(), profile).await
    }
    .await;
    match result {
        Ok(v) => Redirect::to(&format!("/venue/{}", v.id)).into_response(),
        Err(e) => {
            let mut submitted = Submitted::new(Default::default(), &f);
            if !submitted.fields.place(lang, e.code, &e.message, &form_checks::FIELD_OF_CODE) {
                submitted.error = Some(e.message);
            }
            list_page(&state, lang, &who, submitted).await
        }
    }
}

/// Where a venue lies, by name: commune, district, province (a code the
/// catalogue does not know shows as itself).
pub fn place_line(regions: &crate::regions::Catalogue, p: &healthcode_domain::VenueProfile, lang: Lang) -> String {
    let commune = (!p.commune.is_empty()).then(|| regions.name(&p.commune, lang));
    let parts = [commune, Some(regions.name(p.district.as_str(), lang)), Some(regions.name(p.province.as_str(), lang))];
    let mut names: Vec<&str> = Vec::new();
    for name in parts.into_iter().flatten() {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.join(", ")
}

pub async fn show(State(state): State<AppState>, lang: Lang, who: PageVenue, Path(id): Path<String>) -> Response {
    let path = format!("/venue/{id}");
    let result = async {
        let id: VenueId = id.parse().map_err(|_| ApiError::not_found())?;
        let venue = venues::owned(&state, &who.owner, id).await?;
        let qr_text = venue_qr_text(&state, &venue)?;
        let svg = render_svg(&qr_text).map_err(ApiError::internal)?;
        let now = state.clock.now();
        let from = now.checked_sub(SignedDuration::from_hours(24)).unwrap_or(now);
        let to = now.checked_add(SignedDuration::from_secs(1)).unwrap_or(now);
        let log = crate::services::venues::visits(&state, venue.id, from, to, 500).await?;
        let attempts = crate::services::venues::attempts(&state, venue.id, from, to, 500).await?;
        let purpose = crate::services::access::Purpose::VenueLog;
        let people = log.iter().map(|v| v.resident).chain(attempts.iter().map(|a| a.resident));
        let reference = venue.id.to_string();
        crate::services::access::record(
            &state,
            people,
            healthcode_domain::Role::Venue,
            &reference,
            purpose,
            &reference,
        )
        .await?;
        // In the venue's own zone (its province's), not the deployment's.
        let zone = crate::services::time_zones::zone_of_venue(&state.config, &venue);
        let tz = zone.tz.clone();
        let fmt = |t: jiff::Timestamp| t.to_zoned(tz.clone()).strftime("%m-%d %H:%M").to_string();
        Ok::<_, ApiError>(VenuePage {
            page: Page::operator(lang, &path),
            id: venue.id.to_string(),
            name: venue.profile.name.clone(),
            address: venue.profile.address.clone(),
            place: place_line(&state.config.regions, &venue.profile, lang),
            closed: venue.state == VenueState::Closed,
            svg,
            qr_text,
            log: log
                .iter()
                .map(|v| {
                    (
                        fmt(v.entered_at),
                        v.exited_at.map(fmt).unwrap_or_else(|| "—".into()),
                        v.colour.as_str().into(),
                        crate::web::pages::colour_name(lang, v.colour).into(),
                    )
                })
                .collect(),
            attempts: attempts
                .iter()
                .map(|a| {
                    (
                        fmt(a.at),
                        a.colour.as_str().into(),
                        crate::web::pages::colour_name(lang, a.colour).into(),
                        lang.t(if a.source == healthcode_domain::VisitSource::Staff {
                            "venue.attempt_by_staff"
                        } else {
                            "venue.attempt_self"
                        }),
                    )
                })
                .collect(),
            time_zone: zone.name,
        })
    }
    .await;
    match result {
        Ok(page) => page.into_response(),
        Err(e) => error_page(lang, &path, false, &e),
    }
}

/// Close, reopen or rotate, then back to the venue page.
pub async fn action(
    State(state): State<AppState>,
    lang: Lang,
    who: PageVenue,
    Path((id, verb)): Path<(String, String)>,
) -> Response {
    let result = async {
        let id: VenueId = id.parse().map_err(|_| ApiError::not_found())?;
        match verb.as_str() {
            "close" => venues::close(&state, &who.owner, id).await,
            "reopen" => venues::reopen(&state, &who.owner, id).await,
            "rotate" => venues::rotate_token(&state, &who.owner, id).await,
            _ => Err(ApiError::not_found()),
        }
    }
    .await;
    match result {
        Ok(v) => Redirect::to(&format!("/venue/{}", v.id)).into_response(),
        Err(e) => error_page(lang, "/venue", false, &e),
    }
}
