//! `leadpulse serve` end to end: the real binary on a free port, spoken to over plain TCP.
#![cfg(feature = "cli")]

mod collect;
mod harness;
mod lifecycle;
mod signatures;
mod static_site;
