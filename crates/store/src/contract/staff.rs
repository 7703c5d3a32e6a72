//! Staff accounts: unique logins without case, whole-account updates under
//! a version, and the change's audit entries and sessions in its transaction.

use healthcode_domain::{Role, StaffLogin, StaffRoles, StaffScope, StaffState};
use jiff::Timestamp;

use crate::{
    AuditAction, AuditActor, AuditEntry, Principal, SessionKind, SessionRecord, StaffAccount, StaffChange, Store,
    StoreError,
};

fn t(s: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + s).unwrap()
}

fn account(login: &str, id: u128) -> StaffAccount {
    StaffAccount {
        id: uuid::Uuid::from_u128(id),
        login: StaffLogin::parse(login).unwrap(),
        display_name: "Olga".into(),
        roles: StaffRoles::parse("officer").unwrap(),
        scope: StaffScope::parse("district:330102").unwrap(),
        state: StaffState::Invited,
        password_hash: None,
        totp_sealed: None,
        totp_last_step: None,
        failed_attempts: 0,
        invite_hash: Some([id as u8; 32]),
        invite_expires_at: Some(t(100)),
        created_at: t(0),
        updated_at: t(0),
        version: 0,
    }
}

pub async fn staff_accounts_are_unique_versioned_and_end_their_sessions(store: &impl Store) {
    let audit = |a: AuditAction, subject: &str| AuditEntry::new(t(1), AuditActor::Operator, a, subject, "");
    let olga = account("olga", 1);
    store.create_staff(&olga, &audit(AuditAction::StaffCreated, "1")).await.unwrap();
    let again = account("OLGA", 2);
    assert!(matches!(
        store.create_staff(&again, &audit(AuditAction::StaffCreated, "2")).await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(store.staff(olga.id).await.unwrap(), olga);
    assert_eq!(store.staff_by_login("Olga").await.unwrap(), Some(olga.clone()));
    assert_eq!(store.staff_by_invite(&[1; 32]).await.unwrap(), Some(olga.clone()));
    assert!(matches!(store.staff(uuid::Uuid::from_u128(9)).await, Err(StoreError::NotFound)));

    // A good sign-in writes the account, a session and an entry together.
    let mut active = olga.clone();
    active.state = StaffState::Active;
    active.password_hash = Some("$argon2id$…".into());
    active.totp_sealed = Some(vec![7; 20]);
    active.totp_last_step = Some(42);
    active.invite_hash = None;
    active.invite_expires_at = None;
    let session = SessionRecord {
        token_hash: [3; 32],
        kind: SessionKind::Staff,
        principal: Principal { role: Role::Officer, subject: olga.subject(), resident: None },
        created_at: t(2),
        expires_at: t(1000),
        scope: None,
    };
    let entries = [audit(AuditAction::StaffSignedIn, "1")];
    store
        .update_staff(&active, StaffChange { audit: &entries, new_session: Some(&session), ..Default::default() })
        .await
        .unwrap();
    let stored = store.staff(olga.id).await.unwrap();
    assert_eq!(stored.version, 1);
    assert_eq!(StaffAccount { version: 0, ..stored.clone() }, active);
    assert_eq!(store.session(&[3; 32], t(3)).await.unwrap(), Some(session));

    // A write from a stale read conflicts and writes nothing, not even its entry.
    let tail = store.last_audit().await.unwrap().unwrap().seq;
    let mut stale = active.clone();
    stale.state = StaffState::Disabled;
    let entries = [audit(AuditAction::StaffDisabled, "1")];
    let change = StaffChange { audit: &entries, end_sessions: true, ..Default::default() };
    assert!(matches!(store.update_staff(&stale, change).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.last_audit().await.unwrap().unwrap().seq, tail);
    assert!(store.session(&[3; 32], t(3)).await.unwrap().is_some());

    // From the current version it disables and ends the sessions.
    stale.version = 1;
    store.update_staff(&stale, change).await.unwrap();
    assert_eq!(store.staff(olga.id).await.unwrap().state, StaffState::Disabled);
    assert_eq!(store.session(&[3; 32], t(3)).await.unwrap(), None);
    assert_eq!(store.last_audit().await.unwrap().unwrap().action, "staff.disabled");
    assert_eq!(store.staff_accounts().await.unwrap().len(), 1);
}

/// `store copy`: accounts go in whole (version, secrets and state kept), and
/// a second copy keeps what is there.
pub async fn staff_accounts_copy_as_they_are(store: &impl Store) {
    let mut olga = account("olga", 1);
    olga.state = StaffState::Active;
    olga.totp_sealed = Some(vec![9; 48]);
    olga.version = 7;
    let ivan = account("ivan", 2);
    store.import_staff_accounts(&[olga.clone(), ivan.clone()]).await.unwrap();
    assert_eq!(store.staff(olga.id).await.unwrap(), olga);
    let changed = StaffAccount { display_name: "Other".into(), ..olga.clone() };
    store.import_staff_accounts(&[changed]).await.unwrap();
    assert_eq!(store.staff_accounts().await.unwrap(), vec![ivan, olga]);
}
