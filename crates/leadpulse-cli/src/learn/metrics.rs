//! How well a score ranks converted leads above the others, and what a stage threshold buys
//! (docs/learning.md, "Metrics"). Ties are handled exactly: leads with equal scores are one
//! step of every curve, never ordered by their outcome.
use serde::Serialize;

/// One lead: its score and whether it converted.
#[derive(Debug, Clone, Copy)]
pub struct Scored {
    pub score: f64,
    pub converted: bool,
}

fn counts(items: &[Scored]) -> (f64, f64) {
    let positives = items.iter().filter(|s| s.converted).count() as f64;
    (positives, items.len() as f64 - positives)
}

/// Sorted by score, highest first.
fn descending(items: &[Scored]) -> Vec<Scored> {
    let mut sorted = items.to_vec();
    sorted.sort_by(|a, b| b.score.total_cmp(&a.score));
    sorted
}

/// Groups of equal scores, highest first: (converted, not converted) per group.
fn groups(sorted: &[Scored]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::new();
    let mut last: Option<f64> = None;
    for s in sorted {
        if last != Some(s.score) || out.is_empty() {
            out.push((0.0, 0.0));
            last = Some(s.score);
        }
        if let Some(group) = out.last_mut() {
            if s.converted {
                group.0 += 1.0;
            } else {
                group.1 += 1.0;
            }
        }
    }
    out
}

/// The area under the ROC curve: the chance that a converted lead scores above one that did
/// not (ties count one half). `None` without both kinds of lead.
pub fn roc_auc(items: &[Scored]) -> Option<f64> {
    let (positives, negatives) = counts(items);
    if positives == 0.0 || negatives == 0.0 {
        return None;
    }
    let mut above_negatives = 0.0;
    let mut wins = 0.0;
    for (pos, neg) in groups(&descending(items)).into_iter().rev() {
        // NOTE: ascending here: every negative seen so far scores below this group.
        wins += pos * above_negatives + pos * neg * 0.5;
        above_negatives += neg;
    }
    Some(wins / (positives * negatives))
}

/// Average precision (the area under the precision-recall curve as step sums, scikit-learn's
/// `average_precision_score`): Σ (recallₙ − recallₙ₋₁) · precisionₙ over score thresholds.
pub fn average_precision(items: &[Scored]) -> Option<f64> {
    let (positives, _) = counts(items);
    if positives == 0.0 {
        return None;
    }
    let (mut tp, mut fp, mut recall, mut area) = (0.0, 0.0, 0.0, 0.0);
    for (pos, neg) in groups(&descending(items)) {
        tp += pos;
        fp += neg;
        let next = tp / positives;
        area += (next - recall) * tp / (tp + fp);
        recall = next;
    }
    Some(area)
}

/// What a yes/no decision (a stage reached) buys.
#[derive(Debug, Clone, Copy, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AtThreshold {
    pub leads: u64,
    /// Leads the decision picks.
    pub picked: u64,
    /// Picked leads that converted.
    pub converted: u64,
    /// converted / picked.
    pub precision: Option<f64>,
    /// converted / all converted leads.
    pub recall: Option<f64>,
    /// picked / leads.
    pub share: Option<f64>,
}

/// `decisions`: (picked, converted) per lead.
pub fn at_threshold(decisions: impl Iterator<Item = (bool, bool)>) -> AtThreshold {
    let (mut leads, mut picked, mut hit, mut positives) = (0u64, 0u64, 0u64, 0u64);
    for (pick, converted) in decisions {
        leads += 1;
        picked += u64::from(pick);
        hit += u64::from(pick && converted);
        positives += u64::from(converted);
    }
    let ratio = |a: u64, b: u64| (b > 0).then(|| a as f64 / b as f64);
    AtThreshold {
        leads,
        picked,
        converted: hit,
        precision: ratio(hit, picked),
        recall: ratio(hit, positives),
        share: ratio(picked, leads),
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Decile {
    /// 1 = the highest scores.
    pub decile: u32,
    pub leads: u64,
    pub converted: u64,
    pub rate: f64,
    /// rate / the rate of all leads.
    pub lift: f64,
    pub min_score: f64,
    pub max_score: f64,
}

/// Leads ranked by score (highest first) cut into ten groups of equal size; equal scores
/// fall into the decile where their group starts, so a decile may hold more or fewer than
/// a tenth (an empty one is left out).
pub fn deciles(items: &[Scored]) -> Vec<Decile> {
    let sorted = descending(items);
    let n = sorted.len();
    let (positives, _) = counts(items);
    if n == 0 || positives == 0.0 {
        return Vec::new();
    }
    let base = positives / n as f64;
    let mut out: Vec<Decile> = Vec::new();
    let mut start = 0;
    for decile in 1..=10u32 {
        let mut end = (n * decile as usize).div_ceil(10).max(start);
        // Ties stay together: extend to the end of the group the cut falls in.
        while end > start
            && end < n
            && sorted.get(end).map(|s| s.score) == sorted.get(end - 1).map(|s| s.score)
        {
            end += 1;
        }
        let slice = sorted.get(start..end).unwrap_or_default();
        start = end;
        if slice.is_empty() {
            continue;
        }
        let converted = slice.iter().filter(|s| s.converted).count() as u64;
        let rate = converted as f64 / slice.len() as f64;
        out.push(Decile {
            decile,
            leads: slice.len() as u64,
            converted,
            rate,
            lift: rate / base,
            min_score: slice.iter().map(|s| s.score).fold(f64::INFINITY, f64::min),
            max_score: slice
                .iter()
                .map(|s| s.score)
                .fold(f64::NEG_INFINITY, f64::max),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(pairs: &[(f64, bool)]) -> Vec<Scored> {
        pairs
            .iter()
            .map(|&(score, converted)| Scored { score, converted })
            .collect()
    }

    #[test]
    fn auc_counts_ties_as_one_half() {
        let perfect = items(&[(3.0, true), (2.0, true), (1.0, false), (0.0, false)]);
        assert_eq!(roc_auc(&perfect), Some(1.0));
        let tied = items(&[(1.0, true), (1.0, false)]);
        assert_eq!(roc_auc(&tied), Some(0.5));
        // 2 positives × 2 negatives: (3 > 2, 3 > 0), (1 < 2, 1 > 0) → 3 of 4.
        let mixed = items(&[(3.0, true), (2.0, false), (1.0, true), (0.0, false)]);
        assert_eq!(roc_auc(&mixed), Some(0.75));
        assert_eq!(roc_auc(&items(&[(1.0, true)])), None);
    }

    #[test]
    fn average_precision_matches_scikit_learn() {
        // sklearn.metrics.average_precision_score([1,0,1,0], [3,2,1,0]) == 0.8333…
        let mixed = items(&[(3.0, true), (2.0, false), (1.0, true), (0.0, false)]);
        let ap = average_precision(&mixed).unwrap();
        assert!((ap - 5.0 / 6.0).abs() < 1e-12, "{ap}");
        // average_precision_score([1,0,1], [1,1,0]) == 0.5·0.5 + 0.5·(2/3) = 0.5833…
        let tied = items(&[(1.0, true), (1.0, false), (0.0, true)]);
        let ap = average_precision(&tied).unwrap();
        assert!((ap - (0.25 + 1.0 / 3.0)).abs() < 1e-12, "{ap}");
    }

    #[test]
    fn deciles_keep_ties_together_and_lift_against_the_base_rate() {
        let mut pairs: Vec<(f64, bool)> = (0..20).map(|i| (f64::from(i), i >= 18)).collect();
        pairs.push((17.0, false));
        let d = deciles(&items(&pairs));
        assert_eq!(d[0].decile, 1);
        assert_eq!(
            d[0].leads, 4,
            "the cut after 3 leads extends over the tie at 17"
        );
        assert_eq!(d[0].converted, 2);
        assert!((d[0].lift - (2.0 / 4.0) / (2.0 / 21.0)).abs() < 1e-12);
        assert_eq!(d.iter().map(|x| x.leads).sum::<u64>(), 21);
    }

    #[test]
    fn a_threshold_reports_precision_recall_and_share() {
        let at =
            at_threshold([(true, true), (true, false), (false, true), (false, false)].into_iter());
        assert_eq!((at.picked, at.converted), (2, 1));
        assert_eq!(
            (at.precision, at.recall, at.share),
            (Some(0.5), Some(0.5), Some(0.5))
        );
    }
}
