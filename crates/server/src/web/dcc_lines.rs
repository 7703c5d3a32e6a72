//! An attached EU DCC as one line on the resident's code page.

use healthcode_store::DccAttachment;

use crate::state::AppState;
use crate::web::i18n::Lang;
use crate::web::view::DccShown;

/// `EU certificate (test, BE): accepted by rule … · counts until …`.
pub fn shown(state: &AppState, lang: Lang, a: &DccAttachment) -> DccShown {
    let tz = state.config.time_zone.clone();
    let local = |t: jiff::Timestamp| t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string();
    let kind = lang.t(&format!("dcc.kind.{}", a.kind.code()));
    let verdict = if a.accepted { lang.t("dcc.attached.accepted") } else { lang.t("dcc.attached.not_accepted") };
    let mut text =
        format!("{} ({kind}, {}): {verdict} · {} {}", lang.t("dcc.attached"), a.country, a.rule_id, a.rule_version);
    if let Some(why) = &a.refusal {
        text.push_str(&format!(" · {why}"));
    }
    if let (Some(from), Some(until)) = (a.valid_from, a.valid_until) {
        let window = lang.t("dcc.attached.window").replace("{from}", &local(from)).replace("{until}", &local(until));
        text.push_str(&format!(" · {window}"));
    }
    DccShown { accepted: a.accepted, text }
}
