//! Staff lists that sort, filter and page on the server: the query
//! parameters (`sort`, `dir`, `page`, `per` and each list's filters) checked
//! at once, a bad one answered with a 400 page (`LIST_PARAM_INVALID`) that
//! names it, and the links the table headers and the pager need.

use crate::error::ApiError;
use crate::state::AppState;
use crate::web::i18n::Lang;
use healthcode_store::ListQuery;

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

impl ListParams {
    /// Bounds the date range of a list whose table is too large to read
    /// whole: a missing `to` is `today`, a missing `from` `default_days`
    /// before `to` (both shown in the form), and a range of more than
    /// `max_days` days (both ends included) is refused.
    pub fn bound_days(&mut self, today: jiff::civil::Date, default_days: i16, max_days: i16) -> Result<(), ApiError> {
        let day = |text: &str, name: &str| text.parse::<jiff::civil::Date>().map_err(|_| invalid(name));
        let to = match self.filter("to") {
            "" => today,
            text => day(text, "to")?,
        };
        let from = match self.filter("from") {
            "" => to.checked_sub(jiff::Span::new().days(default_days - 1)).map_err(|_| invalid("from"))?,
            text => day(text, "from")?,
        };
        if from > to {
            return Err(invalid("to"));
        }
        let longest = jiff::Span::new().days(max_days - 1);
        if from.checked_add(longest).is_ok_and(|last| to > last) {
            return Err(invalid("date range (at most a month)"));
        }
        self.set_filter("from", from.to_string());
        self.set_filter("to", to.to_string());
        Ok(())
    }

    /// The store's query for this page: `state` and `kind` as given (the
    /// spec checked them), `district` read as a code (a name, `Name (code)`
    /// or a code), `from` and `to` as days in the deployment's time zone
    /// (both included); `sorts` maps the spec's sort keys to the store's.
    pub fn query<S: Copy + Default>(
        &mut self,
        state: &AppState,
        sorts: &[(&str, S)],
    ) -> Result<ListQuery<S>, ApiError> {
        let district = district_code(state, self)?;
        let day = |name: &str| -> Result<Option<jiff::civil::Date>, ApiError> {
            let text = self.filter(name);
            if text.is_empty() {
                return Ok(None);
            }
            text.parse().map(Some).map_err(|_| invalid(name))
        };
        let (from, to) = (day("from")?, day("to")?);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(invalid("to"));
        }
        let start = |d: jiff::civil::Date| -> Result<jiff::Timestamp, ApiError> {
            d.to_zoned(state.config.time_zone.clone()).map(|z| z.timestamp()).map_err(|_| invalid("from"))
        };
        let nonempty = |name: &str| Some(self.filter(name).to_string()).filter(|v| !v.is_empty());
        Ok(ListQuery {
            state: nonempty("state"),
            kind: nonempty("kind"),
            district,
            from: from.map(start).transpose()?,
            to: to.map(|d| d.tomorrow().map_err(|_| invalid("to")).and_then(start)).transpose()?,
            places: Vec::new(),
            direction: None,
            sort: sorts.iter().find(|(k, _)| *k == self.sort).map(|(_, s)| *s).unwrap_or_default(),
            descending: self.descending,
            limit: self.per,
            offset: self.offset(),
        })
    }
}

/// A district filter as typed or picked (a name, `Name (code)` or a code)
/// read as its code; the list's links then carry the code.
pub fn district_code(state: &AppState, list: &mut ListParams) -> Result<Option<String>, ApiError> {
    let typed = list.filter("district").to_string();
    if typed.is_empty() {
        return Ok(None);
    }
    let code = state.config.regions.code_of(&typed);
    healthcode_domain::DistrictCode::parse(&code).map_err(|_| {
        ApiError::bad_input("LIST_PARAM_INVALID", "the list cannot be shown with this district: pick one from the list")
    })?;
    list.set_filter("district", code.clone());
    Ok(Some(code))
}

/// The district filter's choices: (code, name), in the catalogue's order.
pub fn district_choices(state: &AppState, lang: Lang) -> Vec<(String, String)> {
    state
        .config
        .regions
        .at_level(crate::regions::Level::District)
        .map(|p| (p.code.clone(), p.name(lang).to_string()))
        .collect()
}

/// A district's name in `lang` ("—" for none).
pub fn district_name(state: &AppState, lang: Lang, code: Option<&str>) -> String {
    code.map_or_else(|| "—".to_string(), |c| state.config.regions.name(c, lang).to_string())
}

/// A list's page as a template shows it: the parameters, the pager, and
/// its filter form (`list.html`'s `filters`): the list's own choices, then
/// the district and the date range when the list has them.
#[derive(Debug, Clone)]
pub struct Listing {
    pub list: ListParams,
    pub pager: Pager,
    pub selects: Vec<FilterSelect>,
    /// The district filter's choices (empty: the list has no district filter).
    pub districts: Vec<(String, String)>,
    /// The list has a date range (`from`, `to`).
    pub dates: bool,
}

/// A filter chosen from a list ("any", then `options`: value and name).
#[derive(Debug, Clone)]
pub struct FilterSelect {
    pub name: &'static str,
    pub label: String,
    pub options: Vec<(String, String)>,
}

impl Listing {
    pub fn new(state: &AppState, lang: Lang, list: ListParams, shown: usize, total: u64) -> Self {
        let has = |name: &str| list.filters.iter().any(|(n, _)| *n == name);
        Listing {
            pager: Pager::new(lang, &list, shown, total),
            selects: Vec::new(),
            districts: if has("district") { district_choices(state, lang) } else { Vec::new() },
            dates: has("from"),
            list,
        }
    }

    /// Adds a filter chosen from `options` (value, name) to the form.
    pub fn select<V: Into<String>, N: Into<String>>(
        mut self,
        name: &'static str,
        label: &str,
        options: impl IntoIterator<Item = (V, N)>,
    ) -> Self {
        let options = options.into_iter().map(|(v, n)| (v.into(), n.into())).collect();
        self.selects.push(FilterSelect { name, label: label.to_string(), options });
        self
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

    #[test]
    fn a_bounded_list_defaults_to_a_week_and_refuses_more_than_a_month() {
        const DATED: ListSpec = ListSpec { sorts: &["at"], descending: true, filters: &[("from", &[]), ("to", &[])] };
        let today: jiff::civil::Date = "2026-12-06".parse().unwrap();
        let bounded = |pairs: &[(&str, &str)]| {
            let mut p = ListParams::parse("/x", &q(pairs), &DATED).unwrap();
            p.bound_days(today, 7, 31).map(|()| (p.filter("from").to_string(), p.filter("to").to_string()))
        };
        assert_eq!(bounded(&[]).unwrap(), ("2026-11-30".into(), "2026-12-06".into()), "the last seven days");
        assert_eq!(bounded(&[("to", "2026-11-10")]).unwrap(), ("2026-11-04".into(), "2026-11-10".into()));
        assert_eq!(bounded(&[("from", "2026-11-06")]).unwrap(), ("2026-11-06".into(), "2026-12-06".into()), "31 days");
        for bad in [&[("from", "2026-11-05")][..], &[("from", "2026-12-07")], &[("to", "x")], &[("from", "2025-01-01")]]
        {
            assert_eq!(bounded(bad).unwrap_err().code, "LIST_PARAM_INVALID", "{bad:?}");
        }
        let p = ListParams::parse("/x", &q(&[]), &DATED).map(|mut p| {
            p.bound_days(today, 7, 31).unwrap();
            p.here()
        });
        assert_eq!(p.unwrap(), "/x?from=2026-11-30&to=2026-12-06&sort=at&dir=desc", "links keep the range");
    }
}
