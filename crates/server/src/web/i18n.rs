//! The three deployment languages and the page text catalogue. Every key has
//! English, Simplified Chinese and Vietnamese text (a test checks it).

use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, COOKIE};

use crate::auth::session::cookie_value;

pub const LANG_COOKIE: &str = "hc_lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
    Vi,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::Zh, Lang::Vi];

    /// The short key used in policy files and cookies: `en`, `zh`, `vi`.
    pub fn key(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
            Lang::Vi => "vi",
        }
    }

    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-Hans",
            Lang::Vi => "vi",
        }
    }

    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Zh => "简体中文",
            Lang::Vi => "Tiếng Việt",
        }
    }

    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.trim().to_ascii_lowercase();
        let primary = s.split(['-', '_']).next().unwrap_or("");
        match primary {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            "vi" => Some(Lang::Vi),
            _ => None,
        }
    }

    /// The first supported language of an `Accept-Language` header, by q-value.
    pub fn from_accept_language(header: &str) -> Option<Lang> {
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("");
            let q = it.find_map(|p| p.trim().strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            if let Some(lang) = Lang::parse(tag)
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l)
    }

    /// Chosen language: `?lang=` (passed in), then the cookie, then the header.
    pub fn negotiate(query: Option<&str>, headers: &HeaderMap) -> Lang {
        if let Some(l) = query.and_then(Lang::parse) {
            return l;
        }
        let cookie = headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|h| cookie_value(h, LANG_COOKIE).and_then(Lang::parse));
        if let Some(l) = cookie {
            return l;
        }
        headers
            .get(ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .and_then(Lang::from_accept_language)
            .unwrap_or_default()
    }

    /// Page text for a key; unknown keys show `??` (and fail the tests that look for it).
    pub fn t(self, key: &str) -> &'static str {
        self.t_opt(key).unwrap_or("??")
    }

    /// Page text for a key the catalogue may not have (the caller has a fallback).
    pub fn t_opt(self, key: &str) -> Option<&'static str> {
        messages().find(|(k, _)| *k == key).map(|(_, texts)| texts[self as usize])
    }
}

mod checkpoint_control;
mod dcc;
mod enterprises;
mod general;
mod governance;
mod pages;
mod places;
mod single_sign_on;
mod staff;
mod statistics;

/// The catalogue, one table per area: key -> [English, 简体中文, Tiếng Việt].
const CATALOGUE: &[&[(&str, [&str; 3])]] = &[
    general::MESSAGES,
    governance::MESSAGES,
    statistics::MESSAGES,
    enterprises::MESSAGES,
    pages::MESSAGES,
    staff::MESSAGES,
    dcc::MESSAGES,
    checkpoint_control::MESSAGES,
    places::MESSAGES,
    single_sign_on::MESSAGES,
];

/// Every catalogue entry.
pub fn messages() -> impl Iterator<Item = &'static (&'static str, [&'static str; 3])> {
    CATALOGUE.iter().flat_map(|table| table.iter())
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts
            .uri
            .query()
            .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "lang").map(|(_, v)| v.into_owned()));
        Ok(Lang::negotiate(query.as_deref(), &parts.headers))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_three_languages_and_keys_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for (key, texts) in messages() {
            assert!(seen.insert(*key), "duplicate key {key}");
            for (i, t) in texts.iter().enumerate() {
                assert!(!t.is_empty() || key.ends_with("_suffix"), "{key} lacks language {i}");
            }
        }
    }

    /// Every literal key a template or a page handler asks for (`t("…")`) is
    /// in the catalogue, so no page shows `??` for it. Keys built at run time
    /// (`format!`) are covered by the e2e sweep, which fails on any `??`.
    #[test]
    fn every_literal_key_in_templates_and_pages_exists() {
        let known: std::collections::HashSet<&str> = messages().map(|(k, _)| *k).collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["templates", "src/web", "src/web/i18n", "src/api"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "html" || e == "rs") {
                    files.push(path);
                }
            }
        }
        let mut missing = Vec::new();
        let mut checked = 0;
        for path in &files {
            let text = std::fs::read_to_string(path).unwrap();
            for (i, _) in text.match_indices("t(\"") {
                let before = text[..i].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // e.g. `alert("`, `get("`
                }
                let rest = &text[i + 3..];
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                if key.contains('{') || !key.contains('.') {
                    continue;
                }
                checked += 1;
                if !known.contains(key) {
                    missing.push(format!("{}: {key}", path.display()));
                }
            }
        }
        assert!(checked > 300, "only {checked} keys found: is the pattern still right?");
        assert!(missing.is_empty(), "keys missing from the catalogue: {missing:#?}");
    }

    #[test]
    fn accept_language_uses_q_values() {
        assert_eq!(Lang::from_accept_language("fr-FR, vi;q=0.8, zh-CN;q=0.9"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept_language("vi-VN"), Some(Lang::Vi));
        assert_eq!(Lang::from_accept_language("de"), None);
    }
}
