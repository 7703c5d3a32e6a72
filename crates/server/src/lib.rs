//! healthcode server: the axum application. [`api`] holds the JSON API under
//! `/api/v1` (with its OpenAPI document), [`web`] the server-rendered pages,
//! [`auth`] sign-in and the principal extractors, [`services`] the functions
//! handlers call, [`assets`] the embedded scripts and styles pages load, and
//! [`app`] the one route table with all middleware (CSP, CSRF, JSON errors).
//!
//! Main types: [`AppState`], [`ServerConfig`], [`Clock`], [`ApiError`].
//! The only wall-clock read is [`clock::SystemClock`].

pub mod api;
pub mod app;
pub mod assets;
pub mod auth;
pub mod cache;
pub mod clock;
pub mod config;
pub mod error;
pub mod keys;
pub mod metrics;
pub mod regions;
pub mod services;
pub mod state;
#[cfg(feature = "synthetic")]
pub mod synthetic;
pub mod transfer;
pub mod web;

pub use app::{StartupError, build_state, open_store, open_store_with, router, serve};
pub use clock::{Clock, FixedClock, SystemClock};
pub use config::{
    BodyFormat, FederationConfig, PeerConfig, Secret, SenderConfig, ServerConfig, SignInLimits, SmsGatewayConfig,
    SmtpConfig, SmtpSecurity,
};
pub use error::{ApiError, ErrorKind};
pub use healthcode_store_postgres::PgSettings;
pub use state::AppState;
