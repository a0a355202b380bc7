//! What sales does with a lead, and which step may follow which (docs/collector.md).
//!
//! `marketing` — an MQL: stored, not pushed to sales.
//! `new` — an SQL handed to sales (pushed to the webhooks), not yet answered.
//! `review` — an SQL the collector could not check (an unsigned summary of a model it was not
//!   given): listed, never pushed; someone who checked it may still accept or reject it.
//! `accepted` — sales took it (a sales-accepted lead, SAL).
//! `rejected` — sent back to marketing (nurture), with a reason; a later SQL revision of the
//!   same visitor reopens it as `new`.
//! `opportunity`, then `won` or `lost` (with an amount).
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

    /// Whether feedback with this status needs a reason (a rejection says why).
    pub fn needs_reason(self) -> bool {
        self == Status::Rejected
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
}
