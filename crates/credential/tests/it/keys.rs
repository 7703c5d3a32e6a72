//! KeyRing: creation, permissions, reload, rotation and the trust list window.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use healthcode_credential::{KeyError, KeyRing, index_path, issue, verify};
use jiff::SignedDuration;

use crate::{ISSUER, now, sample_claims};

const LIFETIME: SignedDuration = SignedDuration::from_mins(10);

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn load_or_create_makes_a_private_key_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data").join("keys");
    let ring = KeyRing::load_or_create(&dir, now()).unwrap();
    let kid = ring.active().key_id();
    assert_eq!(ring.entries().len(), 1);
    assert_eq!(ring.entries()[0].kid, kid);
    assert_eq!(ring.entries()[0].created_at, now());
    assert_eq!(ring.entries()[0].retired_at, None);
    assert_eq!(ring.entries()[0].spki, ring.active().spki_der());

    assert_eq!(mode(&dir), 0o700);
    assert_eq!(mode(&index_path(&dir)), 0o600);
    let key_file = dir.join(format!("{}.p8", kid.to_hex()));
    assert_eq!(mode(&key_file), 0o600);
    let files: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(files.len(), 2, "no temporary files left behind: {files:?}");

    let again = KeyRing::load_or_create(&dir, now() + LIFETIME).unwrap();
    assert_eq!(again.active().key_id(), kid);
    assert_eq!(KeyRing::load(&dir).unwrap().entries(), ring.entries());
}

#[test]
fn rotation_keeps_old_key_trusted_until_its_codes_expire() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("keys");
    let mut ring = KeyRing::load_or_create(&dir, now()).unwrap();
    let old = ring.active().key_id();
    let old_code = issue(&sample_claims(now()), ring.active()).unwrap();

    let rotated_at = now() + SignedDuration::from_mins(1);
    let new = ring.rotate(&dir, rotated_at).unwrap();
    assert_ne!(new, old);
    assert_eq!(ring.active().key_id(), new);
    assert_eq!(ring.entries()[0].retired_at, Some(rotated_at));
    assert!(ring.get(&old).is_some());

    // Persisted: a reload sees the same state.
    let reloaded = KeyRing::load(&dir).unwrap();
    assert_eq!(reloaded.active().key_id(), new);
    assert_eq!(reloaded.entries(), ring.entries());

    let list = ring.trust_list(ISSUER, LIFETIME, rotated_at);
    assert_eq!(list.keys.len(), 2);
    let old_entry = list.find(&old).unwrap();
    assert_eq!(old_entry.not_after, Some(rotated_at + LIFETIME));
    assert_eq!(old_entry.not_before, now());
    assert_eq!(list.find(&new).unwrap().not_after, None);

    // Codes signed by the old key still verify during the window.
    let trust = list.prepare().unwrap();
    let verified = verify(&old_code, &trust, rotated_at).unwrap();
    assert_eq!(verified.key_id, old);
    let new_code = issue(&sample_claims(rotated_at), ring.active()).unwrap();
    assert_eq!(verify(&new_code, &trust, rotated_at).unwrap().key_id, new);

    let last_moment = rotated_at + LIFETIME - SignedDuration::from_secs(1);
    assert!(ring.trust_list(ISSUER, LIFETIME, last_moment).find(&old).is_some());
    let dropped = ring.trust_list(ISSUER, LIFETIME, rotated_at + LIFETIME);
    assert!(dropped.find(&old).is_none());
    assert_eq!(dropped.keys.len(), 1);
    let code = verify(&old_code, &dropped.prepare().unwrap(), rotated_at);
    assert_eq!(code.unwrap_err().code(), "CODE_KEY_UNKNOWN");
}

#[test]
fn stray_key_files_without_an_index_are_not_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("keys");
    KeyRing::load_or_create(&dir, now()).unwrap();
    fs::remove_file(index_path(&dir)).unwrap();
    assert!(matches!(KeyRing::load_or_create(&dir, now()), Err(KeyError::IndexMissing(_))));
}

#[test]
fn a_key_file_that_does_not_match_its_index_entry_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let ring_a = KeyRing::load_or_create(&a, now()).unwrap();
    let ring_b = KeyRing::load_or_create(&b, now()).unwrap();
    let file_a = a.join(format!("{}.p8", ring_a.active().key_id().to_hex()));
    let file_b = b.join(format!("{}.p8", ring_b.active().key_id().to_hex()));
    fs::copy(&file_b, &file_a).unwrap();
    assert!(matches!(KeyRing::load(&a), Err(KeyError::KeyIdMismatch { .. })));
    fs::write(index_path(&b), "{ not json").unwrap();
    assert!(matches!(KeyRing::load(&b), Err(KeyError::Index { .. })));
    assert!(matches!(KeyRing::load(&tmp.path().join("missing")), Err(KeyError::Io { .. })));
}
