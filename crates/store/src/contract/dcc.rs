//! Contract cases: attached EU DCCs.

use super::{all, someone, t};
use crate::{DccAttachment, Store, StoreResult};
use healthcode_domain::dcc_rules::DccKind;
use std::future::Future;
use std::pin::Pin;

type Attaching<'a> = Pin<Box<dyn Future<Output = StoreResult<bool>> + Send + 'a>>;

fn attachment(who: &crate::Resident, hash: &str, accepted: bool, at: i64) -> DccAttachment {
    DccAttachment {
        resident: who.id,
        certificate_hash: hash.into(),
        kind: if accepted { DccKind::Test } else { DccKind::Vaccination },
        country: "BE".into(),
        rule_id: if accepted { "DCC_T_NEGATIVE_RECENT" } else { "DCC_V_FULL_COURSE" }.into(),
        rule_version: "dcc-2026.1".into(),
        accepted,
        refusal: (!accepted).then(|| "the course is not complete (dose 1 of 2)".into()),
        valid_from: accepted.then(|| t(at - 60)),
        valid_until: accepted.then(|| t(at + 3600)),
        expires_at: t(at + 86_400),
        attached_at: t(at),
    }
}

pub async fn dcc_attachments_are_kept_once_per_certificate_newest_first(store: &dyn Store) {
    let who = someone(store, 130).await;
    let other = someone(store, 131).await;
    assert!(store.dcc_attachments_of(who.id).await.unwrap().is_empty());

    // The same certificate attached at once by two requests: one row.
    let first = attachment(&who, "aa01", true, 10);
    let attaching = (0..2).map(|_| Box::pin(store.attach_dcc(&first)) as Attaching<'_>).collect::<Vec<_>>();
    let mut written: Vec<bool> = all(attaching).await.into_iter().map(|r| r.unwrap()).collect();
    written.sort_unstable();
    assert_eq!(written, vec![false, true]);
    // Again later, with another verdict: the first is kept.
    assert!(!store.attach_dcc(&attachment(&who, "aa01", false, 20)).await.unwrap());

    let second = attachment(&who, "bb02", false, 30);
    assert!(store.attach_dcc(&second).await.unwrap());
    // Another resident may hold a certificate with the same hash (their own row).
    assert!(store.attach_dcc(&attachment(&other, "aa01", true, 40)).await.unwrap());

    assert_eq!(store.dcc_attachments_of(who.id).await.unwrap(), vec![second, first]);
    assert_eq!(store.dcc_attachments_of(other.id).await.unwrap().len(), 1);
}
