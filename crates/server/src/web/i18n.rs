//! The three deployment languages and the page text catalogue. Every key has
//! English, Simplified Chinese and Vietnamese text. A text is plain, or a
//! message with `{$name}` placeholders and plural variants (`message`);
//! `checks` tests the catalogue against the code.

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

    /// Page text for a plain key. A key missing a language falls back to
    /// English; a key missing altogether shows `??` in debug builds (the e2e
    /// sweep fails on it) and the key itself in release. Either is logged
    /// once. The catalogue tests keep both from happening.
    pub fn t(self, key: &str) -> &'static str {
        match text(self, key) {
            Some(t) => t,
            None if cfg!(debug_assertions) => "??",
            None => missing::shown_key(key),
        }
    }

    /// Page text for a key the catalogue may not have (the caller has a fallback).
    pub fn t_opt(self, key: &str) -> Option<&'static str> {
        let texts = lookup(key)?;
        Some(in_language(self, key, texts))
    }

    /// A message with named arguments and plural rules (see `message`):
    /// `lang.tf("quarantine.progress", &[("streak", &3), ("days", &14)])`.
    pub fn tf(self, key: &str, args: &message::Args<'_>) -> String {
        let Some(text) = text(self, key) else {
            return self.t(key).to_string();
        };
        match message::parse(text) {
            Ok(parts) => message::format(self, &parts, args),
            Err(e) => {
                missing::log_once(key, self, "message does not parse", &e.to_string());
                text.to_string()
            }
        }
    }

    /// A message split around one placeholder, for a template that wraps the
    /// value in markup (`<time>`, a live counter): `(before, after)`.
    pub fn tf_around(self, key: &str, name: &str, args: &message::Args<'_>) -> (String, String) {
        const MARK: &str = "\u{1}";
        let mut all: Vec<(&str, &dyn message::MessageArg)> = args.to_vec();
        all.push((name, &MARK));
        let text = self.tf(key, &all);
        match text.split_once(MARK) {
            Some((before, after)) => (before.to_string(), after.to_string()),
            None => (text, String::new()),
        }
    }
}

/// The text of a key in a language, English when that language lacks it.
fn text(lang: Lang, key: &str) -> Option<&'static str> {
    match lookup(key) {
        Some(texts) => Some(in_language(lang, key, texts)),
        None => {
            missing::log_once(key, lang, "key missing from the catalogue", "");
            None
        }
    }
}

fn in_language(lang: Lang, key: &str, texts: &'static [&'static str; 3]) -> &'static str {
    let t = texts[lang as usize];
    if t.is_empty() {
        missing::log_once(key, lang, "key missing a language, English shown", "");
        texts[0]
    } else {
        t
    }
}

fn lookup(key: &str) -> Option<&'static [&'static str; 3]> {
    messages().find(|(k, _)| *k == key).map(|(_, texts)| texts)
}

mod checkpoint_control;
#[cfg(test)]
mod checks;
mod console;
mod dcc;
mod enterprises;
mod general;
mod governance;
mod lab;
pub mod message;
mod missing;
mod pages;
mod places;
mod sentences;
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
    sentences::MESSAGES,
    lab::MESSAGES,
    single_sign_on::MESSAGES,
    console::MESSAGES,
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
    fn accept_language_uses_q_values() {
        assert_eq!(Lang::from_accept_language("fr-FR, vi;q=0.8, zh-CN;q=0.9"), Some(Lang::Zh));
        assert_eq!(Lang::from_accept_language("vi-VN"), Some(Lang::Vi));
        assert_eq!(Lang::from_accept_language("de"), None);
    }
}
