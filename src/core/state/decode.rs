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

pub(super) fn decode_body(
    model: &Model,
    version: u8,
    body: &[u8],
) -> Result<VisitorState, StateError> {
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
        if version >= 2 {
            level.route = r.u8("level.route")?;
        }
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
    if version >= 2 {
        if read_flag(r, "handoff")? {
            let revision = small(r.uvar("handoff.revision")?, "handoff.revision")?;
            let fingerprint = r.u64("handoff.fingerprint")?;
            let at = time(r, "handoff.at")?;
            s.handoff = Some(Handoff {
                revision,
                fingerprint,
                at,
            });
        }
        for _ in 0..r.count("questions", MAX_QUESTIONS)? {
            s.questions.push(r.str("questions", MAX_QUESTION_LEN)?);
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
