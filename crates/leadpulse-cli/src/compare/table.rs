//! The comparison as tables: the two models' figures side by side, then the leads whose
//! stage differs.
use super::Comparison;
use crate::learn::evaluation;

pub fn render(c: &Comparison) -> String {
    let mut out = String::new();
    let mut line = |text: String| {
        out.push_str(&text);
        out.push('\n');
    };
    if let Some(h) = &c.held_out {
        line(format!(
            "held-out leads only (fit's split: share {}, seed {}); {} training leads left out",
            h.share, h.seed, h.train_leads_left_out
        ));
    }
    let title = |s: &super::Side| format!("{} ({})", s.name, s.hash);
    let (a, b) = (title(&c.a), title(&c.b));
    line(format!("{:<22} A: {a:<39} B: {b}", ""));
    let rows_a = evaluation::rows(&c.a.evaluation);
    let rows_b = evaluation::rows(&c.b.evaluation);
    for ((what, a), (_, b)) in rows_a.iter().zip(&rows_b) {
        if what == "lift by decile" {
            line(format!("{what:<22} A: {a}"));
            line(format!("{:<22} B: {b}", ""));
        } else {
            line(format!("{what:<22} {a:<42} {b}"));
        }
    }
    line(String::new());
    line(format!(
        "stage differs for {} of {} leads{}",
        c.differ,
        c.visitors,
        if c.differ > c.differences.len() {
            format!(" (the first {} shown)", c.differences.len())
        } else {
            String::new()
        }
    ));
    if !c.differences.is_empty() {
        line(format!(
            "  {:<40} {:<10} {:<16} {}",
            "visitor", "converted", "A stage (score)", "B stage (score)"
        ));
    }
    for d in &c.differences {
        let converted = match d.converted {
            Some(true) => "yes",
            Some(false) => "no",
            None => "—",
        };
        let a = format!("{} ({})", d.a.stage, d.a.score);
        let b = format!("{} ({})", d.b.stage, d.b.score);
        line(format!("  {:<40} {converted:<10} {a:<16} {b}", d.visitor));
    }
    out
}
