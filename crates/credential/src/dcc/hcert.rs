//! The CWT payload of a DCC and the schema-level checks of its `hcert`
//! claim (-260 → 1 → the EU DCC JSON schema, version 1.x, as CBOR).

use ciborium::Value;
use healthcode_domain::dcc_rules::DccFacts;
use jiff::Timestamp;
use jiff::civil::Date;

use super::{DccError, DccHolder};

pub(super) struct Claims {
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub facts: DccFacts,
    pub holder: DccHolder,
    pub certificate_id: String,
    pub country: String,
}

fn schema(reason: impl Into<String>) -> DccError {
    DccError::SchemaInvalid(reason.into())
}

fn int_key(map: &[(Value, Value)], key: i128) -> Option<&Value> {
    map.iter().find(|(k, _)| k.as_integer().map(i128::from) == Some(key)).map(|(_, v)| v)
}

fn text_key<'a>(map: &'a [(Value, Value)], key: &str) -> Option<&'a Value> {
    map.iter().find(|(k, _)| k.as_text() == Some(key)).map(|(_, v)| v)
}

fn seconds(v: Option<&Value>, name: &str) -> Result<Timestamp, DccError> {
    let secs = match v {
        Some(Value::Integer(i)) => i64::try_from(*i).ok(),
        Some(Value::Float(f)) if f.is_finite() && f.abs() < 1e15 => Some(f.trunc() as i64),
        _ => None,
    }
    .ok_or_else(|| schema(format!("CWT claim {name} is missing or not a number")))?;
    Timestamp::from_second(secs).map_err(|_| schema(format!("CWT claim {name} is out of range")))
}

/// A required text field of at most `max` characters, not blank.
fn text<'a>(map: &'a [(Value, Value)], key: &str, max: usize) -> Result<&'a str, DccError> {
    let value = text_key(map, key)
        .and_then(Value::as_text)
        .ok_or_else(|| schema(format!("field {key} is missing or not text")))?;
    if value.trim().is_empty() || value.chars().count() > max {
        return Err(schema(format!("field {key} is empty or longer than {max} characters")));
    }
    Ok(value)
}

fn small_int(map: &[(Value, Value)], key: &str) -> Result<u32, DccError> {
    text_key(map, key)
        .and_then(Value::as_integer)
        .and_then(|i| u32::try_from(i).ok())
        .filter(|n| (1..=9).contains(n))
        .ok_or_else(|| schema(format!("field {key} is missing or not an integer from 1 to 9")))
}

fn date(map: &[(Value, Value)], key: &str) -> Result<Date, DccError> {
    let value = text(map, key, 32)?;
    // Dates are ISO 8601 dates; some issuers send a full date-time.
    let day = value.get(..10).unwrap_or(value);
    day.parse().map_err(|_| schema(format!("field {key} is not a date")))
}

fn country(map: &[(Value, Value)]) -> Result<String, DccError> {
    let co = text(map, "co", 2)?;
    if co.len() != 2 || !co.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(schema("field co is not a two-letter country code"));
    }
    Ok(co.to_owned())
}

pub(super) fn parse(payload: &[u8]) -> Result<Claims, DccError> {
    let Ok(Value::Map(cwt)) = ciborium::from_reader::<Value, _>(payload) else {
        return Err(schema("the payload is not a CWT claims map"));
    };
    let issued_at = seconds(int_key(&cwt, 6), "iat")?;
    let expires_at = seconds(int_key(&cwt, 4), "exp")?;
    if expires_at <= issued_at {
        return Err(schema("exp is not after iat"));
    }
    let Some(Value::Map(hcert)) = int_key(&cwt, -260) else { return Err(schema("the hcert claim (-260) is missing")) };
    let Some(Value::Map(dgc)) = int_key(hcert, 1) else {
        return Err(schema("the hcert claim holds no certificate (1)"));
    };
    let version = text(dgc, "ver", 16)?;
    let mut parts = version.split('.');
    if parts.next() != Some("1") || parts.clone().count() != 2 || !parts.all(|p| p.parse::<u32>().is_ok()) {
        return Err(schema(format!("schema version {version:?} is not 1.x.y")));
    }
    let Some(Value::Map(name)) = text_key(dgc, "nam") else { return Err(schema("field nam is missing")) };
    let family = text(name, "fnt", 80)?;
    if !family.bytes().all(|b| b.is_ascii_uppercase() || b == b'<') {
        return Err(schema("field nam.fnt is not in ICAO 9303 letters"));
    }
    let given = text_key(name, "gnt").and_then(Value::as_text).map(str::to_owned);
    let date_of_birth =
        text_key(dgc, "dob").and_then(Value::as_text).ok_or_else(|| schema("field dob is missing"))?.to_owned();
    let groups: Vec<(&str, &Vec<Value>)> = ["v", "t", "r"]
        .into_iter()
        .filter_map(|k| match text_key(dgc, k) {
            Some(Value::Array(a)) => Some((k, a)),
            _ => None,
        })
        .collect();
    let [(kind, entries)] = groups.as_slice() else {
        return Err(schema("the certificate must hold exactly one of v, t, r"));
    };
    let [Value::Map(entry)] = entries.as_slice() else {
        return Err(schema(format!("{kind} must hold exactly one entry")));
    };
    let disease = text(entry, "tg", 16)?.to_owned();
    let facts = match *kind {
        "v" => {
            text(entry, "vp", 64)?;
            text(entry, "mp", 64)?;
            text(entry, "ma", 64)?;
            DccFacts::Vaccination {
                disease,
                dose: small_int(entry, "dn")?,
                series: small_int(entry, "sd")?,
                date: date(entry, "dt")?,
            }
        }
        "t" => {
            let sampled = text(entry, "sc", 40)?;
            let sampled_at = sampled.parse::<Timestamp>().map_err(|_| schema("field sc is not a date-time"))?;
            text(entry, "tc", 80).ok();
            DccFacts::Test {
                disease,
                test_type: text(entry, "tt", 32)?.to_owned(),
                sampled_at,
                result: text(entry, "tr", 32)?.to_owned(),
            }
        }
        _ => DccFacts::Recovery {
            disease,
            first_positive: date(entry, "fr")?,
            valid_from: date(entry, "df")?,
            valid_until: date(entry, "du")?,
        },
    };
    text(entry, "is", 80)?;
    let certificate_id = text(entry, "ci", 80)?.to_owned();
    Ok(Claims {
        issued_at,
        expires_at,
        facts,
        holder: DccHolder { family: family.to_owned(), given, date_of_birth },
        certificate_id,
        country: country(entry)?,
    })
}
