//! What each staff and operator form checks before calling its service, so
//! every bad field is reported at once (the services stop at the first).
//! The service's own error still lands beside its field when its code names one.

use healthcode_domain::policy::CaseKind;
use healthcode_domain::{CheckpointKind, Colour, Contact, DistrictCode, RegionCode, Site, VenueCategory};

use crate::web::form_errors::FieldErrors;
use crate::web::i18n::Lang;
use crate::web::pages::{Fields, field};

/// Service error codes that belong to one field of these forms (and the sign-in forms).
pub const FIELD_OF_CODE: [(&str, &str); 10] = [
    ("RESIDENT_NOT_FOUND", "phone"),
    ("PHONE_INVALID", "phone"),
    ("EMAIL_INVALID", "phone"),
    ("APPEAL_MESSAGE_INVALID", "message"),
    ("REASON_CODE_INVALID", "reason_code"),
    ("BASIS_REQUIRED", "basis"),
    ("OTP_INVALID", "code"),
    ("OTP_EXPIRED", "code"),
    ("OTP_NOT_REQUESTED", "code"),
    ("OTP_TOO_MANY_ATTEMPTS", "code"),
];

fn contact(lang: Lang, e: &mut FieldErrors, name: &'static str, typed: &str) {
    if e.require(lang, name, typed) {
        e.check(lang, name, Contact::parse(typed));
    }
}

/// A scanning point's registration.
pub fn venue(lang: Lang, f: &Fields) -> FieldErrors {
    let mut e = FieldErrors::default();
    e.text(lang, "name", field(f, "name"), 1, 120);
    e.text(lang, "address", field(f, "address"), 1, 200);
    if e.require(lang, "province", field(f, "province")) {
        e.check(lang, "province", RegionCode::parse(field(f, "province")));
    }
    if e.require(lang, "district", field(f, "district")) {
        e.check(lang, "district", DistrictCode::parse(field(f, "district")));
    }
    e.text(lang, "commune", field(f, "commune"), 0, 80);
    e.check(lang, "category", VenueCategory::parse(field(f, "category")));
    if !field(f, "capacity").trim().is_empty() {
        e.number(lang, "capacity", field(f, "capacity"), 1..=1_000_000, ("CAPACITY_INVALID", "1 to 1000000"));
    }
    if !field(f, "max_stay_minutes").trim().is_empty() {
        let english = ("MAX_STAY_INVALID", "maximum stay must be 15 to 1440 minutes");
        e.number(lang, "max_stay_minutes", field(f, "max_stay_minutes"), 15..=1440, english);
    }
    e
}

/// An employer's application to resume work.
pub fn enterprise(lang: Lang, f: &Fields) -> FieldErrors {
    let mut e = FieldErrors::default();
    e.text(lang, "name", field(f, "name"), 1, 120);
    e.text(lang, "site_name", field(f, "site_name"), 1, 120);
    e.text(lang, "site_address", field(f, "site_address"), 1, 200);
    if e.require(lang, "site_district", field(f, "site_district")) {
        e.check(lang, "site_district", DistrictCode::parse(field(f, "site_district")));
    }
    for line in field(f, "more_sites").lines().filter(|l| !l.trim().is_empty()) {
        match line.split(';').map(str::trim).collect::<Vec<_>>().as_slice() {
            [name, address, district] => {
                e.check(lang, "more_sites", Site::parse(name, address, district));
            }
            _ => e.add(lang, "more_sites", "SITE_INVALID", "write each further site as: name; address; district"),
        }
    }
    let headcount = ("HEADCOUNT_INVALID", "the planned headcount must be 1 to 100000");
    e.number(lang, "planned_headcount", field(f, "planned_headcount"), 1..=100_000, headcount);
    e.text(lang, "measures", field(f, "measures"), 10, 2000);
    e
}

/// A case the authority records.
pub fn case(lang: Lang, f: &Fields) -> FieldErrors {
    let mut e = FieldErrors::default();
    contact(lang, &mut e, "phone", field(f, "phone"));
    e.check(lang, "kind", CaseKind::parse(field(f, "kind")));
    if e.require(lang, "onset_date", field(f, "onset_date")) {
        e.date(lang, "onset_date", field(f, "onset_date"));
    }
    if !field(f, "isolated_on").trim().is_empty() {
        e.date(lang, "isolated_on", field(f, "isolated_on"));
    }
    e
}

/// A manual override request.
pub fn override_request(lang: Lang, f: &Fields) -> FieldErrors {
    let mut e = FieldErrors::default();
    contact(lang, &mut e, "phone", field(f, "phone"));
    e.check(lang, "colour", field(f, "colour").parse::<Colour>());
    let code = field(f, "reason_code").trim();
    let code_ok = (2..=40).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if !code_ok {
        e.add(lang, "reason_code", "REASON_CODE_INVALID", "reason code: 2 to 40 of A-Z, 0-9 and _");
    }
    e.text(lang, "basis", field(f, "basis"), 10, 1000);
    e
}

/// A checkpoint the authority registers.
pub fn checkpoint(lang: Lang, f: &Fields) -> FieldErrors {
    let mut e = FieldErrors::default();
    e.text(lang, "name", field(f, "name"), 1, 120);
    e.check(lang, "kind", CheckpointKind::parse(field(f, "kind")));
    if e.require(lang, "district", field(f, "district")) {
        e.check(lang, "district", DistrictCode::parse(field(f, "district")));
    }
    e.text(lang, "location", field(f, "location"), 0, 200);
    if !field(f, "province").trim().is_empty() {
        e.check(lang, "province", healthcode_domain::RegionCode::parse(field(f, "province")));
    }
    e
}

/// A resident's appeal.
pub fn appeal(lang: Lang, f: &Fields) -> FieldErrors {
    let mut e = FieldErrors::default();
    e.text(lang, "message", field(f, "message"), 10, 2000);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn every_bad_field_is_named() {
        let f = fields(&[
            ("name", ""),
            ("address", "1 Main St"),
            ("province", "!"),
            ("district", "HN"),
            ("category", "zoo"),
        ]);
        let names: Vec<_> = venue(Lang::En, &f).fields().collect();
        assert_eq!(names, ["name", "province", "category"]);
        let f = fields(&[("phone", "12"), ("kind", "confirmed"), ("onset_date", "yesterday")]);
        let names: Vec<_> = case(Lang::En, &f).fields().collect();
        assert_eq!(names, ["phone", "onset_date"]);
        let f = fields(&[("phone", "+8613800000001"), ("colour", "red"), ("reason_code", "x"), ("basis", "short")]);
        let names: Vec<_> = override_request(Lang::En, &f).fields().collect();
        assert_eq!(names, ["reason_code", "basis"]);
    }

    #[test]
    fn a_good_form_has_no_errors() {
        let f = fields(&[
            ("name", "Acme"),
            ("site_name", "Main"),
            ("site_address", "1 Main St"),
            ("site_district", "330102"),
            ("more_sites", "Warehouse; 9 Canal Street; 330105"),
            ("planned_headcount", "40"),
            ("measures", "masks and distancing"),
        ]);
        assert!(enterprise(Lang::En, &f).is_empty());
        let f = fields(&[("name", "QL1A"), ("kind", "city_entry"), ("district", "HN-THANH-TRI"), ("location", "")]);
        assert!(checkpoint(Lang::En, &f).is_empty());
    }
}
