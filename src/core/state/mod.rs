//! Persisted state: compact, versioned, checksummed, bounded; base64url text.
//!
//! Layout: `"LP"`, version byte, body, CRC-32 of everything before it. The body holds
//! evidence per rule keyed by a hash of the rule id, so a changed model re-scores what it
//! still has rules for. Times are stored as zigzag varint offsets from `firstSeen`. Version 2
//! appends the last hand-off and the questions for sales; version 1 state still restores.
mod bytes;
mod decode;
mod encode;

use std::sync::Arc;

use bytes::Malformed;

use crate::core::encoding::{base64url, crc32};
use crate::core::engine::state::VisitorState;
use crate::core::engine::Session;
use crate::core::model::{fnv1a64, Model};

/// Hard cap on saved state, in characters (bytes) of base64url text.
pub const MAX_STATE_CHARS: usize = 3072;
const MAGIC: &[u8; 2] = b"LP";
/// Version 2 adds the route of each stage, the last hand-off and the questions for sales;
/// version 1 still reads.
const VERSION: u8 = 2;
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
    /// Valid state, but of another visitor than the session was asked for.
    OtherVisitor(String),
}

impl StateError {
    /// Why the state was discarded, for `session.restoreError`.
    pub fn describe(&self) -> String {
        match self {
            StateError::Empty => "saved state is empty".into(),
            StateError::TooLarge { chars } => format!(
                "saved state is {chars} characters, over the {MAX_STATE_CHARS}-character cap"
            ),
            StateError::NotBase64 { at } => {
                format!("saved state is not base64url (bad character at offset {at})")
            }
            StateError::Foreign => "saved state was not written by LeadPulse".into(),
            StateError::UnsupportedVersion(v) => {
                format!("saved state has version {v}; this engine reads versions 1 to {VERSION}")
            }
            StateError::Checksum => "saved state is corrupt (checksum mismatch)".into(),
            StateError::Malformed { field, problem } => {
                format!("saved state is corrupt ({field}: {problem})")
            }
            StateError::OtherVisitor(visitor) => {
                format!("saved state belongs to visitor '{visitor}'")
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
        let text = encode::encode(model, &state);
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
    } else if state.questions.pop().is_some() {
    } else if state.traits.pop().is_none() && state.slots.pop().is_none() {
        return false;
    }
    true
}

fn model_reads_trait(model: &Model, name: &str) -> bool {
    use crate::core::model::Condition;
    fn reads(c: &Condition, name: &str) -> bool {
        match c {
            Condition::Trait { name: n, .. } => n == name,
            Condition::All { parts } => parts.iter().any(|p| reads(p, name)),
            _ => false,
        }
    }
    let reads = |c: &Condition| reads(c, name);
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
    let version = match bytes.get(2) {
        Some(&v @ 1..=VERSION) => v,
        Some(&other) => return Err(StateError::UnsupportedVersion(other)),
        None => {
            return Err(StateError::Malformed {
                field: "version",
                problem: "truncated",
            })
        }
    };
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
    let state = decode::decode_body(&model, version, body)?;
    Ok(Session::from_state(model, state))
}

/// [`restore`] for `visitor`: state of another visitor is refused (a shared device, a copied
/// cookie). An empty `visitor` takes whoever the state belongs to.
pub fn restore_for(model: Arc<Model>, text: &str, visitor: &str) -> Result<Session, StateError> {
    let session = restore(model, text)?;
    let owner = session.visitor();
    if visitor.is_empty() || owner.is_empty() || owner == visitor {
        Ok(session)
    } else {
        Err(StateError::OtherVisitor(owner.to_string()))
    }
}
