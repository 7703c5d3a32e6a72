//! Helpers that drive a resident's status through reports, day by day.

use healthcode_domain::policy::ColourPolicy;
use healthcode_domain::{
    ClockIn, Declaration, HealthStatus, RegionCode, Report, ReportId, ResidentId, StandingFacts, SymptomSet,
    Temperature, Transition, apply_report,
};
use healthcode_domain::{ReportContext, ReportRejected};
use jiff::Timestamp;
use jiff::tz::TimeZone;

pub struct Person {
    pub policy: ColourPolicy,
    pub tz: TimeZone,
    pub status: Option<HealthStatus>,
    pub id: ResidentId,
    pub history: Vec<Transition>,
    next_report: u128,
}

pub fn shanghai() -> TimeZone {
    TimeZone::get("Asia/Shanghai").unwrap()
}

/// 09:00 local (Asia/Shanghai) on the given day of November 2026.
pub fn morning(day: i8) -> Timestamp {
    at(day, 9, 0)
}

pub fn at(day: i8, hour: i8, minute: i8) -> Timestamp {
    jiff::civil::date(2026, 11, day).at(hour, minute, 0, 0).to_zoned(shanghai()).unwrap().timestamp()
}

pub fn declaration(temp: f64, symptoms: &[&str]) -> Report {
    Report::Declaration(Declaration {
        symptoms: SymptomSet::parse_all(symptoms).unwrap(),
        temperature: Some(Temperature::from_celsius(temp).unwrap()),
        visited_regions: vec![],
        contact_with_case: false,
        travel_plan: String::new(),
    })
}

pub fn declaration_with(regions: &[&str], contact: bool) -> Report {
    Report::Declaration(Declaration {
        symptoms: SymptomSet::empty(),
        temperature: Some(Temperature::from_celsius(36.6).unwrap()),
        visited_regions: regions.iter().map(|r| RegionCode::parse(r).unwrap()).collect(),
        contact_with_case: contact,
        travel_plan: String::new(),
    })
}

pub fn clock_in(temp: f64, symptoms: &[&str]) -> Report {
    Report::ClockIn(ClockIn {
        temperature: Temperature::from_celsius(temp).unwrap(),
        symptoms: SymptomSet::parse_all(symptoms).unwrap(),
    })
}

impl Person {
    pub fn new() -> Self {
        Self {
            policy: ColourPolicy::default_policy(),
            tz: shanghai(),
            status: None,
            id: ResidentId::from_bytes([1; 16]),
            history: vec![],
            next_report: 1,
        }
    }

    pub fn report(&mut self, report: Report, now: Timestamp) -> Result<&Transition, ReportRejected> {
        self.report_with(report, now, &StandingFacts::default())
    }

    pub fn report_with(
        &mut self,
        report: Report,
        now: Timestamp,
        standing: &StandingFacts,
    ) -> Result<&Transition, ReportRejected> {
        let report_id = ReportId::from_bytes(self.next_report.to_le_bytes());
        self.next_report += 1;
        let ctx = ReportContext {
            resident: self.id,
            report_id,
            report: &report,
            now,
            time_zone: &self.tz,
            standing,
            risk_areas: &[],
        };
        let t = apply_report(&self.policy, self.status.as_ref(), &ctx)?;
        self.status = Some(t.status.clone());
        self.history.push(t);
        Ok(self.history.last().unwrap())
    }

    pub fn colour(&self) -> healthcode_domain::Colour {
        self.status.as_ref().unwrap().colour
    }

    pub fn streak(&self) -> Option<u16> {
        self.status.as_ref().unwrap().quarantine.map(|q| q.streak)
    }
}
