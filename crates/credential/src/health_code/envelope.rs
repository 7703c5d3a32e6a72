//! The COSE_Sign1 envelope (RFC 9052 §4.2): parsing it, and building the
//! `Sig_structure` its ES256 signature covers.

use super::VerifyError;
use super::cbor::{self, MAJOR_NINT, MAJOR_TAG, MAJOR_UINT, Reader};

/// COSE tag for COSE_Sign1.
const TAG_SIGN1: u64 = 18;
/// Header labels and the ES256 algorithm id.
const LABEL_ALG: i128 = 1;
const LABEL_KID: i128 = 4;
const ALG_ES256: i128 = -7;

/// A parsed COSE_Sign1 whose protected header says ES256 and names a key.
/// Every field borrows from the decoded bytes.
#[derive(Debug)]
pub(crate) struct Sign1<'a> {
    pub protected: &'a [u8],
    pub payload: &'a [u8],
    pub signature: &'a [u8],
    pub kid: &'a [u8],
}

fn cose(reason: &'static str) -> VerifyError {
    VerifyError::CoseInvalid(reason)
}

/// Reads an integer map key, or skips a key of another type (`None`).
pub(crate) fn int_key(r: &mut Reader<'_>) -> Option<Option<i128>> {
    match r.peek_major()? {
        MAJOR_UINT | MAJOR_NINT => r.int().map(Some),
        _ => r.skip().map(|()| None),
    }
}

/// Parses a (tagged or untagged) COSE_Sign1. Bytes that are not exactly one
/// well-formed CBOR item give `CborInvalid`; other shapes give `CoseInvalid`.
pub(crate) fn parse(bytes: &[u8]) -> Result<Sign1<'_>, VerifyError> {
    if !cbor::is_well_formed(bytes) {
        return Err(VerifyError::CborInvalid);
    }
    let mut r = Reader::new(bytes);
    if r.peek_major() == Some(MAJOR_TAG) && r.tag() != Some(TAG_SIGN1) {
        return Err(cose("unexpected CBOR tag"));
    }
    if r.array() != Some(4) {
        return Err(cose("COSE_Sign1 must be an array of 4 elements"));
    }
    let protected = r.bytes().ok_or(cose("protected header is not a byte string"))?;
    let pairs = r.map().ok_or(cose("unprotected header is not a map"))?;
    let mut unprotected_kid = None;
    for _ in 0..pairs {
        let label = int_key(&mut r).ok_or(cose("unprotected header is malformed"))?;
        if label == Some(LABEL_KID) {
            unprotected_kid = Some(r.bytes().ok_or(cose("kid is not a byte string"))?);
        } else {
            r.skip().ok_or(cose("unprotected header is malformed"))?;
        }
    }
    let payload = r.bytes().ok_or(cose("payload is missing"))?;
    let signature = r.bytes().ok_or(cose("signature is not a byte string"))?;
    let (alg, protected_kid) = parse_protected(protected)?;
    if alg != Some(ALG_ES256) {
        return Err(cose("algorithm must be ES256 in the protected header"));
    }
    let kid = protected_kid.or(unprotected_kid).ok_or(cose("key id (kid) is missing"))?;
    Ok(Sign1 { protected, payload, signature, kid })
}

/// Reads `alg` and `kid` from the protected header (a serialized map, or
/// empty for an empty map).
fn parse_protected(protected: &[u8]) -> Result<(Option<i128>, Option<&[u8]>), VerifyError> {
    let (mut alg, mut kid) = (None, None);
    if protected.is_empty() {
        return Ok((alg, kid));
    }
    let malformed = cose("protected header is not a CBOR map");
    if !cbor::is_well_formed(protected) {
        return Err(malformed);
    }
    let mut r = Reader::new(protected);
    let pairs = r.map().ok_or(malformed.clone())?;
    for _ in 0..pairs {
        match int_key(&mut r).ok_or(malformed.clone())? {
            Some(LABEL_ALG) if alg.is_none() => alg = Some(r.int().ok_or(cose("alg must be an integer"))?),
            Some(LABEL_KID) if kid.is_none() => kid = Some(r.bytes().ok_or(cose("kid is not a byte string"))?),
            Some(LABEL_ALG | LABEL_KID) => return Err(cose("protected header repeats a label")),
            _ => r.skip().ok_or(malformed.clone())?,
        }
    }
    Ok((alg, kid))
}

/// `Sig_structure = ["Signature1", protected, external_aad = h'', payload]`, CBOR-encoded.
pub(crate) fn sig_structure(protected: &[u8], payload: &[u8]) -> Vec<u8> {
    const CONTEXT: &[u8] = b"Signature1";
    let mut out = Vec::with_capacity(24 + protected.len() + payload.len());
    out.push(0x84); // array(4)
    push_head(&mut out, 3, CONTEXT.len());
    out.extend_from_slice(CONTEXT);
    push_head(&mut out, 2, protected.len());
    out.extend_from_slice(protected);
    out.push(0x40); // empty external_aad
    push_head(&mut out, 2, payload.len());
    out.extend_from_slice(payload);
    out
}

/// Appends a CBOR head (major type and length) in its shortest form.
fn push_head(out: &mut Vec<u8>, major: u8, len: usize) {
    let m = major << 5;
    let len = len as u64;
    if len < 24 {
        out.push(m | len as u8);
    } else if len <= 0xff {
        out.extend_from_slice(&[m | 24, len as u8]);
    } else if len <= 0xffff {
        out.push(m | 25);
        out.extend_from_slice(&(len as u16).to_be_bytes());
    } else if len <= 0xffff_ffff {
        out.push(m | 26);
        out.extend_from_slice(&(len as u32).to_be_bytes());
    } else {
        out.push(m | 27);
        out.extend_from_slice(&len.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use coset::{CborSerializable as _, CoseSign1Builder, HeaderBuilder, iana};

    #[test]
    fn sig_structure_matches_coset() {
        for size in [0usize, 23, 24, 255, 256, 70_000] {
            let payload = vec![7u8; size];
            let protected = HeaderBuilder::new().algorithm(iana::Algorithm::ES256).key_id(vec![1; 8]).build();
            let sign1 = CoseSign1Builder::new().protected(protected).payload(payload.clone()).build();
            let expected = sign1.tbs_data(b"");
            let protected_bytes = sign1.protected.header.clone().to_vec().unwrap();
            assert_eq!(sig_structure(&protected_bytes, &payload), expected, "size {size}");
        }
    }
}
