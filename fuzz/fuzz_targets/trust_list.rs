//! The trust list parser: JSON as published at `GET /api/v1/trust-list` or
//! given to `healthcode verify --trust-list FILE`. A list that parses must
//! survive a round trip, and a list that prepares must be usable.
#![no_main]

use healthcode_credential::{PreparedTrustList, TrustList, verify};
use healthcode_fuzz::now;
use libfuzzer_sys::fuzz_target;

/// A health code from the test vectors, to verify against whatever prepares.
const CODE: &str = "HCODE1:NCFM90*10FFWTWGSLKC 4A79+OOK-2AWN4*PO7B0XK68DX*9TIBRW54HB0F3RH8PD40F3PH8X5VY50.FKN1LE-E6ECV6AM-A:TE6D2U7698SV-V%OJ-DNGPC319:.D/IB9Z95VC*964M6EECZ3ECECU3D59DR ENF6NF6Z$527BE9FCBU%RF32BIBHSY0JC8NCQB17D.CB4EG5HX8C57P6URK7G YOL3MFD9HSN /CFKS:GO**29JCQP7WM2*0F7TU:G1  7:OO/WKR29";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(list) = TrustList::from_json(text) else { return };
    let again = TrustList::from_json(&list.to_json_pretty());
    assert_eq!(again.ok().as_ref(), Some(&list), "the published form reads back the same");
    let prepared = list.prepare();
    assert_eq!(prepared.is_ok(), PreparedTrustList::from_json(text).is_ok());
    if let Ok(prepared) = prepared {
        for key in &list.keys {
            if let Ok(kid) = key.kid.parse() {
                assert!(list.find(&kid).is_some());
            }
        }
        let _ = verify(CODE, &prepared, now());
    }
});
