//! The text layer of a code: `HCODE1:` + base45(zlib(COSE bytes)).
//!
//! Encoding uses a per-thread zlib deflater at best compression (creating
//! one allocates and zeroes ~300 kB of tables, which cost several times the
//! signature) and the `base45` crate. Decoding uses a table-driven decoder
//! that also refuses non-canonical groups (a 3-character group above 65535
//! or a final pair above 255), and a per-thread zlib inflater (creating one
//! costs about as much as inflating a code). Inflation is capped so a zip
//! bomb cannot make us allocate.

use std::cell::RefCell;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::{HEALTH_CODE_PREFIX, IssueError, VerifyError};

/// Largest inflated COSE structure we accept (a real code is ~300 bytes).
pub const MAX_INFLATED: usize = 16 * 1024;

/// `HCODE1:` + base45(zlib-best(cose)).
pub(crate) fn pack(cose: &[u8]) -> Result<String, IssueError> {
    let compressed = deflate(cose)?;
    let body = base45::encode(&compressed);
    let mut text = String::with_capacity(HEALTH_CODE_PREFIX.len() + body.len());
    text.push_str(HEALTH_CODE_PREFIX);
    text.push_str(&body);
    Ok(text)
}

/// Reverses [`pack`]: checks the prefix, decodes base45, inflates (capped).
pub(crate) fn unpack(text: &str) -> Result<Vec<u8>, VerifyError> {
    let body = text.strip_prefix(HEALTH_CODE_PREFIX).ok_or(VerifyError::PrefixInvalid)?;
    let compressed = base45_decode(body.as_bytes()).ok_or(VerifyError::Base45Invalid)?;
    inflate(&compressed)
}

const BASE45_ALPHABET: &[u8; 45] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const NOT_BASE45: u8 = 0xff;

static BASE45_VALUES: [u8; 256] = {
    let mut table = [NOT_BASE45; 256];
    let mut i = 0;
    while i < BASE45_ALPHABET.len() {
        table[BASE45_ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

fn base45_digit(c: u8) -> Option<u32> {
    let v = BASE45_VALUES[usize::from(c)];
    (v != NOT_BASE45).then_some(u32::from(v))
}

/// RFC 9285 base45 decoding; `None` for any invalid or non-canonical input.
pub(crate) fn base45_decode(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 3 * 2 + 1);
    let mut groups = text.chunks_exact(3);
    for group in &mut groups {
        let &[c, d, e] = group else { return None };
        let n = base45_digit(c)? + base45_digit(d)? * 45 + base45_digit(e)? * 45 * 45;
        out.extend_from_slice(&u16::try_from(n).ok()?.to_be_bytes());
    }
    match *groups.remainder() {
        [] => {}
        [c, d] => out.push(u8::try_from(base45_digit(c)? + base45_digit(d)? * 45).ok()?),
        _ => return None,
    }
    Some(out)
}

thread_local! {
    static INFLATER: RefCell<Decompress> = RefCell::new(Decompress::new(true));
    static DEFLATER: RefCell<Compress> = RefCell::new(Compress::new(Compression::best(), true));
}

/// zlib-deflates `input` at best compression with this thread's deflater
/// (a fresh one when it is in use or the thread is ending).
fn deflate(input: &[u8]) -> Result<Vec<u8>, IssueError> {
    let reused = DEFLATER.try_with(|cell| {
        cell.try_borrow_mut().ok().map(|mut deflater| {
            deflater.reset();
            deflate_with(&mut deflater, input)
        })
    });
    match reused {
        Ok(Some(result)) => result,
        _ => deflate_with(&mut Compress::new(Compression::best(), true), input),
    }
}

fn deflate_with(deflater: &mut Compress, input: &[u8]) -> Result<Vec<u8>, IssueError> {
    // Stored blocks bound the output: 5 bytes per 64 kB block, plus the
    // zlib header and checksum.
    let mut out = Vec::with_capacity(input.len() + input.len() / 16_000 * 5 + 64);
    loop {
        let consumed = usize::try_from(deflater.total_in()).map_err(std::io::Error::other)?;
        let rest = input.get(consumed..).unwrap_or_default();
        let status = deflater.compress_vec(rest, &mut out, FlushCompress::Finish).map_err(std::io::Error::other)?;
        match status {
            Status::StreamEnd => return Ok(out),
            Status::Ok | Status::BufError => out.reserve(out.capacity().max(64)),
        }
    }
}

/// zlib-inflates `input`, refusing output over [`MAX_INFLATED`] bytes, a
/// truncated stream, and bytes after the end of the stream.
pub(crate) fn inflate(input: &[u8]) -> Result<Vec<u8>, VerifyError> {
    let reused = INFLATER.try_with(|cell| {
        cell.try_borrow_mut().ok().map(|mut inflater| {
            inflater.reset(true);
            inflate_with(&mut inflater, input)
        })
    });
    match reused {
        Ok(Some(result)) => result,
        _ => inflate_with(&mut Decompress::new(true), input),
    }
}

fn inflate_with(inflater: &mut Decompress, input: &[u8]) -> Result<Vec<u8>, VerifyError> {
    let mut out = Vec::with_capacity(MAX_INFLATED + 1);
    loop {
        let consumed = usize::try_from(inflater.total_in()).map_err(|_| VerifyError::ZlibInvalid)?;
        let rest = input.get(consumed..).ok_or(VerifyError::ZlibInvalid)?;
        let before = (inflater.total_in(), out.len());
        let status =
            inflater.decompress_vec(rest, &mut out, FlushDecompress::Finish).map_err(|_| VerifyError::ZlibInvalid)?;
        if out.len() > MAX_INFLATED {
            return Err(VerifyError::TooLarge);
        }
        match status {
            Status::StreamEnd => {
                return if inflater.total_in() == input.len() as u64 { Ok(out) } else { Err(VerifyError::ZlibInvalid) };
            }
            Status::Ok | Status::BufError => {
                if out.len() == out.capacity() {
                    return Err(VerifyError::TooLarge);
                }
                if (inflater.total_in(), out.len()) == before {
                    // No progress and no end: the stream is truncated.
                    return Err(VerifyError::ZlibInvalid);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use std::io::Write as _;

    use flate2::write::ZlibEncoder;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut z = ZlibEncoder::new(Vec::new(), Compression::best());
        z.write_all(data).unwrap();
        z.finish().unwrap()
    }

    #[test]
    fn round_trip() {
        let text = pack(b"some cose bytes").unwrap();
        assert!(text.starts_with("HCODE1:"));
        assert_eq!(unpack(&text).unwrap(), b"some cose bytes");
    }

    #[test]
    fn reused_deflater_gives_the_same_bytes_as_a_fresh_encoder() {
        // Incompressible input larger than the first output guess, then
        // small inputs: the thread's deflater must restart cleanly each time.
        let mut state = 1u32;
        let noise: Vec<u8> = (0..MAX_INFLATED)
            .map(|_| {
                state = state.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (state >> 16) as u8
            })
            .collect();
        for input in [&b"hello hello hello"[..], &noise, b"", b"some cose bytes", &[7u8; 1000]] {
            let ours = deflate(input).unwrap();
            assert_eq!(ours, zlib(input), "{} bytes", input.len());
            assert_eq!(inflate(&ours).unwrap(), input);
        }
    }

    #[test]
    fn base45_matches_rfc_9285_examples() {
        assert_eq!(base45_decode(b"BB8").unwrap(), b"AB");
        assert_eq!(base45_decode(b"%69 VD92EX0").unwrap(), b"Hello!!");
        assert_eq!(base45_decode(b"UJCLQE7W581").unwrap(), b"base-45");
        assert_eq!(base45_decode(b"QED8WEX0").unwrap(), b"ietf!");
        assert_eq!(base45_decode(b"").unwrap(), b"");
        assert!(base45_decode(b"GGW").is_none(), "65536 is not a 2-byte group");
        assert_eq!(base45_decode(b"U5").unwrap(), [255]);
        assert!(base45_decode(b"V5").is_none(), "a final pair above 255");
        assert!(base45_decode(b"A").is_none());
        assert!(base45_decode(b"ab").is_none());
    }

    proptest::proptest! {
        #[test]
        fn base45_agrees_with_the_crate(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100), text in "[0-9A-Z $%*+./:-]{0,12}") {
            proptest::prop_assert_eq!(base45_decode(base45::encode(&bytes).as_bytes()), Some(bytes));
            if let Some(decoded) = base45_decode(text.as_bytes()) {
                proptest::prop_assert_eq!(base45::decode(&text).ok(), Some(decoded));
            }
        }
    }

    #[test]
    fn inflate_caps_and_checks() {
        assert_eq!(inflate(&zlib(&vec![0u8; MAX_INFLATED])).unwrap().len(), MAX_INFLATED);
        assert_eq!(inflate(&zlib(&vec![0u8; MAX_INFLATED + 1])), Err(VerifyError::TooLarge));
        assert_eq!(inflate(&zlib(&vec![0u8; 1 << 20])), Err(VerifyError::TooLarge));
        let good = zlib(b"hello hello hello");
        assert_eq!(inflate(&good[..good.len() - 1]), Err(VerifyError::ZlibInvalid));
        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(inflate(&trailing), Err(VerifyError::ZlibInvalid));
        assert_eq!(inflate(b""), Err(VerifyError::ZlibInvalid));
        assert_eq!(inflate(b"not zlib"), Err(VerifyError::ZlibInvalid));
    }
}
