//! On-site enrolment (issue 16 item 4): an officer at a station or
//! checkpoint enrols a person who has no account yet — their passport or
//! ID, a phone or e-mail, the travel plan and a first declaration — and
//! hands over either a one-use sign-in link (sent by SMS or e-mail through
//! the configured gateways) or the signed paper pass (`HPASS2`).
//!
//! The person, the enrolment (naming the staff member) and its audit entry
//! are written in one transaction; the document is unique among enrolments,
//! so when two officers enrol the same document at once, one wins and the
//! other gets 409 `DOCUMENT_ALREADY_ENROLLED` (the person then signs in with
//! what they were handed). The first declaration goes through the ordinary
//! report path with the channel `staff_assisted`, and the enrolment names it.

use healthcode_domain::{Contact, Declaration, DocumentType, HolderId, Identity, ReportChannel, ResidentId, Role};
use healthcode_store::{
    AccountKind, AuditAction, AuditActor, AuditEntry, Enrolment, Principal, Resident, SessionKind, StoreError,
};
use jiff::SignedDuration;

use crate::auth::sender::Message;
use crate::auth::session::{self, hash_token, random_bytes};
use crate::auth::staff::StaffPrincipal;
use crate::error::{ApiError, ErrorKind};
use crate::services::accounts::new_uuid_v7;
use crate::services::code::{IssuedPass, PassRequest, issue_pass};
use crate::services::health::{self, ReportOutcome};
use crate::state::AppState;

/// How long a sign-in link works (the person may be on a train for a day).
pub const LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(24);
const LINK_PREFIX: &str = "hcl_";

/// What the person is handed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handover {
    /// A one-use sign-in link by SMS (phone) or e-mail (address).
    Link,
    /// The printed paper pass.
    PaperPass,
}

impl Handover {
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        match s.trim() {
            "link" => Ok(Handover::Link),
            "paper_pass" => Ok(Handover::PaperPass),
            _ => Err(ApiError::bad_input("HANDOVER_INVALID", "choose a sign-in link or a paper pass")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Handover::Link => "link",
            Handover::PaperPass => "paper_pass",
        }
    }
}

/// An enrolment as the officer typed it, parsed.
#[derive(Debug, Clone)]
pub struct EnrolmentRequest {
    pub contact: Contact,
    pub identity: Identity,
    pub declaration: Declaration,
    pub handover: Handover,
}

/// What was handed over.
#[derive(Debug)]
pub enum HandedOver {
    /// The link went out on this channel (`sms` or `email`).
    LinkSent {
        channel: &'static str,
    },
    /// The link could not be sent (no gateway, gateway down): the pass was printed instead.
    PassInstead(Box<IssuedPass>),
    PaperPass(Box<IssuedPass>),
}

#[derive(Debug)]
pub struct Enrolled {
    pub resident: Resident,
    pub report: ReportOutcome,
    pub handed_over: HandedOver,
}

/// The key that makes a document unique among enrolments.
pub fn document_key(identity: &Identity) -> String {
    format!("{}:{}", identity.document_type.as_str(), identity.document_number.as_str())
}

fn channel_of(contact: &Contact) -> &'static str {
    match contact {
        Contact::Phone(_) => "sms",
        Contact::Email(_) => "email",
    }
}

/// The sign-in link for a secret.
pub fn link_url(state: &AppState, secret: &str) -> String {
    format!("{}/signin/link/{secret}", state.config.public_base_url.trim_end_matches('/'))
}

/// Enrols a person on the spot for `officer`, acting as `actor` in the
/// audit log (see the module docs).
pub async fn enrol(
    state: &AppState,
    officer: &StaffPrincipal,
    actor: AuditActor,
    request: EnrolmentRequest,
) -> Result<Enrolled, ApiError> {
    let EnrolmentRequest { contact, identity, declaration, handover } = request;
    declaration.validate()?;
    let visitor = identity.document_type != DocumentType::NationalId;
    if !visitor && matches!(contact, Contact::Email(_)) {
        return Err(ApiError::bad_input(
            "VISITOR_DOCUMENT_REQUIRED",
            "sign-in by e-mail is for visitors: give a phone number for a national ID",
        ));
    }
    let now = state.clock.now();
    let resident = Resident {
        id: ResidentId::from_uuid(new_uuid_v7(now)),
        holder: HolderId::from_bytes(random_bytes::<16>()?),
        contact: contact.clone(),
        kind: if visitor { AccountKind::Visitor } else { AccountKind::Resident },
        identity: Some(identity.clone()),
        created_at: now,
    };
    let link = match handover {
        Handover::Link => Some(format!("{LINK_PREFIX}{}", base64_url(&random_bytes::<24>()?))),
        Handover::PaperPass => None,
    };
    let key = document_key(&identity);
    let enrolment = Enrolment {
        resident: resident.id,
        document_key: key.clone(),
        staff_id: officer.id.clone(),
        report: None,
        handover: handover.as_str().into(),
        link_hash: link.as_deref().map(hash_token),
        link_expires_at: link.as_ref().map(|_| now.saturating_add(LINK_LIFETIME).unwrap_or(now)),
        enrolled_at: now,
    };
    let detail = format!(
        "by staff {}; {} ****{}; handover {}",
        officer.id,
        identity.document_type.as_str(),
        identity.document_number.last4(),
        handover.as_str()
    );
    let audit = AuditEntry::new(now, actor, AuditAction::ResidentEnrolled, &resident.id.to_string(), &detail);
    match state.store.create_enrolment(&resident, &enrolment, &audit).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => return Err(why_taken(state, &key, &identity, &contact).await),
        Err(e) => return Err(e.into()),
    }
    let report = health::declare(state, resident.id, None, declaration, ReportChannel::StaffAssisted).await?;
    state.store.set_enrolment_report(resident.id, report.report_id).await?;
    let handed_over = match link {
        Some(secret) => send_link(state, &resident, &secret).await?,
        None => HandedOver::PaperPass(Box::new(issue_pass(state, resident.id, PassRequest::Current).await?)),
    };
    Ok(Enrolled { resident, report, handed_over })
}

/// Why an enrolment lost: the document is enrolled (by a concurrent
/// officer, or earlier), the document is on an account the person made
/// themselves, or the contact already has an account.
async fn why_taken(state: &AppState, key: &str, identity: &Identity, contact: &Contact) -> ApiError {
    match state.store.enrolment_by_document(key).await {
        Ok(Some(_)) => ApiError::new(
            ErrorKind::Conflict,
            "DOCUMENT_ALREADY_ENROLLED",
            "this document is enrolled already: the person signs in with the link or pass they were given",
        ),
        Ok(None) => match state.store.resident_by_document(identity).await {
            Ok(Some(_)) => ApiError::new(
                ErrorKind::Conflict,
                "DOCUMENT_HAS_ACCOUNT",
                "this document is on an account already: the person signs in with the phone or e-mail they signed up with",
            ),
            Ok(None) => contact_taken(state, contact).await,
            Err(e) => e.into(),
        },
        Err(e) => e.into(),
    }
}

async fn contact_taken(state: &AppState, contact: &Contact) -> ApiError {
    match state.store.resident_by_contact(contact).await {
        Ok(Some(_)) => ApiError::new(
            ErrorKind::Conflict,
            "CONTACT_HAS_ACCOUNT",
            "this phone or e-mail has an account already: the person signs in with it",
        ),
        Ok(None) => ApiError::new(ErrorKind::Conflict, "ENROLMENT_CONFLICT", "enrolled at the same moment; look again"),
        Err(e) => e.into(),
    }
}

async fn send_link(state: &AppState, resident: &Resident, secret: &str) -> Result<HandedOver, ApiError> {
    let channel = channel_of(&resident.contact);
    let hours = LINK_LIFETIME.as_secs() / 3600;
    let body = format!(
        "Your healthcode account is ready. Sign in and see your health code here (one use, {hours} hours): {}",
        link_url(state, secret)
    );
    let message = Message { channel, recipient: resident.contact.as_str().to_string(), body, code: None };
    match state.sender.send(&message, state.clock.now()).await {
        Ok(()) => Ok(HandedOver::LinkSent { channel }),
        Err(e) => {
            // The error never holds the message, so the link is not logged.
            tracing::warn!(channel, error = %e, "an enrolment's sign-in link was not sent; printing the pass");
            Ok(HandedOver::PassInstead(Box::new(issue_pass(state, resident.id, PassRequest::Current).await?)))
        }
    }
}

fn base64_url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Uses a sign-in link: a resident session for the person it belongs to
/// (the secret is gone afterwards). Used, expired or wrong: 404 `LINK_INVALID`.
pub async fn sign_in_with_link(state: &AppState, secret: &str) -> Result<(ResidentId, String), ApiError> {
    let gone = || ApiError::new(ErrorKind::NotFound, "LINK_INVALID", "this sign-in link is used, expired or wrong");
    if !secret.starts_with(LINK_PREFIX) || secret.len() > 80 {
        return Err(gone());
    }
    let now = state.clock.now();
    let resident_id = state.store.take_enrolment_link(&hash_token(secret), now).await?.ok_or_else(gone)?;
    let resident = state.store.resident(resident_id).await?;
    let principal =
        Principal { role: Role::Resident, subject: resident.contact.as_str().to_string(), resident: Some(resident.id) };
    let token =
        session::issue(state.store.as_ref(), principal, SessionKind::Cookie, now, state.config.session_lifetime)
            .await?;
    Ok((resident.id, token))
}
