//! Proposed rules that fire alike for every training lead are one signal twice (the first
//! visit's `utm_source` 'g2', its `utm_medium` 'referral' and its referrer `www.g2.com`, when
//! every G2 visit carries all three): the regression would split the weight between them, so
//! only the first is kept (or the first that can be part of a combination). Base rules are
//! always kept.
use std::collections::HashMap;

use super::candidates::{Candidate, Origin};
use super::features::Example;
use super::pairs::pairable;

/// Drops the later of proposed candidates whose column on the training leads is the same;
/// renumbers the examples' features. Returns the ids dropped.
pub fn dedupe(candidates: &mut Vec<Candidate>, examples: &mut [Example]) -> Vec<String> {
    let mut columns: Vec<Vec<(u32, u64)>> = vec![Vec::new(); candidates.len()];
    for (i, example) in examples.iter().enumerate().filter(|(_, e)| !e.held_out) {
        for &(j, x) in &example.row.features {
            if let Some(column) = columns.get_mut(j as usize) {
                column.push((i as u32, x.to_bits()));
            }
        }
    }
    let mut first: HashMap<&[(u32, u64)], usize> = HashMap::new();
    let mut keep = vec![true; candidates.len()];
    for (j, (column, candidate)) in columns.iter().zip(candidates.iter()).enumerate() {
        if matches!(candidate.origin, Origin::Base { .. }) || column.is_empty() {
            continue;
        }
        let Some(&earlier) = first.get(column.as_slice()) else {
            first.insert(column.as_slice(), j);
            continue;
        };
        // NOTE: the one that can be part of a combination stays (a section page view, not
        // the step of page views with `repeat` it coincides with).
        let swap = !candidates.get(earlier).is_some_and(pairable) && pairable(candidate);
        let dropped = if swap {
            first.insert(column.as_slice(), j);
            earlier
        } else {
            j
        };
        if let Some(k) = keep.get_mut(dropped) {
            *k = false;
        }
    }
    let mut renumber = vec![None; candidates.len()];
    let mut next = 0u32;
    for (j, &kept) in keep.iter().enumerate() {
        if kept {
            if let Some(slot) = renumber.get_mut(j) {
                *slot = Some(next);
            }
            next += 1;
        }
    }
    for example in examples.iter_mut() {
        example.row.features = example
            .row
            .features
            .iter()
            .filter_map(|&(j, x)| Some((renumber.get(j as usize).copied().flatten()?, x)))
            .collect();
    }
    let mut dropped = Vec::new();
    let mut j = 0;
    candidates.retain(|c| {
        let kept = keep.get(j).copied().unwrap_or(true);
        j += 1;
        if !kept {
            dropped.push(c.id.clone());
        }
        kept
    });
    dropped
}
