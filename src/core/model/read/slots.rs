//! Qualification slots (questions, answers, `filledBy`) and the frameworks that list them.
use super::rules::axis;
use super::{positive, valid_id, MAX_SLOTS};
use crate::core::json::{index, FromJson, Obj, Problems, Value};
use crate::core::model::{AnswerOption, Axis, Condition, Framework, Slot};
use crate::core::sorted_map::SortedMap;

const SLOT_KEYS: &[&str] = &[
    "id",
    "question",
    "weight",
    "axis",
    "shareable",
    "answers",
    "filledBy",
];

pub(super) fn slots(top: &Obj, p: &mut Problems) -> Option<Vec<Slot>> {
    let Some(value) = top.get("slots") else {
        return Some(Vec::new());
    };
    let Value::Array(items) = value else {
        return Vec::<String>::from_json(value, "slots", p).and(None);
    };
    if items.len() > MAX_SLOTS {
        p.range(
            "slots",
            [
                "at most ",
                &MAX_SLOTS.to_string(),
                " slots, found ",
                &items.len().to_string(),
            ]
            .concat(),
        );
    }
    let mut seen: SortedMap<String, usize> = SortedMap::new();
    let mut slots = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(s) = Obj::open(item, &index("slots", i), Some(SLOT_KEYS), p) else {
            continue;
        };
        let id: Option<String> = s.req("id", p);
        if let Some(id) = &id {
            if !valid_id(id) {
                p.range(
                    &s.path_of("id"),
                    "a slot id uses letters, digits, '_', '-', '.' (at most 64)",
                );
            } else if seen.insert(id.clone(), i).is_some() {
                p.range(&s.path_of("id"), ["duplicate slot id '", id, "'"].concat());
            }
        }
        let question: Option<String> = s.req("question", p);
        let weight = positive(&s, "weight", p).unwrap_or(1.0);
        let axis = axis(&s, "axis", p).unwrap_or(Axis::Fit);
        let shareable: bool = s.opt("shareable", p).unwrap_or(false);
        let options = answers(&s, p);
        let filled_by: Vec<Condition> = s.opt("filledBy", p).unwrap_or_default();
        for (j, c) in filled_by.iter().enumerate() {
            if !matches!(
                c,
                Condition::Trait { .. } | Condition::Event { .. } | Condition::Page { .. }
            ) {
                p.range(
                    &index(&s.path_of("filledBy"), j),
                    "a slot is filled by a trait, an event or a page",
                );
            }
        }
        if let (Some(id), Some(question)) = (id, question) {
            slots.push(Slot {
                id,
                question,
                weight,
                axis,
                shareable,
                options,
                filled_by,
            });
        }
    }
    Some(slots)
}

fn answers(slot: &Obj, p: &mut Problems) -> Vec<AnswerOption> {
    let Some(value) = slot.get("answers") else {
        return Vec::new();
    };
    let Value::Array(items) = value else {
        let _ = Vec::<String>::from_json(value, &slot.path_of("answers"), p);
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(a) = Obj::open(
            item,
            &index(&slot.path_of("answers"), i),
            Some(&["values", "points", "disqualifies"]),
            p,
        ) else {
            continue;
        };
        let values: Option<Vec<String>> = a.req("values", p);
        if values
            .as_ref()
            .is_some_and(|v| v.is_empty() || v.iter().any(|s| s.trim().is_empty()))
        {
            p.range(
                &a.path_of("values"),
                "must list at least one non-empty value",
            );
        }
        let points: Option<f64> = a.req("points", p);
        if points.is_some_and(|n| n.abs() > super::MAX_POINTS) {
            p.range(&a.path_of("points"), super::POINTS_RANGE);
        }
        let disqualifies: bool = a.opt("disqualifies", p).unwrap_or(false);
        if let (Some(values), Some(points)) = (values, points) {
            out.push(AnswerOption {
                values,
                points,
                disqualifies,
            });
        }
    }
    out
}

pub(super) fn frameworks(
    top: &Obj,
    slots: &Option<Vec<Slot>>,
    p: &mut Problems,
) -> Option<Vec<Framework>> {
    let Some(value) = top.get("frameworks") else {
        return Some(Vec::new());
    };
    let f = Obj::open(value, "frameworks", None, p)?;
    if f.map.len() > 16 {
        p.range("frameworks", "at most 16 frameworks");
    }
    let mut out = Vec::new();
    for (id, list) in f.sorted() {
        let path = f.path_of(id);
        if !valid_id(id) {
            p.range(
                &path,
                "a framework id uses letters, digits, '_', '-', '.' (at most 64)",
            );
        }
        let Some(names) = Vec::<String>::from_json(list, &path, p) else {
            continue;
        };
        if names.is_empty() {
            p.range(&path, "a framework needs at least one slot");
        }
        let mut indices = Vec::new();
        for (i, name) in names.iter().enumerate() {
            match slots
                .as_ref()
                .and_then(|s| s.iter().position(|slot| &slot.id == name))
            {
                Some(found) => indices.push(found),
                None if slots.is_some() => p.range(
                    &index(&path, i),
                    ["unknown slot '", name, "'; declare it under `slots`"].concat(),
                ),
                None => {}
            }
        }
        out.push(Framework {
            id: id.clone(),
            slots: indices,
        });
    }
    Some(out)
}
