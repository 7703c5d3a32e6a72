//! What `loadgen setup` writes and `loadgen run` reads: API tokens, venue QR
//! texts and a checkpoint of one deployment.

use serde::{Deserialize, Serialize};
use std::path::Path;

use super::error::LoadgenError;

pub const FORMAT: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct Fixtures {
    /// Format version of this file.
    pub format: u32,
    /// Declared (green) residents with their API tokens.
    pub residents: Vec<ResidentFixture>,
    pub venues: Vec<VenueFixture>,
    pub checkpoint: CheckpointFixture,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct ResidentFixture {
    pub phone: String,
    pub token: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct VenueFixture {
    pub id: String,
    /// The text of the venue's QR, as a phone scans it.
    pub qr_text: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct CheckpointFixture {
    pub id: String,
    /// An officer's API token for scanning there.
    pub officer_token: String,
}

impl Fixtures {
    pub fn read(path: &Path) -> Result<Self, LoadgenError> {
        let invalid = |why: String| LoadgenError::new("LOADGEN_FIXTURES_INVALID", format!("{}: {why}", path.display()));
        let text = std::fs::read_to_string(path).map_err(|e| invalid(e.to_string()))?;
        let fixtures: Fixtures = serde_json::from_str(&text).map_err(|e| invalid(e.to_string()))?;
        if fixtures.format != FORMAT {
            return Err(invalid(format!("format {} is not {FORMAT}: run loadgen setup again", fixtures.format)));
        }
        if fixtures.residents.is_empty() || fixtures.venues.is_empty() {
            return Err(invalid("no residents or no venues: run loadgen setup with --residents and --venues".into()));
        }
        Ok(fixtures)
    }

    pub fn write(&self, path: &Path) -> anyhow::Result<()> {
        use anyhow::Context;
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
    }
}
