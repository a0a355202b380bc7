//! The core's tests, one crate by subject (each module a former test crate): scoring, the
//! contracts (event, summary, state, compiled model), the shared fixtures and the properties.
// The tests read fixture files; the core they test may not (clippy.toml).
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

#[path = "../common/mod.rs"]
mod common;

mod conditions;
mod events;
mod fixtures;
mod handoff;
mod model_compiled;
mod model_validation;
mod properties;
mod scoring_domain;
mod scoring_mechanics;
mod state_codec;
mod summary_contract;
mod summary_frameworks;
mod track_path;
