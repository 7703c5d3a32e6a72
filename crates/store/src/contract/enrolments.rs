//! On-site enrolments: one per document (a second is a `Conflict` and
//! writes nothing, not even the person), the first declaration named
//! afterwards, the sign-in link used once, and copies kept idempotent.

use healthcode_domain::{DocumentNumber, DocumentType, Identity, ReportId, ResidentId};

use crate::{AuditAction, AuditActor, AuditEntry, Enrolment, Store, StoreError};

use super::{identity, resident, t};

fn enrolment(r: ResidentId, key: &str) -> Enrolment {
    Enrolment {
        resident: r,
        document_key: key.into(),
        staff_id: "0190f000-0000-7000-8000-000000000001".into(),
        report: None,
        handover: "link".into(),
        link_hash: Some([r.as_uuid().as_bytes()[0]; 32]),
        link_expires_at: Some(t(100)),
        enrolled_at: t(1),
    }
}

pub async fn enrolments_are_one_per_document_and_links_are_used_once(store: &impl Store) {
    let audit = |subject: ResidentId| {
        AuditEntry::new(t(1), AuditActor::Operator, AuditAction::ResidentEnrolled, &subject.to_string(), "")
    };
    let mut visitor = resident(41);
    visitor.identity = Some(identity());
    let first = enrolment(visitor.id, "passport:E1234567");
    let before = store.last_audit().await.unwrap().map_or(0, |e| e.seq);
    store.create_enrolment(&visitor, &first, &audit(visitor.id)).await.unwrap();
    assert_eq!(store.resident(visitor.id).await.unwrap(), visitor);
    assert_eq!(store.enrolment(visitor.id).await.unwrap(), Some(first.clone()));
    assert_eq!(store.enrolment_by_document("passport:E1234567").await.unwrap(), Some(first.clone()));
    let after = store.last_audit().await.unwrap().unwrap();
    assert_eq!((after.seq, after.action.as_str()), (before + 1, "resident.enrolled_on_site"));

    // A document on an account already is found, whether enrolled or given on the person's own
    // profile, and enrolling it again under any key writes nothing.
    assert_eq!(store.resident_by_document(&identity()).await.unwrap(), Some(visitor.id));
    let mut self_made = resident(45);
    self_made.identity = Some(Identity {
        document_type: DocumentType::Passport,
        document_number: DocumentNumber::parse("P4455667").unwrap(),
        ..identity()
    });
    store.create_resident(&self_made).await.unwrap();
    let passport = self_made.identity.clone().unwrap();
    assert_eq!(store.resident_by_document(&passport).await.unwrap(), Some(self_made.id));
    let national = Identity { document_type: DocumentType::NationalId, ..passport.clone() };
    assert_eq!(store.resident_by_document(&national).await.unwrap(), None, "the type is part of the document");
    for (n, held) in [(46, passport), (47, identity())] {
        let mut again = resident(n);
        again.identity = Some(held);
        let e = enrolment(again.id, &format!("key-{n}"));
        assert!(matches!(store.create_enrolment(&again, &e, &audit(again.id)).await, Err(StoreError::Conflict(_))));
        assert!(matches!(store.resident(again.id).await, Err(StoreError::NotFound)));
    }

    // The same document again (another person, another contact): nothing is written.
    let twin = resident(42);
    let again = enrolment(twin.id, "passport:E1234567");
    assert!(matches!(store.create_enrolment(&twin, &again, &audit(twin.id)).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.resident(twin.id).await, Err(StoreError::NotFound)));
    assert_eq!(store.last_audit().await.unwrap().unwrap().seq, before + 1);
    // The same contact with another document: the contact's account exists.
    let mut same_contact = resident(43);
    same_contact.contact = visitor.contact.clone();
    let other_doc = enrolment(same_contact.id, "passport:X9");
    assert!(matches!(
        store.create_enrolment(&same_contact, &other_doc, &audit(same_contact.id)).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.enrolment_by_document("passport:X9").await.unwrap(), None);

    let report = ReportId::from_uuid(uuid::Uuid::from_u128(77));
    store.set_enrolment_report(visitor.id, report).await.unwrap();
    assert_eq!(store.enrolment(visitor.id).await.unwrap().unwrap().report, Some(report));
    assert!(matches!(store.set_enrolment_report(twin.id, report).await, Err(StoreError::NotFound)));

    // The link: refused when expired, used once.
    let hash = first.link_hash.unwrap();
    assert_eq!(store.take_enrolment_link(&hash, t(100)).await.unwrap(), None);
    assert_eq!(store.take_enrolment_link(&hash, t(99)).await.unwrap(), Some(visitor.id));
    assert_eq!(store.take_enrolment_link(&hash, t(99)).await.unwrap(), None);
    let used = store.enrolment(visitor.id).await.unwrap().unwrap();
    assert_eq!((used.link_hash, used.link_expires_at), (None, None));

    // Copies: everything is listed, and importing it again changes nothing.
    let listed = store.enrolments().await.unwrap();
    assert_eq!(listed, vec![used.clone()]);
    store.import_enrolments(&listed).await.unwrap();
    assert_eq!(store.enrolments().await.unwrap(), listed);
}
