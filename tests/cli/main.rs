//! The `leadpulse` command's tests apart from the collector's (tests/serve): validate, compile,
//! replay, import, fit, compare, report — one crate by subject, each module a former crate.
mod command;

mod commands;
mod compare;
mod fit;
mod fit_signals;
mod guard_rails;
mod import;
mod report;
