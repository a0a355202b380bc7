//! Reading saved state: bounded, and every failure names the field it was on.
use super::bytes::{Malformed, Reader};
use super::{rule_key, StateError, MAX_EVIDENCE, MAX_SLOTS};
use crate::core::engine::state::{
    Evidence, Handoff, Level, SlotFill, Touch, VisitorState, MAX_HITS, MAX_MATCHES,
    MAX_MESSAGE_IDS, MAX_QUESTIONS, MAX_QUESTION_LEN, MAX_TRAITS,
};
use crate::core::event::{Scalar, MAX_ID_LEN, MAX_TEXT_LEN};
use crate::core::model::{Model, Stage};
use crate::core::time::Millis;

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

/// Times in the body are offsets from `firstSeen`: the reader keeps that base.
struct Body<'b> {
    r: Reader<'b>,
    base: Millis,
}

impl Body<'_> {
    fn time(&mut self, field: &'static str) -> Result<Millis, Malformed> {
        checked_time(self.base.saturating_add(self.r.ivar(field)?), field)
    }

    fn opt_time(&mut self, field: &'static str) -> Result<Option<Millis>, Malformed> {
        if read_flag(&mut self.r, field)? {
            self.time(field).map(Some)
        } else {
            Ok(None)
        }
    }

    fn opt_str(&mut self, field: &'static str, max: usize) -> Result<Option<String>, Malformed> {
        if read_flag(&mut self.r, field)? {
            self.r.str(field, max).map(Some)
        } else {
            Ok(None)
        }
    }
}

// NOTE: the read_* steps below are `#[inline(always)]`: as separate functions they added
// 129 B gzip to the browser wasm (95,197 → 95,326); inlined, the split costs 19 B.
pub(super) fn decode_body(
    model: &Model,
    version: u8,
    body: &[u8],
) -> Result<VisitorState, StateError> {
    let mut r = Reader::new(body);
    let visitor = r.str("visitor", MAX_ID_LEN)?;
    let mut b = Body { r, base: 0 };
    let user_id = b.opt_str("userId", MAX_ID_LEN)?;
    let first_seen = if read_flag(&mut b.r, "firstSeen")? {
        Some(checked_time(b.r.uvar("firstSeen")? as i64, "firstSeen")?)
    } else {
        None
    };
    b.base = first_seen.unwrap_or(0);
    let mut s = VisitorState::new(&visitor, model.rules.len());
    s.user_id = user_id;
    s.first_seen = first_seen;
    read_visits(&mut b, &mut s)?;
    read_stages(&mut b, &mut s, version)?;
    s.bot = b.opt_str("bot", MAX_ID_LEN)?;
    read_answers(&mut b, &mut s)?;
    read_touches(&mut b, &mut s)?;
    read_evidence(&mut b, &mut s, model)?;
    if version >= 2 {
        read_handoff(&mut b, &mut s)?;
    }
    if !b.r.is_done() {
        return Err(Malformed {
            field: "end",
            problem: "trailing bytes",
        }
        .into());
    }
    Ok(s)
}

/// When the visitor was seen, their sessions, engaged time and page burst.
#[inline(always)]
fn read_visits(b: &mut Body, s: &mut VisitorState) -> Result<(), Malformed> {
    s.last_seen = b.time("lastSeen")?;
    s.session_start = b.time("sessionStart")?;
    s.sessions = small(b.r.uvar("sessions")?, "sessions")?;
    s.engaged_ms = b.r.uvar("engagedMs")?;
    s.burst_start = b.time("burstStart")?;
    s.burst_pages = small(b.r.uvar("burstPages")?, "burstPages")?;
    Ok(())
}

/// The stage reached, when each was reached, and the MQL and SQL levels (with their routes
/// from version 2 on).
#[inline(always)]
fn read_stages(b: &mut Body, s: &mut VisitorState, version: u8) -> Result<(), Malformed> {
    s.stage = Stage::ALL
        .get(usize::from(b.r.u8("stage")?))
        .copied()
        .ok_or(Malformed {
            field: "stage",
            problem: "unknown stage",
        })?;
    for reached in s.reached_at.iter_mut() {
        *reached = b.opt_time("reachedAt")?;
    }
    let mut levels = [Level::default(); 2];
    for level in levels.iter_mut() {
        level.active = read_flag(&mut b.r, "level")?;
        level.entered_at = b.opt_time("level.enteredAt")?;
        level.exited_at = b.opt_time("level.exitedAt")?;
        if version >= 2 {
            level.route = b.r.u8("level.route")?;
        }
    }
    [s.mql, s.sql] = levels;
    Ok(())
}

/// Traits, slot answers and the chat messages already counted.
#[inline(always)]
fn read_answers(b: &mut Body, s: &mut VisitorState) -> Result<(), Malformed> {
    for _ in 0..b.r.count("traits", MAX_TRAITS)? {
        let name = b.r.str("traits.name", MAX_ID_LEN)?;
        s.traits
            .push((name, read_scalar(&mut b.r, "traits.value")?));
    }
    for _ in 0..b.r.count("slots", MAX_SLOTS)? {
        let slot = b.r.str("slots.slot", MAX_ID_LEN)?;
        let value = read_scalar(&mut b.r, "slots.value")?;
        let at = b.time("slots.at")?;
        s.slots.push(SlotFill { slot, value, at });
    }
    for _ in 0..b.r.count("messageIds", MAX_MESSAGE_IDS)? {
        s.message_ids.push(b.r.u32("messageIds")?);
    }
    Ok(())
}

/// The first and last touch: referrer and UTM parameters.
#[inline(always)]
fn read_touches(b: &mut Body, s: &mut VisitorState) -> Result<(), Malformed> {
    let mut touches = [None, None];
    for touch in touches.iter_mut() {
        if read_flag(&mut b.r, "touch")? {
            let referrer = b.opt_str("touch.referrer", MAX_ID_LEN)?;
            let mut utm = Vec::new();
            for _ in 0..b.r.count("touch.utm", 5)? {
                utm.push((b.r.str("touch.utm", 16)?, b.r.str("touch.utm", MAX_ID_LEN)?));
            }
            *touch = Some(Touch { referrer, utm });
        }
    }
    [s.first_touch, s.last_touch] = touches;
    Ok(())
}

/// Each rule's evidence, keyed by a hash of its id.
#[inline(always)]
fn read_evidence(b: &mut Body, s: &mut VisitorState, model: &Model) -> Result<(), Malformed> {
    for _ in 0..b.r.count("evidence", MAX_EVIDENCE)? {
        let key = b.r.u32("evidence.rule")?;
        let mut e = Evidence {
            count: small(b.r.uvar("evidence.count")?, "evidence.count")?,
            session: small(b.r.uvar("evidence.session")?, "evidence.session")?,
            session_hits: small(b.r.uvar("evidence.sessionHits")?, "evidence.sessionHits")?,
            ..Evidence::default()
        };
        for _ in 0..b.r.count("evidence.hits", MAX_HITS)? {
            e.hits.push(b.time("evidence.hits")?);
        }
        e.folded = b.r.f64("evidence.folded")?;
        e.folded_at = b.time("evidence.foldedAt")?;
        for _ in 0..b.r.count("evidence.matches", MAX_MATCHES)? {
            e.matches.push(b.time("evidence.matches")?);
        }
        e.progress = b.r.f64("evidence.progress")?;
        if e.folded < 0.0 || e.progress < 0.0 {
            return Err(Malformed {
                field: "evidence",
                problem: "negative amount",
            });
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
    Ok(())
}

/// Version 2: the last hand-off and the questions for sales.
#[inline(always)]
fn read_handoff(b: &mut Body, s: &mut VisitorState) -> Result<(), Malformed> {
    if read_flag(&mut b.r, "handoff")? {
        let revision = small(b.r.uvar("handoff.revision")?, "handoff.revision")?;
        let fingerprint = b.r.u64("handoff.fingerprint")?;
        let at = b.time("handoff.at")?;
        s.handoff = Some(Handoff {
            revision,
            fingerprint,
            at,
        });
    }
    for _ in 0..b.r.count("questions", MAX_QUESTIONS)? {
        s.questions.push(b.r.str("questions", MAX_QUESTION_LEN)?);
    }
    Ok(())
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
