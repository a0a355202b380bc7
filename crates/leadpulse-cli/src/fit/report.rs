//! What a fit found, for people (a table on stdout) and for tools (`--report R.json`).
use serde::Serialize;

use super::candidates::{Axis, Candidate, Origin};
use crate::learn::evaluation::{self, Evaluation};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub model: ModelInfo,
    pub data: Data,
    pub split: Split,
    pub fit: FitInfo,
    pub thresholds: Thresholds,
    /// On the held-out leads (absent with `--holdout 0`).
    pub held_out: Option<Evaluation>,
    pub train: Evaluation,
    pub points: Vec<PointsRow>,
    pub bands: Vec<Bands>,
    pub warnings: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    pub name: String,
    pub hash: String,
    pub file: String,
    pub rules: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Data {
    pub events: String,
    pub lines: u64,
    pub rejected_lines: u64,
    pub visitors: usize,
    pub outcomes: usize,
    pub outcome_problems: usize,
    pub train: usize,
    pub held_out: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Split {
    pub held_out_share: f64,
    pub seed: u64,
    pub rule: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FitInfo {
    pub method: &'static str,
    pub l2: f64,
    pub iterations: u32,
    pub converged: bool,
    pub intercept: f64,
    pub points_per_doubling: f64,
    pub candidates: usize,
    pub min_support: usize,
    pub bands: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stage {
    pub enter: i64,
    pub exit: i64,
    pub target: String,
}

#[derive(Serialize)]
pub struct Thresholds {
    pub mql: Stage,
    pub sql: Stage,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PointsRow {
    pub rule: String,
    pub description: String,
    pub axis: &'static str,
    /// 0: dropped (it scored nothing).
    pub points: i64,
    pub weight: f64,
    /// Training leads it fires for, and how many of them converted.
    pub leads: u64,
    pub converted: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Band {
    pub from: f64,
    pub to: Option<f64>,
    pub points: i64,
}

/// A numeric signal's steps added up: the points each band of values gets in all.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bands {
    pub signal: String,
    pub bands: Vec<Band>,
}

pub fn bands(candidates: &[Candidate], points: &[i64]) -> Vec<Bands> {
    let mut out: Vec<Bands> = Vec::new();
    for (c, &p) in candidates.iter().zip(points) {
        let Origin::Step { signal, at } = &c.origin else {
            continue;
        };
        if out.last().is_none_or(|b| &b.signal != signal) {
            out.push(Bands {
                signal: signal.clone(),
                bands: vec![Band {
                    from: f64::NEG_INFINITY,
                    to: None,
                    points: 0,
                }],
            });
        }
        if let Some(b) = out.last_mut() {
            let total = b.bands.last().map_or(0, |l| l.points) + p;
            if let Some(last) = b.bands.last_mut() {
                last.to = Some(*at);
            }
            b.bands.push(Band {
                from: *at,
                to: None,
                points: total,
            });
        }
    }
    for b in &mut out {
        if let Some(first) = b.bands.first_mut() {
            first.from = 0.0;
        }
    }
    out
}

pub fn axis_name(axis: Axis) -> &'static str {
    match axis {
        Axis::Fit => "fit",
        Axis::Engagement => "engagement",
    }
}

fn band_range(band: &Band) -> String {
    match band.to {
        Some(to) => format!("{} to < {}", band.from, to),
        None => format!("{} or more", band.from),
    }
}

/// The readable table: data, the held-out figures, thresholds, the points and the bands.
pub fn table(r: &Report) -> String {
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    line(format!(
        "model '{}' ({}) → {}: {} rules",
        r.model.name, r.model.hash, r.model.file, r.model.rules
    ));
    line(format!(
        "leads with outcomes: {} train, {} held out (share {}, seed {}); {} candidate rules; L2 {}; {} points double the odds",
        r.data.train, r.data.held_out, r.split.held_out_share, r.split.seed, r.fit.candidates, r.fit.l2, r.fit.points_per_doubling
    ));
    line(format!(
        "thresholds: MQL enter {} exit {} ({}); SQL enter {} exit {} ({})",
        r.thresholds.mql.enter,
        r.thresholds.mql.exit,
        r.thresholds.mql.target,
        r.thresholds.sql.enter,
        r.thresholds.sql.exit,
        r.thresholds.sql.target
    ));
    for (title, e) in [("held out", r.held_out.as_ref()), ("train", Some(&r.train))] {
        let Some(e) = e else { continue };
        line(String::new());
        line(format!("{title}:"));
        for (what, value) in evaluation::rows(e) {
            line(format!("  {what:<22} {value}"));
        }
    }
    line(String::new());
    let width = r
        .points
        .iter()
        .map(|p| p.rule.len())
        .max()
        .unwrap_or(4)
        .clamp(4, 64);
    line(format!(
        "{:>6}  {:<width$} {:<10} {:>6} {:>6}  {}",
        "points", "rule", "axis", "leads", "conv.", "description"
    ));
    for p in &r.points {
        let rate = if p.leads > 0 {
            format!("{:.0}%", 100.0 * p.converted as f64 / p.leads as f64)
        } else {
            "—".into()
        };
        let points = if p.points == 0 {
            "—".to_string()
        } else {
            format!("{:+}", p.points)
        };
        line(format!(
            "{points:>6}  {:<width$} {:<10} {:>6} {:>6}  {}",
            p.rule, p.axis, p.leads, rate, p.description
        ));
    }
    for b in &r.bands {
        line(String::new());
        line(format!("{} (the steps added up):", b.signal));
        for band in &b.bands {
            line(format!("  {:<24} {:+}", band_range(band), band.points));
        }
    }
    if !r.warnings.is_empty() {
        line(String::new());
        for w in &r.warnings {
            line(format!("note: {w}"));
        }
    }
    out
}
