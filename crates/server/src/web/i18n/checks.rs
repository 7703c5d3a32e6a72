//! The catalogue's tests: every key has all three languages, every text
//! parses, the languages of a key use the same placeholders and only their
//! own plural categories, every key the code asks for exists (with the
//! arguments its message takes), and every key is used.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::message::{self, Part, VariantKey};
use super::{Lang, messages};

type Catalogue = BTreeMap<&'static str, &'static [&'static str; 3]>;

fn catalogue() -> Catalogue {
    messages().map(|(k, texts)| (*k, texts)).collect()
}

/// Problems of the catalogue itself.
fn catalogue_problems(entries: &[(&str, [&str; 3])]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for (key, texts) in entries {
        if !seen.insert(*key) {
            problems.push(format!("{key}: duplicate key"));
        }
        let mut names: Option<BTreeSet<&str>> = None;
        for lang in Lang::ALL {
            let text = texts[lang as usize];
            if text.trim().is_empty() {
                problems.push(format!("{key}: no {} text", lang.key()));
                continue;
            }
            let parts = match message::parse(text) {
                Ok(p) => p,
                Err(e) => {
                    problems.push(format!("{key} ({}): {e}", lang.key()));
                    continue;
                }
            };
            plural_problems(key, lang, &parts, &mut problems);
            let here: BTreeSet<&str> = message::variables(&parts).into_iter().collect();
            match &names {
                None => names = Some(here),
                Some(first) if *first != here => {
                    problems.push(format!("{key}: {} uses placeholders {here:?}, English uses {first:?}", lang.key()))
                }
                Some(_) => {}
            }
        }
    }
    problems
}

/// A selector offers only the categories its language has (Chinese and
/// Vietnamese: none but `other`, so no selector at all) and defaults to `other`.
fn plural_problems(key: &str, lang: Lang, parts: &[Part<'_>], problems: &mut Vec<String>) {
    for p in parts {
        let Part::Select { variants, .. } = p else { continue };
        if lang != Lang::En && variants.iter().all(|v| matches!(v.key, VariantKey::Category(_))) {
            problems.push(format!("{key} ({}): a plural selector in a language without plural forms", lang.key()));
        }
        for v in variants {
            match v.key {
                VariantKey::Category(c) if !message::categories(lang).contains(&c) => problems
                    .push(format!("{key} ({}): plural category `{c}` does not exist in this language", lang.key())),
                VariantKey::Category(c) if v.default && c != "other" => {
                    problems.push(format!("{key} ({}): the default variant must be `other`", lang.key()))
                }
                _ => {}
            }
        }
    }
}

/// A call the code makes: `t("key")`, `t_opt("key")`, `tf("key", &[("name", …)])`
/// or `tf_around("key", "name", &[…])`.
#[derive(Debug)]
struct Call {
    place: String,
    key: String,
    /// `None` for `t`/`t_opt`; the argument names for `tf`/`tf_around`.
    args: Option<BTreeSet<String>>,
}

const METHODS: [&str; 4] = ["t(\"", "t_opt(\"", "tf(\"", "tf_around(\""];

fn calls(place: &str, text: &str) -> Vec<Call> {
    let mut out = Vec::new();
    for method in METHODS {
        for (i, _) in text.match_indices(method) {
            let before = text[..i].chars().next_back();
            // `alert("`, `get("`, `t_opt(` seen as `t(`…: only `.t(` counts.
            if before != Some('.') {
                continue;
            }
            let rest = &text[i + method.len()..];
            let Some(end) = rest.find('"') else { continue };
            let key = &rest[..end];
            if !key.contains('.') || key.contains('{') {
                continue;
            }
            let args = method.starts_with("tf").then(|| {
                let call = call_text(&text[i + method.len() - 2..]);
                let mut names = arg_names(call);
                if method.starts_with("tf_around") {
                    // The second string literal names the wrapped placeholder.
                    if let Some(name) = call[end + 3..].split('"').nth(1) {
                        names.insert(name.to_string());
                    }
                }
                names
            });
            out.push(Call { place: place.to_string(), key: key.to_string(), args });
        }
    }
    out
}

/// The text of a call from its `(` to the matching `)`.
fn call_text(from_paren: &str) -> &str {
    let mut depth = 0usize;
    for (i, c) in from_paren.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &from_paren[..=i];
                }
            }
            _ => {}
        }
    }
    from_paren
}

/// Argument names in `&[("name", &v), ("other", &w)]`.
fn arg_names(call: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for (i, _) in call.match_indices("(\"") {
        let rest = &call[i + 2..];
        if let Some(end) = rest.find('"')
            && rest[end + 1..].trim_start().starts_with(',')
            && !rest[..end].contains('.')
        {
            names.insert(rest[..end].to_string());
        }
    }
    names
}

fn call_problems(catalogue: &Catalogue, calls: &[Call]) -> Vec<String> {
    let mut problems = Vec::new();
    for c in calls {
        let Some(texts) = catalogue.get(c.key.as_str()) else {
            problems.push(format!("{}: key {} is not in the catalogue", c.place, c.key));
            continue;
        };
        let wanted: BTreeSet<String> = message::parse(texts[0])
            .map(|p| message::variables(&p).into_iter().map(str::to_string).collect())
            .unwrap_or_default();
        match &c.args {
            None if !wanted.is_empty() => {
                problems.push(format!("{}: {} takes arguments {wanted:?}: call it with tf(…)", c.place, c.key))
            }
            Some(_) if wanted.is_empty() => {
                problems.push(format!("{}: {} takes no argument: call it with t(…)", c.place, c.key))
            }
            Some(given) if *given != wanted => {
                problems.push(format!("{}: {} is given {given:?} but uses {wanted:?}", c.place, c.key))
            }
            _ => {}
        }
    }
    problems
}

/// Keys nothing refers to: no source file names them in quotes and no key
/// built at run time (`format!("colour.{}", …)`) can reach them.
fn unused_keys(catalogue: &Catalogue, sources: &[(String, String)]) -> Vec<String> {
    let mut prefixes = Vec::new();
    for (_, text) in sources {
        for (i, _) in text.match_indices("format!(\"") {
            let rest = &text[i + 9..];
            let prefix: String =
                rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '_').collect();
            if prefix.contains('.') && rest[prefix.len()..].starts_with('{') {
                prefixes.push(prefix);
            }
        }
    }
    catalogue
        .keys()
        .filter(|key| {
            let quoted = format!("\"{key}\"");
            !sources.iter().any(|(_, text)| text.contains(&quoted))
                && !prefixes.iter().any(|p| key.starts_with(p.as_str()))
        })
        .map(|k| k.to_string())
        .collect()
}

/// Templates and Rust sources of the server, except the catalogue tables.
fn sources() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["templates", "src", "static"] {
        walk(&root.join(dir), &mut files);
    }
    let tables = root.join("src/web/i18n");
    files
        .into_iter()
        .filter(|p| !p.starts_with(&tables) || p.ends_with("message.rs"))
        .filter(|p| p.extension().is_some_and(|e| e == "html" || e == "rs" || e == "js"))
        .filter_map(|p| {
            let text = std::fs::read_to_string(&p).ok()?;
            Some((p.strip_prefix(root).unwrap_or(&p).display().to_string(), text))
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn all_calls(sources: &[(String, String)]) -> Vec<Call> {
    sources.iter().flat_map(|(place, text)| calls(place, text)).collect()
}

#[test]
fn every_key_has_three_languages_and_keys_are_unique() {
    let entries: Vec<(&str, [&str; 3])> = messages().cloned().collect();
    let problems = catalogue_problems(&entries);
    assert!(problems.is_empty(), "catalogue problems: {problems:#?}");
}

/// Every literal key a template or a handler asks for exists, with the
/// arguments its message takes. Keys built at run time (`format!`) are
/// covered by the e2e sweep, which fails on any `??`.
#[test]
fn every_literal_key_in_templates_and_pages_exists() {
    let sources = sources();
    let calls = all_calls(&sources);
    assert!(calls.len() > 300, "only {} keys found: is the pattern still right?", calls.len());
    assert!(calls.iter().filter(|c| c.args.is_some()).count() >= 10, "the tf(…) calls are not found");
    let problems = call_problems(&catalogue(), &calls);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn every_key_is_used() {
    let unused = unused_keys(&catalogue(), &sources());
    assert!(unused.is_empty(), "keys nothing uses (delete them, or use them): {unused:#?}");
}

// The checks above can fail: planted mistakes are reported.

#[test]
fn a_planted_missing_key_is_reported() {
    let planted = calls("planted.html", r#"<p>{{ page.lang.t("quarantine.no_such_key") }}</p>"#);
    let problems = call_problems(&catalogue(), &planted);
    assert_eq!(problems, ["planted.html: key quarantine.no_such_key is not in the catalogue"]);
}

#[test]
fn planted_argument_mistakes_are_reported() {
    let mut cat = Catalogue::new();
    cat.insert("p.progress", &["Day {$streak} of {$days}", "第{$streak}天，共{$days}天", "Ngày {$streak}/{$days}"]);
    cat.insert("p.plain", &["Plain", "普通", "Thường"]);
    let fine = calls("fine.rs", r#"lang.tf("p.progress", &[("streak", &1), ("days", &q.days)]); lang.t("p.plain")"#);
    assert_eq!(call_problems(&cat, &fine), Vec::<String>::new());
    let planted = calls(
        "planted.rs",
        r#"lang.t("p.progress"); lang.tf("p.progress", &[("streak", &1)]); lang.tf("p.plain", &[("x", &1)])"#,
    );
    let problems = call_problems(&cat, &planted);
    assert_eq!(problems.len(), 3, "{problems:#?}");
}

#[test]
fn planted_catalogue_mistakes_are_reported() {
    let planted = [
        ("a.missing_language", ["Hello", "你好", ""]),
        ("a.placeholder_in_one", ["Day {$n}", "第{$n}天", "Ngày"]),
        ("a.plural_in_chinese", ["{$n -> [one] a day *[other] days}", "{$n -> [one] 天 *[other] 天}", "{$n} ngày"]),
        ("a.bad_syntax", ["{$n", "{$n}", "{$n}"]),
        ("a.missing_language", ["Hello", "你好", "Xin chào"]),
    ];
    let problems = catalogue_problems(&planted);
    assert_eq!(problems.len(), 6, "{problems:#?}");
}

#[test]
fn a_planted_unused_key_is_reported() {
    let mut cat = catalogue();
    cat.insert("planted.unused", &["a", "b", "c"]);
    let sources = vec![("x.rs".to_string(), r#"lang.t(&format!("colour.{}", c))"#.to_string())];
    let unused = unused_keys(&cat, &sources);
    assert!(unused.contains(&"planted.unused".to_string()));
    assert!(!unused.iter().any(|k| k.starts_with("colour.")), "dynamic keys count as used");
}
