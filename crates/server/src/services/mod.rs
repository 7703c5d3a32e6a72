//! Service functions: each handler calls one of these, which gathers what the
//! domain needs from the store, applies the domain rule, and writes the result.

pub mod access;
pub mod accounts;
pub mod alarms;
pub mod appeals;
pub mod audit;
pub mod cases;
pub mod check_in;
pub mod checkpoints;
pub mod code;
pub mod dcc;
pub mod dcc_attachments;
pub mod enrolment;
pub mod enterprises;
pub mod false_declarations;
pub mod federation;
pub mod health;
pub mod jobs;
pub mod lab;
pub mod lists;
pub mod overrides;
pub mod retention;
pub mod risk_areas;
pub mod single_sign_on;
pub mod staff;
pub mod stats;
pub mod time_zones;
pub mod trace_cache;
pub mod trace_index;
pub mod venues;
