//! Who gets a new SQL: the first owner rule whose trait condition the lead meets (e.g. big
//! companies to the enterprise rep), else the next rep in turn; how long they have to accept
//! it (`--sla`, a rule's `sla`) and who gets it after them; and each owner's booking page.
//!
//! Rules file (`--owner-rules FILE`, docs/collector.md): the trait conditions of the model
//! format, read with the same reader, every problem with its path:
//!
//! ```json
//! [ { "owner": "ana", "when": { "trait": "company.employee_count", "range": { "min": 1000 } },
//!     "sla": "15m", "bookingUrl": "https://cal.example.com/ana" },
//!   { "owner": "ben", "when": { "trait": "country", "oneOf": ["de", "at", "ch"] } } ]
//! ```
use std::collections::BTreeMap;
use std::path::Path;

use leadpulse::core::event::Scalar;
use leadpulse::core::json::{index, Obj, Problems, Value};
use leadpulse::core::model::{Condition, TraitTest};
use leadpulse::core::sorted_map::SortedMap;
use reqwest::Url;

use super::duration;

/// `--owner NAME[=URL]`: a rep in turn, and their booking page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerArg {
    pub name: String,
    pub booking_url: Option<String>,
}

fn booking_url(text: &str) -> Result<String, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("'{text}': {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("'{text}': a booking page is an http or https URL"));
    }
    Ok(url.to_string())
}

/// Reads `NAME` or `NAME=URL`.
pub fn owner_arg(text: &str) -> Result<OwnerArg, String> {
    let (name, url) = match text.split_once('=') {
        Some((name, url)) => (name, Some(booking_url(url)?)),
        None => (text, None),
    };
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("'{text}' is not NAME or NAME=URL"));
    }
    Ok(OwnerArg {
        name: name.to_string(),
        booking_url: url,
    })
}

#[derive(Debug)]
struct Rule {
    owner: String,
    trait_name: String,
    test: TraitTest,
    window_ms: Option<i64>,
}

/// Who gets a lead, and how long they have to accept it (`None`: no window).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub owner: Option<String>,
    pub window_ms: Option<i64>,
}

#[derive(Debug, Default)]
pub struct Owners {
    rules: Vec<Rule>,
    turns: Vec<String>,
    booking: BTreeMap<String, String>,
    /// `--sla`: the window of leads no rule with its own `sla` assigned.
    window_ms: Option<i64>,
}

impl Owners {
    /// The reps in turn (`--owner`) and the default window (`--sla`).
    pub fn new(turns: &[OwnerArg], window_ms: Option<i64>) -> Result<Owners, String> {
        let mut owners = Owners {
            window_ms,
            ..Owners::default()
        };
        for arg in turns {
            owners.turns.push(arg.name.clone());
            if let Some(url) = &arg.booking_url {
                owners
                    .book(&arg.name, url)
                    .map_err(|e| format!("--owner: {e}"))?;
            }
        }
        Ok(owners)
    }

    /// Records `owner`'s booking page; a second, different one for the same owner is refused.
    fn book(&mut self, owner: &str, url: &str) -> Result<(), String> {
        match self.booking.get(owner) {
            Some(known) if known != url => Err(format!(
                "{owner} has two booking pages, {known} and {url}: give one"
            )),
            _ => {
                self.booking.insert(owner.to_string(), url.to_string());
                Ok(())
            }
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
            problems.range("", "expected an array of {owner, when, sla?, bookingUrl?}");
        }
        let keys: &[&str] = &["owner", "when", "sla", "bookingUrl"];
        for (i, item) in items.iter().enumerate() {
            let path = index("", i);
            let Some(rule) = Obj::open(item, &path, Some(keys), &mut problems) else {
                continue;
            };
            let owner: Option<String> = rule.req("owner", &mut problems);
            let when: Option<Condition> = rule.req("when", &mut problems);
            let sla: Option<String> = rule.opt("sla", &mut problems);
            let url: Option<String> = rule.opt("bookingUrl", &mut problems);
            let window_ms = sla.and_then(|text| {
                duration::parse(&text)
                    .map_err(|e| problems.range(&rule.path_of("sla"), e))
                    .ok()
            });
            let url = url.and_then(|text| {
                booking_url(&text)
                    .map_err(|e| problems.range(&rule.path_of("bookingUrl"), e))
                    .ok()
            });
            if let (Some(owner), Some(url)) = (&owner, &url) {
                if let Err(e) = self.book(owner, url) {
                    problems.range(&rule.path_of("bookingUrl"), e);
                }
            }
            match (owner, when) {
                (Some(owner), Some(Condition::Trait { name, test })) => self.rules.push(Rule {
                    owner,
                    trait_name: name,
                    test,
                    window_ms,
                }),
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
            .map(|rule| rule.owner.as_str())
            .chain(self.turns.iter().map(String::as_str))
            .collect();
        names.sort_unstable();
        names.dedup();
        names.into_iter()
    }

    /// The owner of a lead that reaches sales, by its traits (a summary's, or those a
    /// request's fields fill), and its window; `sequence` counts the leads assigned so far
    /// (for turns).
    pub fn assign(&self, traits: &SortedMap<String, Scalar>, sequence: u64) -> Assignment {
        let by_rule = self.rules.iter().find(|rule| {
            traits
                .get(&rule.trait_name)
                .is_some_and(|value| rule.test.check(value))
        });
        if let Some(rule) = by_rule {
            return Assignment {
                owner: Some(rule.owner.clone()),
                window_ms: rule.window_ms.or(self.window_ms),
            };
        }
        let owner = sequence
            .checked_rem(self.turns.len() as u64)
            .and_then(|turn| self.turns.get(turn as usize))
            .cloned();
        Assignment {
            owner,
            window_ms: self.window_ms,
        }
    }

    /// Who gets a lead that `current` did not accept in time: the rep after them in turn (the
    /// first, for an owner not in turn). A lead handed to `first` moves at most once to each
    /// other rep in turn (`moves` so far), so it goes round once and then stays.
    pub fn next_owner(&self, current: &str, first: &str, moves: u32) -> Option<&str> {
        let len = self.turns.len();
        let rounds = len - usize::from(self.turns.iter().any(|t| t == first));
        if moves as usize >= rounds {
            return None;
        }
        let at = self.turns.iter().position(|t| t == current);
        let next = match at {
            Some(i) => self.turns.get((i + 1) % len),
            None => self.turns.first(),
        }?;
        (next != current).then_some(next.as_str())
    }

    /// Whether any lead can get a window (`--sla`, or a rule's `sla`).
    pub fn has_sla(&self) -> bool {
        self.window_ms.is_some() || self.rules.iter().any(|r| r.window_ms.is_some())
    }

    /// The booking page of `owner`, if they have one.
    pub fn booking_url(&self, owner: Option<&str>) -> Option<String> {
        owner.and_then(|o| self.booking.get(o)).cloned()
    }

    /// Every owner's booking page.
    pub fn bookings(&self) -> &BTreeMap<String, String> {
        &self.booking
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn turns(names: &[&str]) -> Owners {
        let args: Vec<OwnerArg> = names.iter().map(|n| owner_arg(n).unwrap()).collect();
        Owners::new(&args, Some(60_000)).unwrap()
    }

    #[test]
    fn a_late_lead_goes_round_the_reps_once() {
        let owners = turns(&["ana", "ben", "cat"]);
        // Handed to ben: cat, then ana, then it stays.
        assert_eq!(owners.next_owner("ben", "ben", 0), Some("cat"));
        assert_eq!(owners.next_owner("cat", "ben", 1), Some("ana"));
        assert_eq!(owners.next_owner("ana", "ben", 2), None);
        // Handed to a rule's owner: every rep in turn gets it once.
        assert_eq!(owners.next_owner("eve", "eve", 0), Some("ana"));
        assert_eq!(owners.next_owner("cat", "eve", 3), None);
        assert_eq!(turns(&["ana"]).next_owner("ana", "ana", 0), None);
        assert_eq!(turns(&[]).next_owner("eve", "eve", 0), None);
    }

    #[test]
    fn owners_may_have_one_booking_page() {
        let ana = owner_arg("ana=https://cal.example.com/ana").unwrap();
        assert_eq!(
            ana.booking_url.as_deref(),
            Some("https://cal.example.com/ana")
        );
        let owners = Owners::new(&[ana.clone(), owner_arg("ben").unwrap()], None).unwrap();
        assert_eq!(
            owners.booking_url(Some("ana")).as_deref(),
            Some("https://cal.example.com/ana")
        );
        assert_eq!(owners.booking_url(Some("ben")), None);
        let other = owner_arg("ana=https://cal.example.com/other").unwrap();
        assert!(Owners::new(&[ana, other], None).is_err());
        for bad in ["=https://x.example", "ana=ftp://x.example", "ana=not a url"] {
            assert!(owner_arg(bad).is_err(), "{bad}");
        }
    }
}
