//! One model on one set of leads: how its score ranks them, what its MQL and SQL stages pick
//! (as the engine decided them in the replay), lift by decile, SQLs per 1,000 leads.
use leadpulse::core::engine::{score, Session};
use leadpulse::core::model::Stage;
use serde::Serialize;

use super::metrics::{self, AtThreshold, Decile, Scored};

/// A lead as a model left it: score and stage at its last event, and its outcome.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub score: i64,
    pub stage: Stage,
    pub converted: bool,
}

impl Outcome {
    pub fn of(session: &Session, converted: bool) -> Outcome {
        let state = session.state();
        let totals = score::totals(session.model(), state, state.last_seen);
        Outcome {
            score: totals.total(),
            stage: state.stage,
            converted,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub leads: u64,
    pub converted: u64,
    pub base_rate: Option<f64>,
    pub roc_auc: Option<f64>,
    pub pr_auc: Option<f64>,
    /// Leads that reached MQL (or SQL), and SQL.
    pub mql: AtThreshold,
    pub sql: AtThreshold,
    pub lift_by_decile: Vec<Decile>,
    /// SQLs among 1,000 leads like these, and how many of them convert.
    pub sqls_per_1000: Option<f64>,
    pub converted_sqls_per_1000: Option<f64>,
}

pub fn evaluate(leads: &[Outcome]) -> Evaluation {
    let scored: Vec<Scored> = leads
        .iter()
        .map(|l| Scored {
            score: l.score as f64,
            converted: l.converted,
        })
        .collect();
    let converted = leads.iter().filter(|l| l.converted).count() as u64;
    let n = leads.len() as u64;
    let mql = metrics::at_threshold(leads.iter().map(|l| (l.stage >= Stage::Mql, l.converted)));
    let sql = metrics::at_threshold(leads.iter().map(|l| (l.stage == Stage::Sql, l.converted)));
    let per_1000 = |count: u64| (n > 0).then(|| count as f64 * 1000.0 / n as f64);
    Evaluation {
        leads: n,
        converted,
        base_rate: (n > 0).then(|| converted as f64 / n as f64),
        roc_auc: metrics::roc_auc(&scored),
        pr_auc: metrics::average_precision(&scored),
        mql,
        sql,
        lift_by_decile: metrics::deciles(&scored),
        sqls_per_1000: per_1000(sql.picked),
        converted_sqls_per_1000: per_1000(sql.converted),
    }
}

fn num(value: Option<f64>, digits: usize) -> String {
    value.map_or_else(|| "—".to_string(), |v| format!("{v:.digits$}"))
}

/// The evaluation as table rows: (what, value).
pub fn rows(e: &Evaluation) -> Vec<(String, String)> {
    let stage = |s: &AtThreshold| {
        format!(
            "{} leads, precision {}, recall {}",
            s.picked,
            num(s.precision, 3),
            num(s.recall, 3)
        )
    };
    vec![
        (
            "leads (converted)".into(),
            format!("{} ({})", e.leads, e.converted),
        ),
        ("ROC AUC".into(), num(e.roc_auc, 4)),
        ("PR AUC".into(), num(e.pr_auc, 4)),
        ("MQL".into(), stage(&e.mql)),
        ("SQL".into(), stage(&e.sql)),
        (
            "SQLs per 1,000 leads".into(),
            format!(
                "{} ({} convert)",
                num(e.sqls_per_1000, 1),
                num(e.converted_sqls_per_1000, 1)
            ),
        ),
        (
            "lift by decile".into(),
            e.lift_by_decile
                .iter()
                .map(|d| format!("{:.2}", d.lift))
                .collect::<Vec<_>>()
                .join(" "),
        ),
    ]
}
