//! Who gets a new SQL: the first owner rule whose trait condition the lead meets (e.g. big
//! companies to the enterprise rep), else the next rep in turn.
//!
//! Rules file (`--owner-rules FILE`, docs/collector.md): the trait conditions of the model
//! format, read with the same reader, every problem with its path:
//!
//! ```json
//! [ { "owner": "ana", "when": { "trait": "company.employee_count", "range": { "min": 1000 } } },
//!   { "owner": "ben", "when": { "trait": "country", "oneOf": ["de", "at", "ch"] } } ]
//! ```
use std::path::Path;

use leadpulse::core::event::Scalar;
use leadpulse::core::json::{index, Obj, Problems, Value};
use leadpulse::core::model::{Condition, TraitTest};
use leadpulse::core::sorted_map::SortedMap;

#[derive(Debug, Default)]
pub struct Owners {
    rules: Vec<(String, String, TraitTest)>,
    turns: Vec<String>,
}

impl Owners {
    pub fn new(turns: Vec<String>) -> Owners {
        Owners {
            rules: Vec::new(),
            turns,
        }
    }

    /// Reads a rules file; the error lists every problem with its JSON path.
    pub fn with_rules(mut self, path: &Path) -> Result<Owners, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--owner-rules {}: {e}", path.display()))?;
        let value = Value::from_text(&text)
            .map_err(|e| format!("--owner-rules {}: not JSON: {e}", path.display()))?;
        let mut problems = Problems::default();
        let items = value.as_array().unwrap_or_default();
        if value.as_array().is_none() {
            problems.range("", "expected an array of {owner, when}");
        }
        for (i, item) in items.iter().enumerate() {
            let path = index("", i);
            let Some(rule) = Obj::open(item, &path, Some(&["owner", "when"]), &mut problems) else {
                continue;
            };
            let owner: Option<String> = rule.req("owner", &mut problems);
            let when: Option<Condition> = rule.req("when", &mut problems);
            match (owner, when) {
                (Some(owner), Some(Condition::Trait { name, test })) => {
                    self.rules.push((owner, name, test))
                }
                (_, Some(_)) => {
                    problems.range(&rule.path_of("when"), "an owner rule tests a trait")
                }
                _ => {}
            }
        }
        if problems.is_empty() {
            return Ok(self);
        }
        let lines: Vec<String> = problems
            .0
            .iter()
            .map(|p| format!("  {}", p.describe()))
            .collect();
        Err(format!(
            "--owner-rules {}:\n{}",
            path.display(),
            lines.join("\n")
        ))
    }

    /// Every owner a lead may get: the rules' and the turns'.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let mut names: Vec<&str> = self
            .rules
            .iter()
            .map(|(o, _, _)| o.as_str())
            .chain(self.turns.iter().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        names.into_iter()
    }

    /// The owner of a lead that reaches sales, by its traits (a summary's, or those a
    /// request's fields fill); `sequence` counts the leads assigned so far (for turns).
    pub fn assign(&self, traits: &SortedMap<String, Scalar>, sequence: u64) -> Option<String> {
        let by_rule = self
            .rules
            .iter()
            .find(|(_, name, test)| traits.get(name).is_some_and(|value| test.check(value)));
        if let Some((owner, _, _)) = by_rule {
            return Some(owner.clone());
        }
        let turn = sequence.checked_rem(self.turns.len() as u64)?;
        self.turns.get(turn as usize).cloned()
    }
}
