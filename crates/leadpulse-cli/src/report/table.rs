//! The report as text: figures as rows, all leads and then each group as columns, rejection
//! reasons and the weekly trend.
use super::figures::{Figures, Rate, Report, Spread};

/// Groups shown side by side (all of them are in `--json`).
const MAX_COLUMNS: usize = 6;

fn rate(r: &Rate) -> String {
    match r.rate {
        Some(v) => format!("{:.1}% ({}/{})", v * 100.0, r.numerator, r.denominator),
        None => "—".into(),
    }
}

/// A duration for people: `45 s`, `12 min`, `5 h 10 min`, `3 d 4 h`.
pub fn duration(ms: i64) -> String {
    let minutes = ms / 60_000;
    if ms < 60_000 {
        format!("{} s", ms / 1000)
    } else if minutes < 60 {
        format!("{minutes} min")
    } else if minutes < 48 * 60 {
        match minutes % 60 {
            0 => format!("{} h", minutes / 60),
            m => format!("{} h {m} min", minutes / 60),
        }
    } else {
        match minutes % 1440 / 60 {
            0 => format!("{} d", minutes / 1440),
            h => format!("{} d {h} h", minutes / 1440),
        }
    }
}

fn spread(s: &Spread) -> String {
    match (s.median_ms, s.p90_ms) {
        (Some(median), Some(p90)) => format!("{} / {}", duration(median), duration(p90)),
        _ => "—".into(),
    }
}

fn rows(f: &Figures) -> Vec<String> {
    vec![
        f.mqls.to_string(),
        f.sqls.to_string(),
        rate(&f.mql_to_sql),
        rate(&f.sql_to_accepted),
        rate(&f.sql_to_opportunity),
        rate(&f.win_rate),
        format!("{:.2}", f.won_amount),
        spread(&f.velocity.first_touch_to_mql),
        spread(&f.velocity.mql_to_sql),
        spread(&f.velocity.sql_to_accepted),
        spread(&f.velocity.first_touch_to_sql),
        spread(&f.time_to_accept),
    ]
}

const LABELS: [&str; 12] = [
    "MQLs",
    "SQLs",
    "MQL→SQL",
    "SQL→accepted (SAL)",
    "SQL→opportunity",
    "win rate (won/closed)",
    "won amount",
    "first touch→MQL (median / p90)",
    "MQL→SQL (median / p90)",
    "SQL→accepted (median / p90)",
    "first touch→SQL (median / p90)",
    "time to accept (p50 / p90)",
];

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    let bound = |t: &Option<String>| {
        t.as_deref()
            .map_or("…".to_string(), |t| t.replace(".000Z", "Z"))
    };
    line(format!(
        "sales report, {} to {} (to excluded){}; definitions: docs/metrics.md",
        bound(&r.from),
        bound(&r.to),
        r.by.map_or(String::new(), |b| format!(
            ", by {}",
            serde_json::to_string(&b)
                .unwrap_or_default()
                .trim_matches('"')
        ))
    ));
    let mut columns: Vec<(String, Vec<String>)> = vec![("all".into(), rows(&r.total))];
    columns.extend(
        r.groups
            .iter()
            .take(MAX_COLUMNS)
            .map(|g| (g.key.clone(), rows(&g.figures))),
    );
    let widths: Vec<usize> = columns
        .iter()
        .map(|(key, values)| {
            values
                .iter()
                .map(|v| v.chars().count())
                .chain([key.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut header = format!("{:<32}", "");
    for ((key, _), w) in columns.iter().zip(&widths) {
        header.push_str(&format!("  {key:>w$}"));
    }
    line(header);
    for (i, label) in LABELS.iter().enumerate() {
        let mut row = format!("{label:<32}");
        for ((_, values), w) in columns.iter().zip(&widths) {
            let value = values.get(i).map_or("", String::as_str);
            row.push_str(&format!("  {value:>w$}"));
        }
        line(row);
    }
    if r.groups.len() > MAX_COLUMNS {
        line(format!(
            "… {} more groups in --json",
            r.groups.len() - MAX_COLUMNS
        ));
    }
    line(String::new());
    line("rejection reasons (all leads):".into());
    if r.total.rejections.is_empty() {
        line("  none".into());
    }
    for rejection in &r.total.rejections {
        line(format!("  {:>5}  {}", rejection.count, rejection.reason));
    }
    if !r.challengers.is_empty() {
        line(String::new());
        line("champion vs challenger (leads whose summaries carried a shadow model):".into());
        for c in &r.challengers {
            line(format!(
                "  {} vs {}: {} leads; SQLs {} vs {} ({} both); accepted {} vs {}; won {} vs {}",
                c.champion,
                c.challenger,
                c.leads,
                c.champion_sqls,
                c.challenger_sqls,
                c.both_sqls,
                c.champion_sqls_accepted,
                c.challenger_sqls_accepted,
                c.champion_sqls_won,
                c.challenger_sqls_won
            ));
            if let Some(warning) = &c.warning {
                line(format!("  warning: {warning}"));
            }
        }
    }
    line(String::new());
    line(format!(
        "{:<10} {:<10} {:>6} {:>6} {:>9} {:>5}",
        "week", "monday", "MQLs", "SQLs", "accepted", "won"
    ));
    for w in &r.weeks {
        line(format!(
            "{:<10} {:<10} {:>6} {:>6} {:>9} {:>5}",
            w.week, w.start, w.mqls, w.sqls, w.accepted, w.won
        ));
    }
    out
}
