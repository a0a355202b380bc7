//! Persisted state: compact, versioned, checksummed, bounded; base64url text.
//!
//! Layout (version 1): `"LP"`, version byte, body, CRC-32 of everything before it. The body
//! holds evidence per rule keyed by a hash of the rule id, so a changed model re-scores what
//! it still has rules for. Times are stored as zigzag varint offsets from `firstSeen`.
mod base64url;
mod bytes;
mod crc32;

use std::sync::Arc;

use bytes::{Malformed, Reader, Writer};

use crate::core::engine::state::{
    Evidence, Level, SlotFill, Touch, VisitorState, MAX_HITS, MAX_MATCHES, MAX_MESSAGE_IDS,
    MAX_TRAITS,
};
use crate::core::engine::Session;
use crate::core::event::{Scalar, MAX_ID_LEN, MAX_TEXT_LEN};
use crate::core::json::integer_text;
use crate::core::model::{fnv1a64, Model, Stage};
use crate::core::time::Millis;

/// Hard cap on saved state, in characters (bytes) of base64url text.
pub const MAX_STATE_CHARS: usize = 3072;
const MAGIC: &[u8; 2] = b"LP";
const VERSION: u8 = 1;
const MAX_SLOTS: usize = 32;
const MAX_EVIDENCE: usize = 128;

/// Why saved state was discarded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateError {
    Empty,
    TooLarge {
        chars: usize,
    },
    NotBase64 {
        at: usize,
    },
    Foreign,
    UnsupportedVersion(u8),
    Checksum,
    Malformed {
        field: &'static str,
        problem: &'static str,
    },
}

impl StateError {
    /// Why the state was discarded, for `session.restoreError`.
    pub fn describe(&self) -> String {
        let number = |n: usize| integer_text(n as i64);
        match self {
            StateError::Empty => "saved state is empty".into(),
            StateError::TooLarge { chars } => [
                "saved state is ",
                &number(*chars),
                " characters, over the ",
                &number(MAX_STATE_CHARS),
                "-character cap",
            ]
            .concat(),
            StateError::NotBase64 { at } => [
                "saved state is not base64url (bad character at offset ",
                &number(*at),
                ")",
            ]
            .concat(),
            StateError::Foreign => "saved state was not written by LeadPulse".into(),
            StateError::UnsupportedVersion(v) => [
                "saved state has version ",
                &number(usize::from(*v)),
                "; this engine reads version ",
                &number(usize::from(VERSION)),
            ]
            .concat(),
            StateError::Checksum => "saved state is corrupt (checksum mismatch)".into(),
            StateError::Malformed { field, problem } => {
                ["saved state is corrupt (", field, ": ", problem, ")"].concat()
            }
        }
    }
}

impl std::fmt::Display for StateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl std::error::Error for StateError {}

impl From<Malformed> for StateError {
    fn from(m: Malformed) -> Self {
        StateError::Malformed {
            field: m.field,
            problem: m.problem,
        }
    }
}

fn rule_key(id: &str) -> u32 {
    fnv1a64(id.as_bytes()) as u32
}

/// Saves a session. Over the cap, the least useful detail is shed (oldest message ids,
/// repeat matches, traits no rule reads) until it fits: the cap is a guarantee.
pub fn save(session: &Session) -> String {
    let model = session.model();
    let mut state = session.state().clone();
    loop {
        let text = encode(model, &state);
        if text.len() <= MAX_STATE_CHARS || !shed(model, &mut state) {
            return text;
        }
    }
}

fn shed(model: &Model, state: &mut VisitorState) -> bool {
    if !state.message_ids.is_empty() {
        state.message_ids.clear();
    } else if let Some(e) = state.evidence.iter_mut().find(|e| !e.matches.is_empty()) {
        e.matches.clear();
    } else if let Some(i) = state
        .traits
        .iter()
        .rposition(|(name, _)| !model_reads_trait(model, name))
    {
        state.traits.remove(i);
    } else if state.traits.pop().is_none() && state.slots.pop().is_none() {
        return false;
    }
    true
}

fn model_reads_trait(model: &Model, name: &str) -> bool {
    use crate::core::model::Condition;
    let reads = |c: &Condition| matches!(c, Condition::Trait { name: n, .. } if n == name);
    model.rules.iter().any(|r| reads(&r.when))
        || model.slots.iter().any(|s| s.filled_by.iter().any(reads))
        || model.lead_traits.iter().any(|t| t == name)
        || model.summary_traits.iter().any(|t| t == name)
}

/// Restores a session; anything corrupt, truncated, foreign or oversized is an error with
/// a reason (callers then start fresh). Never panics.
pub fn restore(model: Arc<Model>, text: &str) -> Result<Session, StateError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(StateError::Empty);
    }
    if text.len() > MAX_STATE_CHARS {
        return Err(StateError::TooLarge { chars: text.len() });
    }
    let bytes = base64url::decode(text).map_err(|at| StateError::NotBase64 { at })?;
    if bytes.get(..2) != Some(MAGIC.as_slice()) {
        return Err(StateError::Foreign);
    }
    match bytes.get(2) {
        Some(&VERSION) => {}
        Some(&other) => return Err(StateError::UnsupportedVersion(other)),
        None => {
            return Err(StateError::Malformed {
                field: "version",
                problem: "truncated",
            })
        }
    }
    let split = bytes
        .len()
        .checked_sub(4)
        .filter(|&s| s >= 3)
        .ok_or(StateError::Malformed {
            field: "checksum",
            problem: "truncated",
        })?;
    let (content, checksum) = bytes.split_at(split);
    let stored = <[u8; 4]>::try_from(checksum)
        .map(u32::from_le_bytes)
        .map_err(|_| StateError::Checksum)?;
    if crc32::crc32(content) != stored {
        return Err(StateError::Checksum);
    }
    let body = content.get(3..).unwrap_or_default();
    let state = decode_body(&model, body)?;
    Ok(Session::from_state(model, state))
}

fn encode(model: &Model, s: &VisitorState) -> String {
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

fn read_scalar(r: &mut Reader, field: &'static str) -> Result<Scalar, Malformed> {
    match r.u8(field)? {
        0 => Ok(Scalar::Text(r.str(field, MAX_TEXT_LEN)?)),
        1 => Ok(Scalar::Number(r.f64(field)?)),
        2 => Ok(Scalar::Bool(false)),
        3 => Ok(Scalar::Bool(true)),
        _ => Err(Malformed {
            field,
            problem: "unknown value tag",
        }),
    }
}

fn read_flag(r: &mut Reader, field: &'static str) -> Result<bool, Malformed> {
    match r.u8(field)? {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Malformed {
            field,
            problem: "not a flag",
        }),
    }
}

fn decode_body(model: &Model, body: &[u8]) -> Result<VisitorState, StateError> {
    let mut r = Reader::new(body);
    let r = &mut r;
    let visitor = r.str("visitor", MAX_ID_LEN)?;
    let user_id = if read_flag(r, "userId")? {
        Some(r.str("userId", MAX_ID_LEN)?)
    } else {
        None
    };
    let first_seen = if read_flag(r, "firstSeen")? {
        Some(checked_time(r.uvar("firstSeen")? as i64, "firstSeen")?)
    } else {
        None
    };
    let base = first_seen.unwrap_or(0);
    let time = |r: &mut Reader, field: &'static str| -> Result<Millis, Malformed> {
        checked_time(base.saturating_add(r.ivar(field)?), field)
    };
    let opt_time = |r: &mut Reader, field: &'static str| -> Result<Option<Millis>, Malformed> {
        if read_flag(r, field)? {
            time(r, field).map(Some)
        } else {
            Ok(None)
        }
    };
    let mut s = VisitorState::new(&visitor, model.rules.len());
    s.user_id = user_id;
    s.first_seen = first_seen;
    s.last_seen = time(r, "lastSeen")?;
    s.session_start = time(r, "sessionStart")?;
    s.sessions = small(r.uvar("sessions")?, "sessions")?;
    s.engaged_ms = r.uvar("engagedMs")?;
    s.burst_start = time(r, "burstStart")?;
    s.burst_pages = small(r.uvar("burstPages")?, "burstPages")?;
    s.stage = Stage::ALL
        .get(usize::from(r.u8("stage")?))
        .copied()
        .ok_or(Malformed {
            field: "stage",
            problem: "unknown stage",
        })?;
    for reached in s.reached_at.iter_mut() {
        *reached = opt_time(r, "reachedAt")?;
    }
    let mut levels = [Level::default(); 2];
    for level in levels.iter_mut() {
        level.active = read_flag(r, "level")?;
        level.entered_at = opt_time(r, "level.enteredAt")?;
        level.exited_at = opt_time(r, "level.exitedAt")?;
    }
    [s.mql, s.sql] = levels;
    s.bot = if read_flag(r, "bot")? {
        Some(r.str("bot", MAX_ID_LEN)?)
    } else {
        None
    };
    for _ in 0..r.count("traits", MAX_TRAITS)? {
        let name = r.str("traits.name", MAX_ID_LEN)?;
        s.traits.push((name, read_scalar(r, "traits.value")?));
    }
    for _ in 0..r.count("slots", MAX_SLOTS)? {
        let slot = r.str("slots.slot", MAX_ID_LEN)?;
        let value = read_scalar(r, "slots.value")?;
        s.slots.push(SlotFill {
            slot,
            value,
            at: time(r, "slots.at")?,
        });
    }
    for _ in 0..r.count("messageIds", MAX_MESSAGE_IDS)? {
        s.message_ids.push(r.u32("messageIds")?);
    }
    let mut touches = [None, None];
    for touch in touches.iter_mut() {
        if read_flag(r, "touch")? {
            let referrer = if read_flag(r, "touch.referrer")? {
                Some(r.str("touch.referrer", MAX_ID_LEN)?)
            } else {
                None
            };
            let mut utm = Vec::new();
            for _ in 0..r.count("touch.utm", 5)? {
                utm.push((r.str("touch.utm", 16)?, r.str("touch.utm", MAX_ID_LEN)?));
            }
            *touch = Some(Touch { referrer, utm });
        }
    }
    [s.first_touch, s.last_touch] = touches;
    for _ in 0..r.count("evidence", MAX_EVIDENCE)? {
        let key = r.u32("evidence.rule")?;
        let mut e = Evidence {
            count: small(r.uvar("evidence.count")?, "evidence.count")?,
            session: small(r.uvar("evidence.session")?, "evidence.session")?,
            session_hits: small(r.uvar("evidence.sessionHits")?, "evidence.sessionHits")?,
            ..Evidence::default()
        };
        for _ in 0..r.count("evidence.hits", MAX_HITS)? {
            e.hits.push(time(r, "evidence.hits")?);
        }
        e.folded = r.f64("evidence.folded")?;
        e.folded_at = time(r, "evidence.foldedAt")?;
        for _ in 0..r.count("evidence.matches", MAX_MATCHES)? {
            e.matches.push(time(r, "evidence.matches")?);
        }
        e.progress = r.f64("evidence.progress")?;
        if e.folded < 0.0 || e.progress < 0.0 {
            return Err(Malformed {
                field: "evidence",
                problem: "negative amount",
            }
            .into());
        }
        // NOTE: evidence for rules the model no longer has is dropped: that is how a
        // changed model re-scores what it still recognises.
        if let Some(index) = model
            .rules
            .iter()
            .position(|rule| rule_key(&rule.id) == key)
        {
            if let Some(slot) = s.evidence.get_mut(index) {
                *slot = e;
            }
        }
    }
    if !r.is_done() {
        return Err(Malformed {
            field: "end",
            problem: "trailing bytes",
        }
        .into());
    }
    Ok(s)
}

fn checked_time(t: Millis, field: &'static str) -> Result<Millis, Malformed> {
    if (crate::core::time::MIN_TIME..=crate::core::time::MAX_TIME).contains(&t) {
        Ok(t)
    } else {
        Err(Malformed {
            field,
            problem: "time out of range",
        })
    }
}

fn small(n: u64, field: &'static str) -> Result<u32, Malformed> {
    u32::try_from(n).map_err(|_| Malformed {
        field,
        problem: "number too large",
    })
}
