//! The time zone of a region: venues and checkpoints show their times in the
//! zone of the province they stand in, not the deployment's (a Hanoi venue on
//! a server whose default is Asia/Shanghai shows Hanoi time).
//!
//! The rule lives in one function, [`zone_of_region`], so it can later read
//! the region catalogue instead: the configured override for the exact code
//! (`VN-HN`), then for its country (`VN`), then the built-in zone of a
//! country that has only one, then the deployment's zone.

use jiff::tz::TimeZone;

use crate::config::ServerConfig;

/// A zone and its IANA name (for display and for `data-tz` in pages).
#[derive(Debug, Clone)]
pub struct Zone {
    pub tz: TimeZone,
    pub name: String,
}

/// Countries (ISO 3166-1 alpha-2, the first part of a region code) that lie
/// in one zone, with that zone.
const SINGLE_ZONE_COUNTRIES: &[(&str, &str)] = &[
    ("CN", "Asia/Shanghai"),
    ("HK", "Asia/Hong_Kong"),
    ("JP", "Asia/Tokyo"),
    ("KH", "Asia/Phnom_Penh"),
    ("KR", "Asia/Seoul"),
    ("LA", "Asia/Vientiane"),
    ("MO", "Asia/Macau"),
    ("SG", "Asia/Singapore"),
    ("TH", "Asia/Bangkok"),
    ("TW", "Asia/Taipei"),
    ("VN", "Asia/Ho_Chi_Minh"),
];

/// The zone of `region` (a province code such as `VN-HN`; `None` or an
/// unknown code: the deployment's zone).
pub fn zone_of_region(config: &ServerConfig, region: Option<&str>) -> Zone {
    let deployment = || Zone { tz: config.time_zone.clone(), name: config.time_zone_name.clone() };
    let Some(code) = region.map(|r| r.trim().to_ascii_uppercase()).filter(|r| !r.is_empty()) else {
        return deployment();
    };
    let country = code.split(['-', '_', '.']).next().unwrap_or_default();
    let configured = config.region_time_zones.get(&code).or_else(|| config.region_time_zones.get(country));
    let name = configured
        .map(String::as_str)
        .or_else(|| SINGLE_ZONE_COUNTRIES.iter().find(|(c, _)| *c == country).map(|(_, zone)| *zone));
    match name {
        Some(name) if name == config.time_zone_name => deployment(),
        Some(name) => match TimeZone::get(name) {
            Ok(tz) => Zone { tz, name: name.to_string() },
            Err(_) => deployment(),
        },
        None => deployment(),
    }
}

/// A venue's zone, by its province.
pub fn zone_of_venue(config: &ServerConfig, venue: &healthcode_store::Venue) -> Zone {
    zone_of_region(config, Some(venue.profile.province.as_str()))
}

/// A checkpoint's zone, by its province when it names one.
pub fn zone_of_checkpoint(config: &ServerConfig, checkpoint: &healthcode_domain::Checkpoint) -> Zone {
    zone_of_region(config, checkpoint.province.as_ref().map(|p| p.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ServerConfig {
        ServerConfig::with_defaults(std::path::PathBuf::from("/nonexistent"))
    }

    #[test]
    fn a_hanoi_venue_shows_hanoi_time_on_a_shanghai_server() {
        let c = config();
        assert_eq!(c.time_zone_name, "Asia/Shanghai");
        assert_eq!(zone_of_region(&c, Some("VN-HN")).name, "Asia/Ho_Chi_Minh");
        assert_eq!(zone_of_region(&c, Some("vn-hcm")).name, "Asia/Ho_Chi_Minh");
        assert_eq!(zone_of_region(&c, Some("CN-ZJ")).name, "Asia/Shanghai");
        let noon = "2026-12-05T04:00:00Z".parse::<jiff::Timestamp>().unwrap();
        let hanoi = zone_of_region(&c, Some("VN-HN"));
        assert_eq!(noon.to_zoned(hanoi.tz).strftime("%H:%M").to_string(), "11:00");
        assert_eq!(noon.to_zoned(c.time_zone.clone()).strftime("%H:%M").to_string(), "12:00");
    }

    #[test]
    fn unknown_regions_fall_back_and_the_config_overrides() {
        let mut c = config();
        assert_eq!(zone_of_region(&c, None).name, "Asia/Shanghai");
        assert_eq!(zone_of_region(&c, Some("XX-1")).name, "Asia/Shanghai");
        assert_eq!(zone_of_region(&c, Some("US-NY")).name, "Asia/Shanghai", "several zones: not guessed");
        c.region_time_zones.insert("US".into(), "America/New_York".into());
        c.region_time_zones.insert("VN-HN".into(), "Asia/Bangkok".into());
        assert_eq!(zone_of_region(&c, Some("US-NY")).name, "America/New_York");
        assert_eq!(zone_of_region(&c, Some("VN-HN")).name, "Asia/Bangkok", "the exact code first");
        assert_eq!(zone_of_region(&c, Some("VN-SG")).name, "Asia/Ho_Chi_Minh");
    }
}
