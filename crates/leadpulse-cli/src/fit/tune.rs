//! `--l2-cv`: the regularisation strength picked by 5-fold cross-validation on the training
//! leads — each λ of a grid fitted on four fifths and its deviance (log loss) summed on the
//! fifth left out; the λ with the least wins. The folds are fixed by the lead's id (FNV-1a of
//! "cv:KEY"), so the choice does not depend on the order of the files. The held-out leads of
//! `--holdout` play no part.
use leadpulse::core::model::fnv1a64;

use super::logistic::{self, Row};

/// The λ tried, weakest first.
pub const GRID: [f64; 6] = [0.1, 0.3, 1.0, 3.0, 10.0, 30.0];
const FOLDS: u64 = 5;

/// The chosen λ, and each λ's cross-validated deviance per lead.
pub fn choose(rows: &[Row], keys: &[String], dims: usize) -> (f64, Vec<(f64, f64)>) {
    let fold: Vec<u64> = keys
        .iter()
        .map(|k| fnv1a64(format!("cv:{k}").as_bytes()) % FOLDS)
        .collect();
    let mut scores = Vec::new();
    for &l2 in &GRID {
        let mut deviance = 0.0;
        for f in 0..FOLDS {
            let in_fold = |k: &u64| *k == f;
            let train: Vec<Row> = rows
                .iter()
                .zip(&fold)
                .filter(|(_, k)| !in_fold(k))
                .map(|(r, _)| r.clone())
                .collect();
            let fitted = logistic::fit(&train, dims, l2);
            deviance += rows
                .iter()
                .zip(&fold)
                .filter(|(_, k)| in_fold(k))
                .map(|(row, _)| logistic::log_loss(&fitted, row))
                .sum::<f64>();
        }
        scores.push((l2, deviance / rows.len().max(1) as f64));
    }
    let best = scores
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map_or(1.0, |s| s.0);
    (best, scores)
}
