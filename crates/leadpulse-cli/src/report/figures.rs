//! The sales figures of a collector's store, each defined once in docs/metrics.md: MQLs and
//! SQLs per period, MQL→SQL, SQL→accepted (SAL), SQL→opportunity, win rate, velocity, and
//! rejection reasons; in all and by source, model or owner; and a weekly trend. Read-only:
//! `leadpulse report` and the collector (`GET /api/report`) pass a read-only transaction of
//! the store (SQLite or PostgreSQL).
use std::collections::BTreeMap;

use leadpulse::core::time::{format_iso, Millis, DAY};
use serde::Serialize;

use super::period;
use super::query::{By, Query};
use crate::serve::store::db::{Result, Tx};

/// numerator / denominator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Rate {
    pub numerator: u64,
    pub denominator: u64,
    pub rate: Option<f64>,
}

impl Rate {
    fn of(numerator: u64, denominator: u64) -> Rate {
        Rate {
            numerator,
            denominator,
            rate: (denominator > 0).then(|| numerator as f64 / denominator as f64),
        }
    }
}

/// Durations in milliseconds: how many, the median and the 90th percentile (nearest rank).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Spread {
    pub count: u64,
    pub median_ms: Option<i64>,
    pub p90_ms: Option<i64>,
}

/// The nearest-rank percentile: the smallest value with at least p % of the values at or
/// below it.
fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted.get(rank - 1).copied()
}

impl Spread {
    fn of(mut durations: Vec<i64>) -> Spread {
        durations.sort_unstable();
        Spread {
            count: durations.len() as u64,
            median_ms: percentile(&durations, 50.0),
            p90_ms: percentile(&durations, 90.0),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Velocity {
    pub first_touch_to_mql: Spread,
    pub mql_to_sql: Spread,
    pub sql_to_accepted: Spread,
    pub first_touch_to_sql: Spread,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejection {
    pub reason: String,
    pub count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Figures {
    pub mqls: u64,
    pub sqls: u64,
    pub mql_to_sql: Rate,
    pub sql_to_accepted: Rate,
    pub sql_to_opportunity: Rate,
    pub win_rate: Rate,
    pub won_amount: f64,
    pub velocity: Velocity,
    /// From the moment sales was handed a lead to its acceptance (docs/metrics.md).
    pub time_to_accept: Spread,
    pub rejections: Vec<Rejection>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Group {
    pub key: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Week {
    /// ISO week, `2026-W10`.
    pub week: String,
    /// Its Monday, `2026-03-02`.
    pub start: String,
    pub mqls: u64,
    pub sqls: u64,
    pub accepted: u64,
    pub won: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The period: `from` included, `to` excluded (ISO-8601; `null`: open).
    pub from: Option<String>,
    pub to: Option<String>,
    pub by: Option<By>,
    pub total: Figures,
    pub groups: Vec<Group>,
    pub weeks: Vec<Week>,
    /// Champion and challenger, when summaries carried a shadow model's view.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub challengers: Vec<super::challenger::Challenger>,
}

/// One lead as the figures need it: its stage times and what sales did.
#[derive(Debug, Default)]
struct Lead {
    group: String,
    first_seen: Millis,
    mql: Option<Millis>,
    sql: Option<Millis>,
    /// The first time sales moved it to each status.
    accepted: Option<Millis>,
    opportunity: Option<Millis>,
    won: Option<Millis>,
    lost: Option<Millis>,
    amount: Option<f64>,
    rejections: Vec<(Millis, String)>,
    /// Each time it was handed to sales (its status became `new` from another one).
    handed: Vec<Millis>,
}

impl Lead {
    /// How long sales took to accept it: from the last hand-over (else its SQL time) before
    /// its first acceptance. An SLA reassignment (new → new) is no hand-over: the lead was
    /// waiting all along.
    fn waited(&self) -> Option<Millis> {
        let accepted = self.accepted?;
        let since = self
            .handed
            .iter()
            .copied()
            .filter(|&at| at <= accepted)
            .max()
            .or(self.sql)?;
        Some(accepted - since)
    }
}

/// The most weeks a trend shows (the latest ones).
const MAX_WEEKS: i64 = 260;

fn load(tx: &mut Tx, by: Option<By>) -> Result<Vec<Lead>> {
    let group = match by {
        None => "''",
        Some(By::Source) => "COALESCE(source, '(none)')",
        Some(By::Model) => "COALESCE(model, '(request only)')",
        Some(By::Owner) => "COALESCE(owner, '(unassigned)')",
    };
    // NOTE: leads whose summaries the collector found impossible (trust 'rejected') or could
    // not check and held back (trust 'unchecked') are not leads anyone worked: they are left
    // out of every figure.
    let sql = format!(
        "SELECT id, {group}, first_seen_ms, mql_ms, sql_ms, amount FROM leads
         WHERE trust NOT IN ('rejected', 'unchecked') ORDER BY id"
    );
    let mut leads: Vec<Lead> = Vec::new();
    let mut index: BTreeMap<i64, usize> = BTreeMap::new();
    for row in tx.query(&sql, &[])? {
        let id: i64 = row.get(0)?;
        index.insert(id, leads.len());
        leads.push(Lead {
            group: row.get(1)?,
            first_seen: row.get(2)?,
            mql: row.get(3)?,
            sql: row.get(4)?,
            amount: row.get(5)?,
            ..Lead::default()
        });
    }
    let rows = tx.query(
        "SELECT lead_id, at_ms, to_status, reason, amount, from_status FROM history
         ORDER BY at_ms, id",
        &[],
    )?;
    for row in rows {
        let (id, at, to, reason, amount, from): (
            i64,
            i64,
            String,
            Option<String>,
            Option<f64>,
            Option<String>,
        ) = (
            row.get(0)?,
            row.get(1)?,
            row.get(2)?,
            row.get(3)?,
            row.get(4)?,
            row.get(5)?,
        );
        let Some(lead) = index.get(&id).and_then(|&i| leads.get_mut(i)) else {
            continue;
        };
        let first = |slot: &mut Option<Millis>| {
            slot.get_or_insert(at);
        };
        match to.as_str() {
            "accepted" => first(&mut lead.accepted),
            "opportunity" => first(&mut lead.opportunity),
            "won" => {
                first(&mut lead.won);
                lead.amount = amount.or(lead.amount);
            }
            "lost" => first(&mut lead.lost),
            "rejected" => lead.rejections.push((at, reason.unwrap_or_default())),
            "new" if from.as_deref() != Some("new") => lead.handed.push(at),
            _ => {}
        }
    }
    Ok(leads)
}

fn figures(leads: &[&Lead], q: &Query) -> Figures {
    let mqls: Vec<&&Lead> = leads.iter().filter(|l| q.holds(l.mql)).collect();
    let sqls: Vec<&&Lead> = leads.iter().filter(|l| q.holds(l.sql)).collect();
    let count = |list: &[&&Lead], test: &dyn Fn(&Lead) -> bool| {
        list.iter().filter(|l| test(l)).count() as u64
    };
    let won = count(&sqls, &|l| l.won.is_some());
    let closed = count(&sqls, &|l| l.won.is_some() || l.lost.is_some());
    let span =
        |list: &[&&Lead], from: fn(&Lead) -> Option<Millis>, to: fn(&Lead) -> Option<Millis>| {
            Spread::of(
                list.iter()
                    .filter_map(|l| Some(to(l)? - from(l)?))
                    .filter(|d| *d >= 0)
                    .collect(),
            )
        };
    let mut reasons: BTreeMap<String, Rejection> = BTreeMap::new();
    for (_, reason) in leads
        .iter()
        .flat_map(|l| &l.rejections)
        .filter(|(at, _)| q.holds(Some(*at)))
    {
        let shown = match reason.trim() {
            "" => "(no reason)",
            text => text,
        };
        reasons
            .entry(leadpulse::core::text::lower(shown))
            .or_insert_with(|| Rejection {
                reason: shown.to_string(),
                count: 0,
            })
            .count += 1;
    }
    let mut rejections: Vec<Rejection> = reasons.into_values().collect();
    rejections.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    Figures {
        mqls: mqls.len() as u64,
        sqls: sqls.len() as u64,
        mql_to_sql: Rate::of(count(&mqls, &|l| l.sql.is_some()), mqls.len() as u64),
        sql_to_accepted: Rate::of(count(&sqls, &|l| l.accepted.is_some()), sqls.len() as u64),
        sql_to_opportunity: Rate::of(
            count(&sqls, &|l| l.opportunity.is_some()),
            sqls.len() as u64,
        ),
        win_rate: Rate::of(won, closed),
        won_amount: sqls
            .iter()
            .filter(|l| l.won.is_some())
            .filter_map(|l| l.amount)
            .fold(0.0, |sum, amount| sum + amount),
        velocity: Velocity {
            first_touch_to_mql: span(&mqls, |l| Some(l.first_seen), |l| l.mql),
            mql_to_sql: span(&sqls, |l| l.mql, |l| l.sql),
            sql_to_accepted: span(&sqls, |l| l.sql, |l| l.accepted),
            first_touch_to_sql: span(&sqls, |l| Some(l.first_seen), |l| l.sql),
        },
        time_to_accept: Spread::of(
            sqls.iter()
                .filter_map(|l| l.waited())
                .filter(|d| *d >= 0)
                .collect(),
        ),
        rejections,
    }
}

fn weeks(leads: &[Lead], q: &Query) -> Vec<Week> {
    let times = leads
        .iter()
        .flat_map(|l| [l.mql, l.sql, l.accepted, l.won])
        .flatten();
    let (lo, hi) = times.fold(
        (None, None),
        |(lo, hi): (Option<Millis>, Option<Millis>), t| {
            (
                Some(lo.map_or(t, |v| v.min(t))),
                Some(hi.map_or(t, |v| v.max(t))),
            )
        },
    );
    let first = q.from.or(lo);
    let last = q.to.map(|t| t - 1).or(hi);
    let (Some(first), Some(last)) = (first, last) else {
        return Vec::new();
    };
    let last_week = period::week_start(last);
    let first_week = period::week_start(first).max(last_week - (MAX_WEEKS - 1) * 7 * DAY);
    let mut out = Vec::new();
    let mut monday = first_week;
    while monday <= last_week {
        let week = Query {
            from: Some(monday.max(q.from.unwrap_or(monday))),
            to: Some((monday + 7 * DAY).min(q.to.unwrap_or(Millis::MAX))),
            by: None,
        };
        let count = |at: fn(&Lead) -> Option<Millis>| {
            leads.iter().filter(|l| week.holds(at(l))).count() as u64
        };
        out.push(Week {
            week: period::week_label(monday),
            start: period::day(monday),
            mqls: count(|l| l.mql),
            sqls: count(|l| l.sql),
            accepted: count(|l| l.accepted),
            won: count(|l| l.won),
        });
        monday += 7 * DAY;
    }
    out
}

/// Every figure for the query.
pub fn compute(tx: &mut Tx, q: &Query) -> Result<Report> {
    let leads = load(tx, q.by)?;
    let all: Vec<&Lead> = leads.iter().collect();
    let mut groups: Vec<Group> = Vec::new();
    if q.by.is_some() {
        let mut keyed: BTreeMap<&str, Vec<&Lead>> = BTreeMap::new();
        for lead in &leads {
            keyed.entry(lead.group.as_str()).or_default().push(lead);
        }
        groups = keyed
            .into_iter()
            .map(|(key, list)| Group {
                key: key.to_string(),
                figures: figures(&list, q),
            })
            .filter(|g| g.figures.mqls + g.figures.sqls > 0 || !g.figures.rejections.is_empty())
            .collect();
        groups.sort_by(|a, b| {
            b.figures
                .mqls
                .cmp(&a.figures.mqls)
                .then_with(|| a.key.cmp(&b.key))
        });
    }
    Ok(Report {
        from: q.from.map(format_iso),
        to: q.to.map(format_iso),
        by: q.by,
        total: figures(&all, q),
        groups,
        weeks: weeks(&leads, q),
        challengers: super::challenger::compute(tx, q)?,
    })
}

#[cfg(test)]
mod tests {
    use super::{percentile, Lead};

    #[test]
    fn time_to_accept_counts_from_the_last_hand_over() {
        let lead = |handed: Vec<i64>, accepted: Option<i64>| Lead {
            sql: Some(100),
            handed,
            accepted,
            ..Lead::default()
        };
        // Handed over at 100, accepted at 400.
        assert_eq!(lead(vec![100], Some(400)).waited(), Some(300));
        // Rejected, handed over again at 1000, accepted at 1500.
        assert_eq!(lead(vec![100, 1000], Some(1500)).waited(), Some(500));
        // No history of the hand-over: from its SQL time.
        assert_eq!(lead(vec![], Some(250)).waited(), Some(150));
        assert_eq!(lead(vec![100], None).waited(), None);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        assert_eq!(percentile(&v, 50.0), Some(5));
        assert_eq!(percentile(&v, 90.0), Some(9));
        assert_eq!(percentile(&[7], 90.0), Some(7));
        assert_eq!(percentile(&[], 50.0), None);
    }
}
