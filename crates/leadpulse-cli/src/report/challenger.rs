//! Champion and challenger on real outcomes: for the leads whose summaries carried a shadow
//! model's view (`summary.shadow`, docs/metrics.md), how many each model made SQLs and how
//! those SQLs fared with sales.
//!
//! NOTE: the collector hears of a visitor only once the champion hands it off (MQL or SQL), so
//! visitors only the challenger would have qualified are not here; the comparison is on the
//! champion's leads.
//!
//! A challenger that scores every lead alike is flagged: a model whose rules test traits, events
//! or sources the site never sends scores everyone the same (its bare base, often far below
//! zero), and its SQL counts alone would not say why.
use std::collections::BTreeMap;

use serde::Serialize;

use super::query::Query;
use crate::serve::store::db::{Result, Tx};

/// One champion/challenger pair.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Challenger {
    /// The model hashes: the one that decided, and the one scored in shadow.
    pub champion: String,
    pub challenger: String,
    /// Leads of the period with the challenger's view.
    pub leads: u64,
    pub champion_sqls: u64,
    pub challenger_sqls: u64,
    /// SQLs for both.
    pub both_sqls: u64,
    /// Of each model's SQLs, how many sales accepted, and how many were won.
    pub champion_sqls_accepted: u64,
    pub challenger_sqls_accepted: u64,
    pub champion_sqls_won: u64,
    pub challenger_sqls_won: u64,
    /// The lowest and highest score the challenger gave these leads.
    pub challenger_score_min: Option<i64>,
    pub challenger_score_max: Option<i64>,
    /// Why the challenger's figures may not be worth reading (see the module's note).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// Fewer leads than this scored alike can be chance (a handful of look-alike visitors).
const ALIKE_MIN_LEADS: u64 = 5;

fn warning(c: &Challenger) -> Option<String> {
    let (min, max) = (c.challenger_score_min?, c.challenger_score_max?);
    (c.leads >= ALIKE_MIN_LEADS && min == max).then(|| {
        format!(
            "challenger {} scored all {} leads {min}: its rules may test traits, events or \
             sources this site never sends; check it with `leadpulse validate --against HISTORY`",
            c.challenger, c.leads
        )
    })
}

/// The pairs, most leads first.
pub fn compute(tx: &mut Tx, q: &Query) -> Result<Vec<Challenger>> {
    // NOTE: the shadow is read from the lead's latest revision, as received. Its score is
    // cast: PostgreSQL's json_extract (its first migration) gives text.
    let rows = tx.query(
        "SELECT l.model, l.stage, l.mql_ms, l.sql_ms,
             json_extract(r.summary, '$.shadow.model'), json_extract(r.summary, '$.shadow.stage'),
             CAST(json_extract(r.summary, '$.shadow.score') AS BIGINT),
             EXISTS (SELECT 1 FROM history h WHERE h.lead_id = l.id AND h.to_status = 'accepted'),
             EXISTS (SELECT 1 FROM history h WHERE h.lead_id = l.id AND h.to_status = 'won')
         FROM leads l JOIN revisions r ON r.id = l.summary_id
         WHERE l.trust NOT IN ('rejected', 'unchecked') AND json_valid(r.summary)
           AND json_extract(r.summary, '$.shadow.model') IS NOT NULL",
        &[],
    )?;
    let mut pairs: BTreeMap<(String, String), Challenger> = BTreeMap::new();
    for row in rows {
        let (champion, stage, mql, sql): (String, String, Option<i64>, Option<i64>) =
            (row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?);
        let (challenger, shadow_stage, score): (String, Option<String>, Option<i64>) =
            (row.get(4)?, row.get(5)?, row.get(6)?);
        let (accepted, won): (bool, bool) = (row.get(7)?, row.get(8)?);
        if !q.holds(mql.or(sql)) {
            continue;
        }
        let pair = pairs
            .entry((champion.clone(), challenger.clone()))
            .or_insert_with(|| Challenger {
                champion,
                challenger,
                ..Challenger::default()
            });
        let by_champion = stage == "sql";
        let by_challenger = shadow_stage.as_deref() == Some("sql");
        pair.leads += 1;
        if let Some(score) = score {
            pair.challenger_score_min =
                Some(pair.challenger_score_min.map_or(score, |m| m.min(score)));
            pair.challenger_score_max =
                Some(pair.challenger_score_max.map_or(score, |m| m.max(score)));
        }
        for (sql, count, accepted_count, won_count) in [
            (
                by_champion,
                &mut pair.champion_sqls,
                &mut pair.champion_sqls_accepted,
                &mut pair.champion_sqls_won,
            ),
            (
                by_challenger,
                &mut pair.challenger_sqls,
                &mut pair.challenger_sqls_accepted,
                &mut pair.challenger_sqls_won,
            ),
        ] {
            if sql {
                *count += 1;
                *accepted_count += u64::from(accepted);
                *won_count += u64::from(won);
            }
        }
        pair.both_sqls += u64::from(by_champion && by_challenger);
    }
    let mut out: Vec<Challenger> = pairs
        .into_values()
        .map(|c| Challenger {
            warning: warning(&c),
            ..c
        })
        .collect();
    out.sort_by_key(|c| std::cmp::Reverse(c.leads));
    Ok(out)
}
