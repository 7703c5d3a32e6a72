//! healthcode credential: the signed QR codes and the keys behind them.
//!
//! Main types:
//! - [`HealthCodeClaims`], signed by [`issue`] into the EU Digital COVID
//!   Certificate container (CWT in COSE_Sign1, ES256, zlib, base45, prefix
//!   [`HEALTH_CODE_PREFIX`]) and checked offline by [`verify`] into a
//!   [`VerifiedCode`] or a [`VerifyError`] with a stable code.
//! - [`SigningKey`] (ES256, named by a [`KeyId`]) and the [`KeyRing`] that
//!   persists keys in a directory and rotates them.
//! - [`TrustList`], the published public keys, and [`PreparedTrustList`], the
//!   same decoded once for fast verification.
//! - [`federation`]: the region's [`SignedRegionList`] for peer regions,
//!   signed by its root key and opened by [`open_region_list`] against a
//!   [`PinnedRootKey`], with rollback refused by [`check_sequence`].
//! - [`qr`]: rendering codes as SVG or PNG ([`render_svg`], [`render_png`])
//!   and reading them back from photos ([`decode_image`]).
//!
//! - [`dcc`]: EU Digital COVID Certificates shown by visitors (`HC1:`),
//!   verified by [`verify_dcc`] against an imported [`DscList`].
//! - [`paper_pass`]: the signed, expiring, identity-only pass for people
//!   without a smartphone ([`sign_paper_pass`], [`verify_paper_pass`],
//!   [`check_print`] for reprints).
//! - [`venue_token`]: the signed token in a venue poster's URL
//!   ([`sign_venue_token`], [`verify_venue_token`]).
//!
//! The crate is pure: keys and `now` are passed in, the clock is never read.

pub mod dcc;
pub mod federation;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
pub mod health_code;
pub mod keys;
pub mod paper_pass;
pub mod qr;
pub mod trust_list;
pub mod venue_token;

pub use dcc::{DCC_PREFIX, DccError, DscList, VerifiedDcc, is_dcc, verify_dcc};
pub use federation::{
    FederationError, Freshness, PinnedRootKey, RegionList, SignedRegionList, check_sequence, open_region_list,
    open_region_list_json,
};
pub use health_code::{
    CLOCK_SKEW, HEALTH_CODE_PREFIX, HealthCodeClaims, IssueError, VerifiedCode, VerifyError, decode_unverified, issue,
    verify,
};
pub use keys::{KeyEntry, KeyError, KeyId, KeyRing, SigningKey, index_path, load_or_create_root_key};
pub use paper_pass::{
    OUTDATED_PAPER_PASS_PREFIX, PAPER_PASS_PREFIX, PaperPass, PaperPassClaims, PaperPassError, SignPassError,
    check_print, is_paper_pass, sign_paper_pass, verify_paper_pass,
};
pub use qr::{
    DECODE_TIME_LIMIT, QrDecoder, QrError, QrMatrix, decode_image, decode_image_with, matrix, render_png, render_svg,
};
pub use trust_list::{PreparedKey, PreparedTrustList, TrustList, TrustListError, TrustedKey};
pub use venue_token::{VenueToken, VenueTokenError, sign_venue_token, token_from_qr, verify_venue_token};
