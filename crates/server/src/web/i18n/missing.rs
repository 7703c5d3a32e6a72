//! What happens when the catalogue lacks something at run time: one warning
//! per key and language, and (in release) the key shown instead of `??`.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::Lang;

/// Keys already reported, with the text a release build shows for them.
/// Bounded: keys come from the code, not from requests.
static SEEN: Mutex<BTreeMap<(String, &'static str), &'static str>> = Mutex::new(BTreeMap::new());

/// Past this many distinct keys, stop remembering (and stop logging).
const LIMIT: usize = 1000;

/// Log a catalogue gap once per key and language.
pub fn log_once(key: &str, lang: Lang, what: &str, detail: &str) {
    let Ok(mut seen) = SEEN.lock() else { return };
    if seen.len() >= LIMIT || seen.contains_key(&(key.to_string(), lang.key())) {
        return;
    }
    seen.insert((key.to_string(), lang.key()), "");
    tracing::warn!(key, lang = lang.key(), detail, "i18n: {what}");
}

/// The text a release build shows for a key the catalogue lacks: the key
/// itself, kept for the life of the process (once per key, bounded).
pub fn shown_key(key: &str) -> &'static str {
    let Ok(mut seen) = SEEN.lock() else { return "" };
    let slot = (key.to_string(), "*");
    if let Some(shown) = seen.get(&slot) {
        return shown;
    }
    if seen.len() >= LIMIT {
        return "";
    }
    let shown: &'static str = Box::leak(key.to_string().into_boxed_str());
    seen.insert(slot, shown);
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_key_is_shown_as_itself_and_kept_once() {
        let a = shown_key("nowhere.planted");
        let b = shown_key("nowhere.planted");
        assert_eq!(a, "nowhere.planted");
        assert!(std::ptr::eq(a, b), "the key is leaked once, not per call");
    }

    #[test]
    fn a_missing_language_falls_back_to_english() {
        let texts: &'static [&'static str; 3] = &["Hello", "", "Xin chào"];
        assert_eq!(super::super::in_language(Lang::Zh, "test.hello", texts), "Hello");
        assert_eq!(super::super::in_language(Lang::Vi, "test.hello", texts), "Xin chào");
    }
}
