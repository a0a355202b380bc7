//! Slot answers (chat transcripts in the history as `answer` events) learned like rules: each
//! answer option of the base's slots is a column — 1 when the lead's answer is one of the
//! option's values — and so is each other answer value with the support a rule needs (a new
//! option). The points learned become the options' points; an option no training lead gave
//! keeps its own (nothing to learn it from).
use leadpulse::core::engine::state::VisitorState;
use leadpulse::core::model::text_eq;
use serde_json::{json, Value};

use super::candidates::{slug, Axis, Candidate, Origin};
use super::signals::Signals;

/// The slots of a base document: (id, axis, options' values).
fn slots(base: &Value) -> Vec<(String, Axis, Vec<Vec<String>>)> {
    let Some(slots) = base.get("slots").and_then(Value::as_array) else {
        return Vec::new();
    };
    slots
        .iter()
        .filter_map(|slot| {
            let id = slot.get("id")?.as_str()?.to_string();
            let axis = match slot.get("axis").and_then(Value::as_str) {
                Some("engagement") => Axis::Engagement,
                _ => Axis::Fit,
            };
            let options = slot
                .get("answers")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|o| {
                    o.get("values")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(|v| Some(v.as_str()?.to_string()))
                        .collect()
                })
                .collect();
            Some((id, axis, options))
        })
        .collect()
}

/// A column per option of each slot, and per other answer value with enough support.
pub fn propose(
    base: Option<&Value>,
    signals: &Signals,
    supported: &dyn Fn(usize) -> bool,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (slot, axis, options) in base.map(slots).unwrap_or_default() {
        let given = signals.answers.get(&slot);
        for (k, values) in options.iter().enumerate() {
            out.push(Candidate {
                id: format!(
                    "slot.{slot}={}",
                    slug(values.first().map_or("", String::as_str))
                ),
                description: format!("answered {slot}: {}", values.join(" / ")),
                rule: serde_json::Map::new(),
                axis,
                origin: Origin::Answer {
                    slot: slot.clone(),
                    option: Some(k),
                    values: values.clone(),
                },
            });
        }
        let listed = |v: &str| options.iter().flatten().any(|o| text_eq(o, v));
        for (value, count) in given.into_iter().flat_map(|g| g.values()) {
            if supported(*count) && !listed(value) {
                out.push(Candidate {
                    id: format!("slot.{slot}={}", slug(value)),
                    description: format!("answered {slot}: {value} (a new option)"),
                    rule: serde_json::Map::new(),
                    axis,
                    origin: Origin::Answer {
                        slot: slot.clone(),
                        option: None,
                        values: vec![value.clone()],
                    },
                });
            }
        }
    }
    out
}

/// The column of an answer candidate for a lead: 1 when its answer is one of the values.
pub fn column(candidate: &Candidate, state: &VisitorState) -> f64 {
    let Origin::Answer { slot, values, .. } = &candidate.origin else {
        return 0.0;
    };
    let answered = state
        .slot_fill(slot)
        .is_some_and(|fill| values.iter().any(|v| text_eq(v, &fill.value.text())));
    if answered {
        1.0
    } else {
        0.0
    }
}

/// Writes the learned points into the document's slots: an option's points (when training
/// leads gave it), a new option for another value (when it scores).
pub fn apply(doc: &mut Value, candidates: &[Candidate], points: &[i64], support: &[(u64, u64)]) {
    for ((c, &p), &(leads, _)) in candidates.iter().zip(points).zip(support) {
        let Origin::Answer {
            slot,
            option,
            values,
        } = &c.origin
        else {
            continue;
        };
        let Some(slot) = doc
            .get_mut("slots")
            .and_then(Value::as_array_mut)
            .and_then(|slots| slots.iter_mut().find(|s| s.get("id") == Some(&json!(slot))))
        else {
            continue;
        };
        match option {
            Some(k) if leads > 0 => {
                if let Some(o) = slot.pointer_mut(&format!("/answers/{k}")) {
                    o["points"] = json!(p);
                }
            }
            None if p != 0 => {
                let answers = slot
                    .as_object_mut()
                    .map(|s| s.entry("answers").or_insert_with(|| json!([])));
                if let Some(Value::Array(list)) = answers {
                    list.push(json!({"values": values, "points": p}));
                }
            }
            _ => {}
        }
    }
}
