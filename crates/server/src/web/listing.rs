//! Staff lists that sort, filter and page on the server: the query
//! parameters (`sort`, `dir`, `page`, `per` and each list's filters) checked
//! at once, a bad one answered with a 400 page (`LIST_PARAM_INVALID`) that
//! names it, and the links the table headers and the pager need.

use crate::error::ApiError;
use crate::web::i18n::Lang;

/// Rows per page unless `per` says otherwise.
pub const DEFAULT_PER_PAGE: u32 = 25;
/// The most rows a page shows.
pub const MAX_PER_PAGE: u32 = 200;
/// The highest page number accepted (a typo, not a real list).
const MAX_PAGE: u64 = 1_000_000;

/// What a list offers: its sort keys (the first is the default) and the
/// default direction, and its filters with the values each accepts (an
/// empty list: any text the handler checks itself).
pub struct ListSpec {
    pub sorts: &'static [&'static str],
    pub descending: bool,
    pub filters: &'static [(&'static str, &'static [&'static str])],
}

/// A list's checked parameters.
#[derive(Debug, Clone)]
pub struct ListParams {
    pub path: String,
    pub sort: &'static str,
    pub descending: bool,
    /// 1-based.
    pub page: u64,
    pub per: u32,
    /// Each filter with its value ("" for none), in the spec's order.
    pub filters: Vec<(&'static str, String)>,
    /// Parameters carried on every link (a drill-down's `venue`).
    pub keep: Vec<(&'static str, String)>,
}

fn invalid(name: &str) -> ApiError {
    ApiError::bad_input(
        "LIST_PARAM_INVALID",
        format!("the list cannot be shown with this {name}: check the address or start again from the menu"),
    )
}

impl ListParams {
    /// Reads `query` against `spec`; unknown parameters (such as `lang`) are
    /// left alone, a known one with a bad value is refused.
    pub fn parse(path: &str, query: &[(String, String)], spec: &ListSpec) -> Result<Self, ApiError> {
        let mut p = ListParams {
            path: path.to_string(),
            sort: spec.sorts[0],
            descending: spec.descending,
            page: 1,
            per: DEFAULT_PER_PAGE,
            filters: spec.filters.iter().map(|(name, _)| (*name, String::new())).collect(),
            keep: Vec::new(),
        };
        for (name, value) in query {
            let value = value.trim();
            match name.as_str() {
                "sort" => p.sort = spec.sorts.iter().copied().find(|s| *s == value).ok_or_else(|| invalid("sort"))?,
                "dir" => {
                    p.descending = match value {
                        "asc" => false,
                        "desc" => true,
                        _ => return Err(invalid("dir")),
                    }
                }
                "page" => {
                    p.page = value.parse().ok().filter(|n| (1..=MAX_PAGE).contains(n)).ok_or_else(|| invalid("page"))?
                }
                "per" => {
                    p.per =
                        value.parse().ok().filter(|n| (1..=MAX_PER_PAGE).contains(n)).ok_or_else(|| invalid("per"))?
                }
                other => {
                    if let Some((name, allowed)) = spec.filters.iter().find(|(n, _)| *n == other) {
                        if !value.is_empty() && !allowed.is_empty() && !allowed.contains(&value) {
                            return Err(invalid(name));
                        }
                        if let Some(slot) = p.filters.iter_mut().find(|(n, _)| n == name) {
                            slot.1 = value.to_string();
                        }
                    }
                }
            }
        }
        Ok(p)
    }

    /// A filter's value ("" when not set).
    pub fn filter(&self, name: &str) -> &str {
        self.filters.iter().find(|(n, _)| *n == name).map_or("", |(_, v)| v.as_str())
    }

    /// Replaces a filter's value (a district name read as its code).
    pub fn set_filter(&mut self, name: &str, value: String) {
        if let Some(slot) = self.filters.iter_mut().find(|(n, _)| *n == name) {
            slot.1 = value;
        }
    }

    pub fn offset(&self) -> u64 {
        (self.page - 1).saturating_mul(u64::from(self.per))
    }

    fn href(&self, sort: &str, descending: bool, page: u64) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.keep {
            q.append_pair(name, value);
        }
        for (name, value) in &self.filters {
            if !value.is_empty() {
                q.append_pair(name, value);
            }
        }
        q.append_pair("sort", sort);
        q.append_pair("dir", if descending { "desc" } else { "asc" });
        if page > 1 {
            q.append_pair("page", &page.to_string());
        }
        if self.per != DEFAULT_PER_PAGE {
            q.append_pair("per", &self.per.to_string());
        }
        format!("{}?{}", self.path, q.finish())
    }

    /// This page again (after an action, or for a form's hidden fields).
    pub fn here(&self) -> String {
        self.href(self.sort, self.descending, self.page)
    }

    /// A column header's link: sorted by `key`, the other way round when it
    /// already is; the first page.
    pub fn sort_href(&self, key: &str) -> String {
        let descending = if self.sort == key { !self.descending } else { self.descending };
        self.href(key, descending, 1)
    }

    /// `aria-sort` for a column header ("none" when not sorted by it).
    pub fn aria_sort(&self, key: &str) -> &'static str {
        match (self.sort == key, self.descending) {
            (false, _) => "none",
            (true, true) => "descending",
            (true, false) => "ascending",
        }
    }

    /// The arrow shown after the sorted column's title.
    pub fn arrow(&self, key: &str) -> &'static str {
        match (self.sort == key, self.descending) {
            (false, _) => "",
            (true, true) => " ↓",
            (true, false) => " ↑",
        }
    }
}

/// The pager under a list: where the rows are, and the neighbours.
#[derive(Debug, Clone)]
pub struct Pager {
    /// "Rows 26–50 of 3,112" (or "No rows").
    pub text: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub first: Option<String>,
}

impl Pager {
    pub fn new(lang: Lang, p: &ListParams, shown: usize, total: u64) -> Self {
        let from = p.offset() + 1;
        let to = p.offset() + shown as u64;
        let text = if shown == 0 {
            lang.tf("list.none", &[("total", &total)])
        } else {
            lang.tf("list.rows", &[("from", &from), ("to", &to), ("total", &total)])
        };
        Pager {
            text,
            prev: (p.page > 1).then(|| p.href(p.sort, p.descending, p.page - 1)),
            next: (to < total).then(|| p.href(p.sort, p.descending, p.page + 1)),
            first: (p.page > 2).then(|| p.href(p.sort, p.descending, 1)),
        }
    }
}

/// The error page for a list: a refused parameter is a 400 (the address is
/// malformed, not a form to correct); anything else as its error says.
pub fn error_page(lang: Lang, path: &str, e: &ApiError) -> axum::response::Response {
    let mut page = crate::web::pages::error_page(lang, path, false, e);
    if e.code == "LIST_PARAM_INVALID" {
        *page.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: ListSpec =
        ListSpec { sorts: &["recorded", "onset"], descending: true, filters: &[("status", &["traced", "applied"])] };

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn parameters_are_checked_and_links_keep_them() {
        let p = ListParams::parse(
            "/x",
            &q(&[("sort", "onset"), ("dir", "asc"), ("page", "3"), ("status", "applied"), ("lang", "vi")]),
            &SPEC,
        )
        .unwrap();
        assert_eq!((p.sort, p.descending, p.page, p.offset()), ("onset", false, 3, 50));
        assert_eq!(p.sort_href("onset"), "/x?status=applied&sort=onset&dir=desc");
        assert_eq!(p.aria_sort("onset"), "ascending");
        let pager = Pager::new(Lang::En, &p, 25, 80);
        assert_eq!(pager.prev.as_deref(), Some("/x?status=applied&sort=onset&dir=asc&page=2"));
        assert_eq!(pager.next.as_deref(), Some("/x?status=applied&sort=onset&dir=asc&page=4"));
        for bad in [("sort", "id; DROP"), ("dir", "up"), ("page", "0"), ("page", "x"), ("per", "5000"), ("status", "x")]
        {
            let e = ListParams::parse("/x", &q(&[bad]), &SPEC).unwrap_err();
            assert_eq!(e.code, "LIST_PARAM_INVALID", "{bad:?}");
        }
    }
}
