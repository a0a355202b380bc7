//! From weights to a model a person reads: integer points on a stated scale, the scores
//! they give the training leads, the MQL and SQL thresholds for the target, grade bands.

/// Points for weights (log-odds per firing): `per_doubling` points double the odds.
pub fn points(weights: &[f64], per_doubling: f64) -> Vec<i64> {
    let scale = per_doubling / std::f64::consts::LN_2;
    weights.iter().map(|w| (w * scale).round() as i64).collect()
}

/// What the SQL threshold aims at.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// The lowest threshold whose SQLs convert at least this often.
    Precision(f64),
    /// The lowest threshold that makes at most this share of leads SQLs.
    Share(f64),
}

impl Target {
    pub fn describe(self) -> String {
        match self {
            Target::Precision(p) => format!("precision ≥ {p} on the training leads"),
            Target::Share(s) => format!("at most {s} of the training leads"),
        }
    }
}

/// Per distinct score, highest first: (score, leads at or above, converted at or above).
fn cumulative(scored: &[(i64, bool)]) -> Vec<(i64, usize, usize)> {
    let mut sorted = scored.to_vec();
    sorted.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out: Vec<(i64, usize, usize)> = Vec::new();
    let (mut picked, mut hit) = (0, 0);
    for (i, &(score, converted)) in sorted.iter().enumerate() {
        picked += 1;
        hit += usize::from(converted);
        let last_of_group = sorted.get(i + 1).is_none_or(|next| next.0 != score);
        if last_of_group {
            out.push((score, picked, hit));
        }
    }
    out
}

/// (MQL enter, SQL enter) on the training leads, and notes on what could not be met.
pub fn thresholds(
    scored: &[(i64, bool)],
    target: Target,
    mql_recall: f64,
    min_support: usize,
    notes: &mut Vec<String>,
) -> (i64, i64) {
    let steps = cumulative(scored);
    let n = scored.len().max(1);
    let positives = scored.iter().filter(|s| s.1).count().max(1);
    let precision = |&(_, picked, hit): &(i64, usize, usize)| hit as f64 / picked.max(1) as f64;
    let top = steps.first().map_or(0, |s| s.0);
    let sql = match target {
        Target::Precision(p) => {
            let supported: Vec<&(i64, usize, usize)> =
                steps.iter().filter(|s| s.1 >= min_support).collect();
            match supported.iter().rev().find(|s| precision(s) >= p) {
                Some(s) => s.0,
                None => {
                    let best = supported
                        .iter()
                        .max_by(|a, b| precision(a).total_cmp(&precision(b)))
                        .map_or(top, |s| s.0);
                    notes.push(format!(
                        "no SQL threshold reaches precision {p} on the training leads; SQL enters at the most precise score ({best})"
                    ));
                    best
                }
            }
        }
        Target::Share(share) => match steps.iter().rev().find(|s| s.1 as f64 / n as f64 <= share) {
            Some(s) => s.0,
            None => {
                notes.push(format!(
                    "even the top score is reached by more than {share} of the training leads; SQL enters there ({top})"
                ));
                top
            }
        },
    };
    let mql = steps
        .iter()
        .find(|s| s.2 as f64 / positives as f64 >= mql_recall)
        .map_or(sql, |s| s.0);
    if mql > sql {
        notes.push(format!(
            "the MQL threshold for recall {mql_recall} ({mql}) is above the SQL one: MQL enters at the SQL threshold"
        ));
    }
    (mql.min(sql), sql)
}

/// Grade bands at quantiles of the training leads' axis scores: the first label for the top
/// share, the last for the rest. Labels whose band would be empty are left out.
pub fn grades(values: &[i64], labels: &[String]) -> Vec<(String, Option<i64>)> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    let k = labels.len();
    let mut out: Vec<(String, Option<i64>)> = Vec::new();
    let mut last = i64::MAX;
    for (i, label) in labels.iter().enumerate().take(k.saturating_sub(1)) {
        let q = (k - 1 - i) as f64 / k as f64;
        let index = ((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1));
        let Some(&min) = sorted.get(index) else {
            continue;
        };
        let lowest = sorted.first().copied().unwrap_or(min);
        if min < last && min > lowest {
            out.push((label.clone(), Some(min)));
            last = min;
        }
    }
    if let Some(label) = labels.last() {
        out.push((label.clone(), None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn twenty_points_double_the_odds() {
        assert_eq!(
            points(&[std::f64::consts::LN_2, -0.5, 0.0], 20.0),
            vec![20, -14, 0]
        );
    }

    #[test]
    fn thresholds_meet_the_target_on_the_training_leads() {
        let scored: Vec<(i64, bool)> = (0..100).map(|i| (i, i % 10 < i / 10)).collect();
        let mut notes = Vec::new();
        let (mql, sql) = thresholds(&scored, Target::Share(0.2), 0.8, 5, &mut notes);
        assert_eq!(sql, 80);
        assert!(mql <= sql);
        let (_, sql) = thresholds(&scored, Target::Precision(0.85), 0.8, 5, &mut notes);
        let picked: Vec<&(i64, bool)> = scored.iter().filter(|s| s.0 >= sql).collect();
        let precision = picked.iter().filter(|s| s.1).count() as f64 / picked.len() as f64;
        assert!(precision >= 0.85, "{sql} {precision}");
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn grades_cut_at_quantiles() {
        let labels: Vec<String> = ["A", "B", "C"].iter().map(|s| s.to_string()).collect();
        let values: Vec<i64> = (0..90).collect();
        assert_eq!(
            grades(&values, &labels),
            vec![
                ("A".into(), Some(60)),
                ("B".into(), Some(30)),
                ("C".into(), None)
            ]
        );
        assert_eq!(grades(&[0, 0, 0], &labels), vec![("C".into(), None)]);
    }
}
