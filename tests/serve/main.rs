//! `leadpulse serve` end to end: the real binary on a free loopback port, spoken to over plain
//! TCP, pushing to a real HTTP receiver.

mod access;
mod backup;
mod collect;
mod crm;
mod dashboard_api;
mod delivery;
mod event_stream;
mod hardening;
mod harness;
mod lifecycle;
mod migrations;
mod people;
mod postgres;
mod queues;
mod receiver;
mod requests;
mod robustness;
mod sales_status;
mod signatures;
mod sla;
mod static_site;
mod trust;
mod two_instances;
mod webhook_snippet;
