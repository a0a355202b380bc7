//! Writing saved state (layout: see the module above).
use super::bytes::Writer;
use super::{rule_key, MAGIC, VERSION};
use crate::core::encoding::{base64url, crc32};
use crate::core::engine::state::{Evidence, VisitorState};
use crate::core::event::Scalar;
use crate::core::model::Model;
use crate::core::time::Millis;

pub(super) fn encode(model: &Model, s: &VisitorState) -> String {
    let mut w = Writer(Vec::with_capacity(256));
    w.0.extend_from_slice(MAGIC);
    w.u8(VERSION);
    let base = s.first_seen.unwrap_or(0);
    let time = |w: &mut Writer, t: Millis| w.ivar(t.saturating_sub(base));
    let opt_time = |w: &mut Writer, t: Option<Millis>| match t {
        Some(t) => {
            w.u8(1);
            w.ivar(t.saturating_sub(base));
        }
        None => w.u8(0),
    };
    w.str(&s.visitor);
    opt_str(&mut w, s.user_id.as_deref());
    match s.first_seen {
        Some(first) => {
            w.u8(1);
            w.uvar(first.max(0) as u64);
        }
        None => w.u8(0),
    }
    time(&mut w, s.last_seen);
    time(&mut w, s.session_start);
    w.uvar(u64::from(s.sessions));
    w.uvar(s.engaged_ms);
    time(&mut w, s.burst_start);
    w.uvar(u64::from(s.burst_pages));
    w.u8(s.stage.index() as u8);
    for reached in s.reached_at {
        opt_time(&mut w, reached);
    }
    for level in [s.mql, s.sql] {
        w.u8(u8::from(level.active));
        opt_time(&mut w, level.entered_at);
        opt_time(&mut w, level.exited_at);
        w.u8(level.route);
    }
    opt_str(&mut w, s.bot.as_deref());
    w.uvar(s.traits.len() as u64);
    for (name, value) in &s.traits {
        w.str(name);
        scalar(&mut w, value);
    }
    w.uvar(s.slots.len() as u64);
    for fill in &s.slots {
        w.str(&fill.slot);
        scalar(&mut w, &fill.value);
        time(&mut w, fill.at);
    }
    w.uvar(s.message_ids.len() as u64);
    for id in &s.message_ids {
        w.u32(*id);
    }
    for touch in [&s.first_touch, &s.last_touch] {
        match touch {
            Some(t) => {
                w.u8(1);
                opt_str(&mut w, t.referrer.as_deref());
                w.uvar(t.utm.len() as u64);
                for (k, v) in &t.utm {
                    w.str(k);
                    w.str(v);
                }
            }
            None => w.u8(0),
        }
    }
    let kept: Vec<(&str, &Evidence)> = model
        .rules
        .iter()
        .zip(&s.evidence)
        .filter(|(_, e)| !e.is_empty())
        .map(|(r, e)| (r.id.as_str(), e))
        .collect();
    w.uvar(kept.len() as u64);
    for (id, e) in kept {
        w.u32(rule_key(id));
        w.uvar(u64::from(e.count));
        w.uvar(u64::from(e.session));
        w.uvar(u64::from(e.session_hits));
        w.uvar(e.hits.len() as u64);
        for &h in &e.hits {
            time(&mut w, h);
        }
        w.f64(e.folded);
        time(&mut w, e.folded_at);
        w.uvar(e.matches.len() as u64);
        for &m in &e.matches {
            time(&mut w, m);
        }
        w.f64(e.progress);
    }
    // Version 2: the last hand-off, and the questions typed for sales.
    match &s.handoff {
        Some(h) => {
            w.u8(1);
            w.uvar(u64::from(h.revision));
            w.0.extend_from_slice(&h.fingerprint.to_le_bytes());
            time(&mut w, h.at);
        }
        None => w.u8(0),
    }
    w.uvar(s.questions.len() as u64);
    for question in &s.questions {
        w.str(question);
    }
    let checksum = crc32::crc32(&w.0);
    w.0.extend_from_slice(&checksum.to_le_bytes());
    base64url::encode(&w.0)
}

fn opt_str(w: &mut Writer, s: Option<&str>) {
    match s {
        Some(s) => {
            w.u8(1);
            w.str(s);
        }
        None => w.u8(0),
    }
}

fn scalar(w: &mut Writer, value: &Scalar) {
    match value {
        Scalar::Text(t) => {
            w.u8(0);
            w.str(t);
        }
        Scalar::Number(n) => {
            w.u8(1);
            w.f64(*n);
        }
        Scalar::Bool(b) => w.u8(2 + u8::from(*b)),
    }
}
