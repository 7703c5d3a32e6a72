//! Messages with named arguments and plural rules: a small subset of
//! Project Fluent's syntax, enough for page sentences.
//!
//! A catalogue text is plain text with placeholders `{$name}` and, where a
//! language inflects for a number, one selector
//! `{$name -> [one] … *[other] …}`: variants are keyed by a CLDR plural
//! category (`zero`, `one`, `two`, `few`, `many`, `other`) or an exact
//! integer (`[0]`), the starred one is the default, and a variant may hold
//! placeholders. English has `one`/`other`; Chinese and Vietnamese have only
//! `other`, so their texts have no selector. A `{` not followed by `$` is
//! plain text.

use std::borrow::Cow;

use super::Lang;

/// One piece of a parsed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part<'a> {
    Text(&'a str),
    Var(&'a str),
    Select { var: &'a str, variants: Vec<Variant<'a>> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant<'a> {
    pub key: VariantKey<'a>,
    pub default: bool,
    pub parts: Vec<Part<'a>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariantKey<'a> {
    Category(&'a str),
    Exact(i64),
}

/// A message that does not parse; the catalogue test reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad message syntax at byte {at}: {what}")]
pub struct SyntaxError {
    pub at: usize,
    pub what: &'static str,
}

pub const CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// Parse a catalogue text.
pub fn parse(text: &str) -> Result<Vec<Part<'_>>, SyntaxError> {
    let mut parser = Parser { text, pos: 0 };
    let parts = parser.parts(false)?;
    Ok(parts)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.pos..]
    }

    fn err(&self, what: &'static str) -> SyntaxError {
        SyntaxError { at: self.pos, what }
    }

    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn name(&mut self) -> Result<&'a str, SyntaxError> {
        let rest = self.rest();
        let len = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
        if len == 0 {
            return Err(self.err("expected a name"));
        }
        self.pos += len;
        Ok(&rest[..len])
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.pos += token.len();
            true
        } else {
            false
        }
    }

    /// Text and placeholders up to the end (or, inside a variant, up to the
    /// next `[`, `*[` or the closing `}` of the selector).
    fn parts(&mut self, in_variant: bool) -> Result<Vec<Part<'a>>, SyntaxError> {
        let mut parts = Vec::new();
        let mut start = self.pos;
        while self.pos < self.text.len() {
            let rest = self.rest();
            if in_variant && (rest.starts_with('[') || rest.starts_with("*[") || rest.starts_with('}')) {
                break;
            }
            if rest.starts_with("{$") {
                if start < self.pos {
                    parts.push(Part::Text(&self.text[start..self.pos]));
                }
                self.pos += 2;
                parts.push(self.placeable()?);
                start = self.pos;
                continue;
            }
            self.pos += rest.chars().next().map_or(1, char::len_utf8);
        }
        if start < self.pos {
            parts.push(Part::Text(&self.text[start..self.pos]));
        }
        Ok(parts)
    }

    /// After `{$`: `name}` or `name -> variants}`.
    fn placeable(&mut self) -> Result<Part<'a>, SyntaxError> {
        let var = self.name()?;
        self.skip_ws();
        if self.eat("}") {
            return Ok(Part::Var(var));
        }
        if !self.eat("->") {
            return Err(self.err("expected `}` or `->`"));
        }
        let mut variants = Vec::new();
        loop {
            self.skip_ws();
            if self.eat("}") {
                break;
            }
            let default = self.eat("*");
            if !self.eat("[") {
                return Err(self.err("expected a variant `[key]`"));
            }
            let key = self.variant_key()?;
            if !self.eat("]") {
                return Err(self.err("expected `]`"));
            }
            // One space after the key separates it from the text.
            self.eat(" ");
            let parts = trim_end(self.parts(true)?);
            if parts.iter().any(|p| matches!(p, Part::Select { .. })) {
                return Err(self.err("a selector inside a variant"));
            }
            variants.push(Variant { key, default, parts });
        }
        if variants.iter().filter(|v| v.default).count() != 1 {
            return Err(self.err("a selector needs exactly one default variant `*[…]`"));
        }
        Ok(Part::Select { var, variants })
    }

    fn variant_key(&mut self) -> Result<VariantKey<'a>, SyntaxError> {
        let name = self.name()?;
        if let Ok(n) = name.parse::<i64>() {
            return Ok(VariantKey::Exact(n));
        }
        match CATEGORIES.iter().find(|c| **c == name) {
            Some(c) => Ok(VariantKey::Category(c)),
            None => Err(self.err("a variant key is a plural category or an integer")),
        }
    }
}

/// A variant's text ends where the next variant starts; the whitespace before
/// that belongs to the layout, not to the text.
fn trim_end(mut parts: Vec<Part<'_>>) -> Vec<Part<'_>> {
    if let Some(Part::Text(t)) = parts.last_mut() {
        *t = t.trim_end();
        if t.is_empty() {
            parts.pop();
        }
    }
    parts
}

/// The names a message uses, each once, in order of appearance.
pub fn variables<'a>(parts: &[Part<'a>]) -> Vec<&'a str> {
    let mut out = Vec::new();
    collect(parts, &mut out);
    out
}

fn collect<'a>(parts: &[Part<'a>], out: &mut Vec<&'a str>) {
    for p in parts {
        match p {
            Part::Text(_) => {}
            Part::Var(v) => push_once(out, v),
            Part::Select { var, variants } => {
                push_once(out, var);
                for v in variants {
                    collect(&v.parts, out);
                }
            }
        }
    }
}

fn push_once<'a>(out: &mut Vec<&'a str>, v: &'a str) {
    if !out.contains(&v) {
        out.push(v);
    }
}

/// The CLDR plural category of an integer in a language.
pub fn plural_category(lang: Lang, n: i64) -> &'static str {
    match lang {
        Lang::En if n == 1 => "one",
        Lang::En | Lang::Zh | Lang::Vi => "other",
    }
}

/// The categories a language has (for the catalogue test).
pub fn categories(lang: Lang) -> &'static [&'static str] {
    match lang {
        Lang::En => &["one", "other"],
        Lang::Zh | Lang::Vi => &["other"],
    }
}

/// A value passed to a message: a number (which selects a plural variant)
/// or text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgValue<'a> {
    Int(i64),
    Text(Cow<'a, str>),
}

/// Anything a template or handler passes as a message argument.
pub trait MessageArg {
    fn arg_value(&self) -> ArgValue<'_>;
}

macro_rules! int_arg {
    ($($t:ty),*) => {$(
        impl MessageArg for $t {
            fn arg_value(&self) -> ArgValue<'_> {
                ArgValue::Int(i64::try_from(*self).unwrap_or(i64::MAX))
            }
        }
    )*};
}
int_arg!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl MessageArg for str {
    fn arg_value(&self) -> ArgValue<'_> {
        ArgValue::Text(Cow::Borrowed(self))
    }
}

impl MessageArg for String {
    fn arg_value(&self) -> ArgValue<'_> {
        ArgValue::Text(Cow::Borrowed(self.as_str()))
    }
}

impl<T: MessageArg + ?Sized> MessageArg for &T {
    fn arg_value(&self) -> ArgValue<'_> {
        (**self).arg_value()
    }
}

/// Named arguments, as a template writes them: `&[("days", &n)]`.
pub type Args<'a> = [(&'a str, &'a dyn MessageArg)];

/// Fill a parsed message. An argument the caller did not pass shows as
/// `{$name}` (the source scan test checks the names each call passes).
pub fn format(lang: Lang, parts: &[Part<'_>], args: &Args<'_>) -> String {
    let mut out = String::new();
    write_parts(lang, parts, args, &mut out);
    out
}

fn write_parts(lang: Lang, parts: &[Part<'_>], args: &Args<'_>, out: &mut String) {
    for p in parts {
        match p {
            Part::Text(t) => out.push_str(t),
            Part::Var(name) => match lookup(args, name) {
                Some(ArgValue::Int(n)) => out.push_str(&n.to_string()),
                Some(ArgValue::Text(t)) => out.push_str(&t),
                None => {
                    out.push_str("{$");
                    out.push_str(name);
                    out.push('}');
                }
            },
            Part::Select { var, variants } => {
                let chosen = match lookup(args, var) {
                    Some(ArgValue::Int(n)) => variants.iter().find(|v| v.key == VariantKey::Exact(n)).or_else(|| {
                        let cat = plural_category(lang, n);
                        variants.iter().find(|v| v.key == VariantKey::Category(cat))
                    }),
                    _ => None,
                };
                if let Some(v) = chosen.or_else(|| variants.iter().find(|v| v.default)) {
                    write_parts(lang, &v.parts, args, out);
                }
            }
        }
    }
}

fn lookup<'a>(args: &'a Args<'a>, name: &str) -> Option<ArgValue<'a>> {
    args.iter().find(|(n, _)| *n == name).map(|(_, v)| v.arg_value())
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAYS: &str = "Day {$streak} of {$days -> [one] {$days} day *[other] {$days} days}";

    fn fill(lang: Lang, text: &str, args: &Args<'_>) -> String {
        format(lang, &parse(text).unwrap(), args)
    }

    #[test]
    fn english_picks_one_or_other() {
        assert_eq!(fill(Lang::En, DAYS, &[("streak", &1), ("days", &1)]), "Day 1 of 1 day");
        assert_eq!(fill(Lang::En, DAYS, &[("streak", &3), ("days", &14)]), "Day 3 of 14 days");
        assert_eq!(fill(Lang::En, DAYS, &[("streak", &0), ("days", &0)]), "Day 0 of 0 days");
    }

    #[test]
    fn chinese_and_vietnamese_have_only_other() {
        assert_eq!(plural_category(Lang::Zh, 1), "other");
        assert_eq!(plural_category(Lang::Vi, 1), "other");
        let t = "{$n -> [one] one *[other] many}";
        assert_eq!(fill(Lang::Vi, t, &[("n", &1)]), "many");
    }

    #[test]
    fn exact_number_wins_over_category() {
        let t = "{$n -> [0] none [one] one item *[other] {$n} items}";
        assert_eq!(fill(Lang::En, t, &[("n", &0)]), "none");
        assert_eq!(fill(Lang::En, t, &[("n", &1)]), "one item");
        assert_eq!(fill(Lang::En, t, &[("n", &5usize)]), "5 items");
    }

    #[test]
    fn text_arguments_and_multiline_selectors() {
        let t = "Signed in as {$name}, {$n ->\n    [one] one alarm\n   *[other] {$n} alarms\n}.";
        assert_eq!(fill(Lang::En, t, &[("name", &"Lan"), ("n", &2)]), "Signed in as Lan, 2 alarms.");
        let owned = String::from("Minh");
        assert_eq!(fill(Lang::En, t, &[("name", &owned), ("n", &1)]), "Signed in as Minh, one alarm.");
    }

    #[test]
    fn variables_lists_each_name_once() {
        assert_eq!(variables(&parse(DAYS).unwrap()), ["streak", "days"]);
        assert_eq!(variables(&parse("{ plain } text").unwrap()), Vec::<&str>::new());
    }

    #[test]
    fn a_missing_argument_stays_visible() {
        assert_eq!(fill(Lang::En, "Hello {$name}", &[]), "Hello {$name}");
    }

    #[test]
    fn bad_syntax_is_an_error() {
        for bad in [
            "{$}",
            "{$n",
            "{$n -> [one] a [other] b}",
            "{$n -> [lots] a *[other] b}",
            "{$n -> *[other] {$m -> *[other] x}}",
        ] {
            assert!(parse(bad).is_err(), "{bad} parsed");
        }
    }
}
