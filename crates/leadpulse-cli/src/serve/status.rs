//! What sales does with a lead, and which step may follow which (docs/collector.md).
//!
//! `marketing` — an MQL: stored, not pushed to sales.
//! `new` — an SQL handed to sales (pushed to the webhooks), not yet answered.
//! `review` — an SQL the collector could not check (an unsigned summary of a model it was not
//!   given): listed, never pushed; someone who checked it may still accept or reject it.
//! `accepted` — sales took it (a sales-accepted lead, SAL).
//! `rejected` — sent back to marketing (nurture), with a reason; a later SQL revision of the
//!   same visitor reopens it as `new` once it re-armed (its score rose by the model's
//!   `stages.sql.rearmPoints` since), a request at once.
//! `opportunity`, then `won` (with an amount) or `lost` (with a reason).
//!
//! NOTE: these rules are the only copy: the API refuses what they refuse, and every lead the
//! API shows carries the steps allowed from its status (`allowed`), which the dashboard
//! renders its buttons and forms from.
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Marketing,
    New,
    Review,
    Accepted,
    Rejected,
    Opportunity,
    Won,
    Lost,
}

impl Status {
    pub const ALL: [Status; 8] = [
        Status::Marketing,
        Status::New,
        Status::Review,
        Status::Accepted,
        Status::Rejected,
        Status::Opportunity,
        Status::Won,
        Status::Lost,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Status::Marketing => "marketing",
            Status::New => "new",
            Status::Review => "review",
            Status::Accepted => "accepted",
            Status::Rejected => "rejected",
            Status::Opportunity => "opportunity",
            Status::Won => "won",
            Status::Lost => "lost",
        }
    }

    pub fn from_name(name: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.name() == name)
    }

    /// The statuses sales may move a lead to from this one.
    pub fn next(self) -> &'static [Status] {
        match self {
            Status::Marketing => &[],
            Status::New | Status::Review => &[Status::Accepted, Status::Rejected],
            Status::Accepted => &[Status::Opportunity, Status::Rejected, Status::Lost],
            Status::Opportunity => &[Status::Won, Status::Lost],
            Status::Rejected | Status::Won | Status::Lost => &[],
        }
    }

    /// Whether sales can move a lead to this status at all (the collector alone makes a lead
    /// `marketing`, `new` or `review`).
    pub fn next_of_any(self) -> bool {
        Status::ALL.iter().any(|from| from.next().contains(&self))
    }

    /// What moving a lead to this status asks for beside it.
    pub fn step(self) -> Step {
        let (reason, amount) = match self {
            // A lead sent back to marketing, or lost, says why.
            Status::Rejected | Status::Lost => (Some(Need::Required), None),
            Status::Opportunity => (None, Some(Need::Optional)),
            // The won amount is what the report sums (docs/metrics.md).
            Status::Won => (None, Some(Need::Required)),
            _ => (None, None),
        };
        Step {
            status: self,
            reason,
            amount,
        }
    }

    /// The steps sales may take from this status, with what each asks for.
    pub fn allowed(self) -> Vec<Step> {
        self.next().iter().map(|s| s.step()).collect()
    }
}

/// Whether a step asks for a field: it must be given, or may be. A field a step does not ask
/// for (`None`) must not be given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Need {
    Required,
    Optional,
}

/// A step sales may take (`{"status", "reason", "amount"}` in the API), with what it asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Step {
    pub status: Status,
    pub reason: Option<Need>,
    pub amount: Option<Need>,
}

impl Step {
    /// Checks the fields given with this step; the field at fault and why.
    pub fn check(self, reason: Option<&str>, amount: Option<f64>) -> Result<(), (String, String)> {
        let name = self.status.name();
        let fields = [
            ("reason", self.reason, reason.is_some()),
            ("amount", self.amount, amount.is_some()),
        ];
        for (field, need, given) in fields {
            match (need, given) {
                (Some(Need::Required), false) => {
                    return Err((field.into(), format!("a {name} step needs a {field}")))
                }
                (None, true) => {
                    return Err((field.into(), format!("a {name} step takes no {field}")))
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::Status;

    #[test]
    fn the_sales_path_and_its_dead_ends() {
        assert_eq!(Status::New.next(), [Status::Accepted, Status::Rejected]);
        assert!(Status::Accepted.next().contains(&Status::Opportunity));
        assert_eq!(Status::Opportunity.next(), [Status::Won, Status::Lost]);
        for done in [
            Status::Won,
            Status::Lost,
            Status::Rejected,
            Status::Marketing,
        ] {
            assert!(done.next().is_empty(), "{done:?}");
        }
        for s in Status::ALL {
            assert_eq!(Status::from_name(s.name()), Some(s));
        }
    }

    #[test]
    fn each_step_asks_for_what_the_rules_say() {
        use super::Need;
        let asks = |s: Status| (s.step().reason, s.step().amount);
        assert_eq!(asks(Status::Accepted), (None, None));
        assert_eq!(asks(Status::Rejected), (Some(Need::Required), None));
        assert_eq!(asks(Status::Opportunity), (None, Some(Need::Optional)));
        assert_eq!(asks(Status::Won), (None, Some(Need::Required)));
        assert_eq!(asks(Status::Lost), (Some(Need::Required), None));
        let lost = Status::Lost.step();
        assert_eq!(lost.check(Some("went elsewhere"), None), Ok(()));
        assert_eq!(
            lost.check(None, None).map_err(|e| e.0),
            Err("reason".into())
        );
        assert_eq!(
            lost.check(Some("x"), Some(5.0)).map_err(|e| e.0),
            Err("amount".into())
        );
        let opportunity = Status::Opportunity.step();
        assert_eq!(opportunity.check(None, None), Ok(()));
        assert_eq!(opportunity.check(None, Some(1.0)), Ok(()));
        let statuses: Vec<Status> = Status::Accepted
            .allowed()
            .iter()
            .map(|s| s.status)
            .collect();
        assert_eq!(statuses, Status::Accepted.next());
    }
}
