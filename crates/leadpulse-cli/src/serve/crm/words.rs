//! A summary's reasons in words, for people reading a CRM record: the model's own rule
//! descriptions ("Requested a demo (+20)"), by the model the summary names. Compiled models
//! carry no descriptions: their reasons read as the rule ids, spaced out.
use std::collections::HashMap;
use std::path::Path;

use leadpulse::core::model::{Model, BUILTIN_JSON};
use serde_json::Value;

/// Rule descriptions by model hash, then by rule id.
#[derive(Debug, Default)]
pub struct Words(HashMap<String, HashMap<String, String>>);

/// A model document's rule descriptions, if it is a document that validates.
fn descriptions(text: &str) -> Option<(String, HashMap<String, String>)> {
    let hash = Model::from_json_text(text).ok()?.hash;
    let document: Value = serde_json::from_str(text).ok()?;
    let rules = document["rules"]
        .as_array()?
        .iter()
        .filter_map(|rule| {
            Some((
                rule["id"].as_str()?.to_string(),
                rule["description"].as_str()?.to_string(),
            ))
        })
        .collect();
    Some((hash, rules))
}

impl Words {
    /// The descriptions of the built-in model and of every model document in `paths` (the
    /// collector's `--model` files; compiled ones are skipped).
    pub fn load(paths: &[impl AsRef<Path>]) -> Words {
        let texts = paths
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .chain([BUILTIN_JSON.to_string()]);
        Words(texts.filter_map(|t| descriptions(&t)).collect())
    }

    /// The first `n` reasons of `summary`, one a line; `None` without any.
    pub fn reasons(&self, summary: &Value, n: usize) -> Option<String> {
        let rules = summary["model"].as_str().and_then(|m| self.0.get(m));
        let lines: Vec<String> = summary["reasons"]
            .as_array()?
            .iter()
            .take(n)
            .filter_map(|reason| {
                let rule = reason["rule"].as_str()?;
                let points = reason["points"].as_f64().unwrap_or_default();
                let what = match rule.strip_prefix("slot.") {
                    // NOTE: a slot's reason is the answer the visitor gave.
                    Some(slot) => match summary["slots"][slot].as_str() {
                        Some(answer) => format!("{}: {answer}", spaced(slot)),
                        None => spaced(slot),
                    },
                    None => rules
                        .and_then(|r| r.get(rule))
                        .cloned()
                        .unwrap_or_else(|| spaced(rule)),
                };
                Some(format!("{what} ({points:+})"))
            })
            .collect();
        (!lines.is_empty()).then(|| lines.join("\n"))
    }
}

/// `demo_request` → `demo request`.
fn spaced(id: &str) -> String {
    id.replace(['_', '.'], " ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reasons_read_as_the_model_describes_its_rules() {
        let words = Words::load(&[] as &[&Path]);
        let builtin = Model::builtin().hash;
        let summary = json!({
            "model": builtin,
            "reasons": [
                {"rule": "demo_request", "points": 20},
                {"rule": "slot.budget", "points": 12},
                {"rule": "no_such_rule", "points": -5},
                {"rule": "pricing_page", "points": 10}
            ],
            "slots": {"budget": "approved"}
        });
        assert_eq!(
            words.reasons(&summary, 3).unwrap(),
            "Requested a demo (+20)\nbudget: approved (+12)\nno such rule (-5)"
        );
        let unknown_model =
            json!({"model": "0000", "reasons": [{"rule": "demo_request", "points": 20}]});
        assert_eq!(
            words.reasons(&unknown_model, 3).unwrap(),
            "demo request (+20)"
        );
        assert_eq!(words.reasons(&json!({"reasons": []}), 3), None);
    }
}
