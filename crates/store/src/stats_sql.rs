//! The one statement both backends run to count a day for the statistics
//! (standard SQL both accept; only the placeholders differ). It returns rows
//! `(d, m, n)`: district, [`metric`] and count, one row per
//! district and metric, zeros left out. Every branch but the work-resumption
//! ones reads one day of rows through an index on its instant, so a day costs
//! what happened that day; colour counts are kept as net daily flows (changes
//! into a colour minus changes out of it) and summed into running totals by
//! the reader. Work resumption is counted as it stood at the end of the day
//! (enterprises and rosters are small next to visits; one pass over each).
//!
//! Parameters: 1 = start of the day, 2 = its end (exclusive; now for today),
//! 3 = the local date (reports are filed under their local date).

use healthcode_domain::{Symptom, SymptomSet};

use crate::records::{NO_DISTRICT, metric};

/// The SQL dialect of a backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    fn param(self, n: u8) -> String {
        match self {
            Dialect::Sqlite => format!("?{n}"),
            Dialect::Postgres => format!("${n}"),
        }
    }

    /// A venue `v`'s visits as `vi`: SQLite's compact rows by the venue's
    /// number (its view `visits` would join each row's person for nothing).
    fn venue_visits(self) -> &'static str {
        match self {
            Dialect::Sqlite => "visit_rows vi ON vi.venue_no = v.no",
            Dialect::Postgres => "visits vi ON vi.venue_id = v.id",
        }
    }
}

/// The counting statement for `dialect`: rows `(district, metric, value)`.
pub fn count_day(dialect: Dialect) -> String {
    let (start, end, day) = (dialect.param(1), dialect.param(2), dialect.param(3));
    let person = format!("COALESCE(r.district, '{NO_DISTRICT}')");
    let window = |col: &str| format!("{col} >= {start} AND {col} < {end}");
    // An enterprise approved by the end of the window, and a roster line
    // accepted by then and not removed by then.
    let approved = format!("state = 'approved' AND decided_at < {end}");
    let on_roster = format!(
        "em.resident_id IS NOT NULL AND em.accepted_at < {end} AND (em.removed_at IS NULL OR em.removed_at >= {end})"
    );
    // The day's visits per venue (venues outer, the (venue_id, entered_at)
    // index inner), and the day's reports with their person's district: each
    // read once, counted several ways.
    let shared = format!(
        "WITH per_venue AS (SELECT v.district AS d, COUNT(*) AS n FROM venues v JOIN {} \
         WHERE {} GROUP BY v.id, v.district), \
         day_reports AS (SELECT {person} AS d, rp.resident_id, rp.kind, rp.symptoms, rp.channel FROM reports rp \
         JOIN residents r ON r.id = rp.resident_id WHERE rp.local_date = {day})",
        dialect.venue_visits(),
        window("vi.entered_at")
    );
    let mut branches = vec![
        format!(
            "SELECT district AS d, '{}' AS m, COUNT(*) AS n FROM venues WHERE {} GROUP BY 1",
            metric::NEW_POINTS,
            window("created_at")
        ),
        format!("SELECT d, '{}', SUM(n) FROM per_venue GROUP BY 1", metric::CHECK_INS),
        format!("SELECT d, '{}', COUNT(*) FROM per_venue GROUP BY 1", metric::ACTIVE_POINTS),
        format!(
            "SELECT d, CASE kind WHEN 'declaration' THEN '{}' ELSE '{}' END, COUNT(*) FROM day_reports GROUP BY 1, 2",
            metric::DECLARATIONS,
            metric::CLOCK_INS
        ),
        format!(
            "SELECT d, '{}', COUNT(DISTINCT resident_id) FROM day_reports WHERE symptoms <> 0 GROUP BY 1",
            metric::SYMPTOMATIC
        ),
        // By channel (reports stored before channels were recorded have none
        // and count only in the totals above).
        format!(
            "SELECT d, '{}' || channel, COUNT(*) FROM day_reports \
             WHERE kind = 'declaration' AND channel IS NOT NULL GROUP BY 1, 2",
            metric::DECLARATIONS_BY
        ),
        format!(
            "SELECT d, '{}' || channel, COUNT(DISTINCT resident_id) FROM day_reports \
             WHERE symptoms <> 0 AND channel IS NOT NULL GROUP BY 1, 2",
            metric::SYMPTOMATIC_BY
        ),
        format!(
            "SELECT {person}, '{}' || sc.to_colour, COUNT(*) FROM status_changes sc JOIN residents r ON r.id = sc.resident_id \
             WHERE {} GROUP BY 1, 2",
            metric::NET_PREFIX,
            window("sc.at")
        ),
        format!(
            "SELECT {person}, '{}' || sc.from_colour, -COUNT(*) FROM status_changes sc JOIN residents r ON r.id = sc.resident_id \
             WHERE {} AND sc.from_colour IS NOT NULL GROUP BY 1, 2",
            metric::NET_PREFIX,
            window("sc.at")
        ),
        format!(
            "SELECT {person}, 'became_' || sc.to_colour, COUNT(*) FROM status_changes sc JOIN residents r ON r.id = sc.resident_id \
             WHERE {} AND (sc.from_colour IS NULL OR sc.from_colour <> sc.to_colour) GROUP BY 1, 2",
            window("sc.at")
        ),
        format!(
            "SELECT {person}, CASE sc.event WHEN 'quarantine_completed' THEN '{}' ELSE '{}' END, COUNT(*) \
             FROM status_changes sc JOIN residents r ON r.id = sc.resident_id \
             WHERE {} AND sc.event IN ('quarantine_completed', 'streak_restarted') GROUP BY 1, 2",
            metric::QUARANTINE_COMPLETED,
            metric::QUARANTINE_RESTARTED,
            window("sc.at")
        ),
        format!(
            "SELECT {person}, 'cases_' || c.kind, COUNT(*) FROM cases c JOIN residents r ON r.id = c.resident_id \
             WHERE {} GROUP BY 1, 2",
            window("c.recorded_at")
        ),
        format!(
            "SELECT {person}, 'exposed_' || nt.kind, COUNT(*) FROM notices nt JOIN residents r ON r.id = nt.resident_id \
             WHERE {} AND nt.kind IN ('close', 'secondary') GROUP BY 1, 2",
            window("nt.at")
        ),
        format!(
            "SELECT c.district, CASE p.verdict WHEN 'allow' THEN '{}' ELSE '{}' END, COUNT(*) \
             FROM checkpoints c JOIN passages p ON p.checkpoint_id = c.id WHERE {} GROUP BY 1, 2",
            metric::PASSAGES_ALLOWED,
            metric::PASSAGES_DENIED,
            window("p.scanned_at")
        ),
        // Checkpoint control (Hanoi 2021): passages and the turned back, by
        // the post's kind and the direction (`passages_<kind>_<in|out>`,
        // `turned_back_<kind>_<in|out>`).
        format!(
            "SELECT c.district, '{}' || c.kind || '_' || p.direction, COUNT(*) \
             FROM checkpoints c JOIN passages p ON p.checkpoint_id = c.id WHERE {} GROUP BY 1, 2",
            metric::PASSAGES_BY,
            window("p.scanned_at")
        ),
        format!(
            "SELECT c.district, '{}' || c.kind || '_' || p.direction, COUNT(*) \
             FROM checkpoints c JOIN passages p ON p.checkpoint_id = c.id WHERE {} AND p.verdict = 'deny' GROUP BY 1, 2",
            metric::TURNED_BACK_BY,
            window("p.scanned_at")
        ),
        // Yellow and red holders turned away at venues, by the venue's district.
        format!(
            "SELECT v.district, '{}', COUNT(*) FROM venue_attempts a JOIN venues v ON v.id = a.venue_id \
             WHERE {} GROUP BY 1",
            metric::ATTEMPTED_ENTRIES,
            window("a.attempted_at")
        ),
        // Work resumption, by the enterprise's main district. The four are
        // states at the end of the window, not flows, so a record written
        // after the fact (an import, a copy) counts on every day it covers;
        // each numerator is a subset of its denominator, so a share never
        // passes 100 %.
        format!(
            "SELECT district, '{}', COUNT(*) FROM enterprises WHERE {approved} GROUP BY 1",
            metric::ENTERPRISES_APPROVED,
        ),
        format!(
            "SELECT e.district, '{}', COUNT(*) FROM enterprises e WHERE {approved} \
             AND EXISTS (SELECT 1 FROM gate_scans g WHERE g.enterprise_id = e.id AND {}) GROUP BY 1",
            metric::ENTERPRISES_OPERATING,
            window("g.scanned_at")
        ),
        format!(
            "SELECT e.district, '{}', COUNT(*) FROM enterprises e JOIN employees em ON em.enterprise_id = e.id \
             WHERE {on_roster} GROUP BY 1",
            metric::EMPLOYEES,
        ),
        // On site: scanned in that day and never flagged at the gate that day
        // (fever or not green), as the employer's dashboard counts them.
        format!(
            "SELECT e.district, '{}', COUNT(*) FROM enterprises e JOIN employees em ON em.enterprise_id = e.id \
             WHERE {on_roster} AND EXISTS (SELECT 1 FROM gate_scans g WHERE g.enterprise_id = em.enterprise_id \
             AND g.resident_id = em.resident_id AND {}) \
             AND NOT EXISTS (SELECT 1 FROM gate_scans g WHERE g.enterprise_id = em.enterprise_id \
             AND g.resident_id = em.resident_id AND {} AND g.flagged) GROUP BY 1",
            metric::EMPLOYEES_ON_SITE,
            window("g.scanned_at"),
            window("g.scanned_at")
        ),
    ];
    for symptom in Symptom::ALL {
        let mut one = SymptomSet::empty();
        one.insert(symptom);
        branches.push(format!(
            "SELECT d, '{}{}', COUNT(DISTINCT resident_id) FROM day_reports WHERE (symptoms & {}) <> 0 GROUP BY 1",
            metric::SYMPTOM_PREFIX,
            symptom.as_str(),
            one.bits()
        ));
    }
    format!(
        "{shared}\nSELECT d AS district, m AS metric, CAST(SUM(n) AS BIGINT) AS value FROM (\n{}\n) flows \
         GROUP BY d, m HAVING SUM(n) <> 0",
        branches.join("\nUNION ALL\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_dialect() {
        let lite = count_day(Dialect::Sqlite);
        let pg = count_day(Dialect::Postgres);
        assert!(lite.contains("?1") && lite.contains("?3") && !lite.contains("$1"));
        assert!(pg.contains("$2") && !pg.contains("?2"));
        assert!(lite.contains("'symptom_loss_of_taste_smell'"));
        assert!(lite.contains("'passages_' || c.kind") && lite.contains("'attempted_entries'"));
    }
}
