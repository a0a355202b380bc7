//! What the engine remembers about one visitor: evidence per rule, not raw events.
use crate::core::event::Scalar;
use crate::core::model::Stage;
use crate::core::time::Millis;

/// Counted hits kept per rule (for frequency limits and windows).
pub const MAX_HITS: usize = 8;
/// Recent matches kept per rule for `repeat` conditions (the model allows `count` ≤ 16).
pub const MAX_MATCHES: usize = 16;
pub const MAX_TRAITS: usize = 32;
pub const MAX_MESSAGE_IDS: usize = 32;
/// Questions typed into the chat that are kept for sales (the latest ones).
pub const MAX_QUESTIONS: usize = 3;
/// Longest question kept, in bytes.
pub const MAX_QUESTION_LEN: usize = 240;

/// Evidence for one rule.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Evidence {
    /// Times of the most recent counted hits, oldest first.
    pub hits: Vec<Millis>,
    /// A decay-weighted count of hits as of `folded_at`; exact, because a sum of decayed
    /// ones decays as one. Rules without a window fold every hit here as it happens, so
    /// reading them costs one `exp2` whatever their history; rules with a window fold only
    /// the hits pushed out of `hits`.
    pub folded: f64,
    pub folded_at: Millis,
    /// Counted hits ever (for `once`).
    pub count: u32,
    /// Counted hits in session number `session` (for per-session frequency).
    pub session: u32,
    pub session_hits: u32,
    /// Times of the most recent matches of the base condition, counted or not (for `repeat`).
    pub matches: Vec<Millis>,
    /// Accumulated engaged seconds for `engagedSeconds` rules (reset per session if so set).
    pub progress: f64,
}

impl Evidence {
    pub fn is_empty(&self) -> bool {
        *self == Evidence::default()
    }
}

/// A chat answer, or a slot filled by an event or page.
#[derive(Debug, Clone, PartialEq)]
pub struct SlotFill {
    pub slot: String,
    pub value: Scalar,
    pub at: Millis,
}

/// Where a visit came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Touch {
    pub referrer: Option<String>,
    /// (utm key without the `utm_` prefix, value), e.g. ("source", "google").
    pub utm: Vec<(String, String)>,
}

/// The last summary handed off: its revision, and a fingerprint of what it said, so that a
/// material change makes the next revision due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handoff {
    pub revision: u32,
    pub fingerprint: u64,
    pub at: Millis,
}

/// Hysteresis state of a scored stage (MQL, SQL).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Level {
    pub active: bool,
    pub entered_at: Option<Millis>,
    pub exited_at: Option<Millis>,
    /// The route it was entered by: 0 the scored one, `i + 1` the threshold's `routes[i]`.
    pub route: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VisitorState {
    pub visitor: String,
    pub user_id: Option<String>,
    pub first_seen: Option<Millis>,
    pub last_seen: Millis,
    pub session_start: Millis,
    pub sessions: u32,
    pub engaged_ms: u64,
    /// Page views in the minute starting at `burst_start` (bot detection).
    pub burst_start: Millis,
    pub burst_pages: u32,
    /// One entry per model rule, in model order.
    pub evidence: Vec<Evidence>,
    pub traits: Vec<(String, Scalar)>,
    pub slots: Vec<SlotFill>,
    pub message_ids: Vec<u32>,
    pub bot: Option<String>,
    /// Highest stage reached, and when each stage was first reached.
    pub stage: Stage,
    pub reached_at: [Option<Millis>; 4],
    pub mql: Level,
    pub sql: Level,
    pub first_touch: Option<Touch>,
    pub last_touch: Option<Touch>,
    pub handoff: Option<Handoff>,
    pub questions: Vec<String>,
}

impl VisitorState {
    pub fn new(visitor: &str, rules: usize) -> VisitorState {
        VisitorState {
            visitor: visitor.to_string(),
            user_id: None,
            first_seen: None,
            last_seen: 0,
            session_start: 0,
            sessions: 0,
            engaged_ms: 0,
            burst_start: 0,
            burst_pages: 0,
            evidence: vec![Evidence::default(); rules],
            traits: Vec::new(),
            slots: Vec::new(),
            message_ids: Vec::new(),
            bot: None,
            stage: Stage::Visitor,
            reached_at: [None; 4],
            mql: Level::default(),
            sql: Level::default(),
            first_touch: None,
            last_touch: None,
            handoff: None,
            questions: Vec::new(),
        }
    }

    pub fn trait_value(&self, name: &str) -> Option<&Scalar> {
        self.traits.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    pub fn slot_fill(&self, slot: &str) -> Option<&SlotFill> {
        self.slots.iter().find(|f| f.slot == slot)
    }

    pub fn reach(&mut self, stage: Stage, at: Millis) {
        if let Some(slot @ None) = self.reached_at.get_mut(stage.index()) {
            *slot = Some(at);
        }
        self.stage = self.stage.max(stage);
    }
}
