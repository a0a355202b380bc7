//! `leadpulse compare`: champion and challenger on the same history — both models' metrics
//! against the outcomes, and the leads whose stage differs (docs/learning.md, "Compare").
//! One replay: each event applies to the visitor's session in both models.
mod table;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use leadpulse::core::model::Model;
use serde::Serialize;

use crate::learn::evaluation::{self, Evaluation, Outcome};
use crate::learn::split::held_out;
use crate::learn::{coverage, history, outcomes};

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 on success; 1 when some event or outcome lines were \
    skipped (each is reported on stderr); 2 when the comparison could not be made."
)]
pub struct Options {
    /// The history: JSONL events, or Parquet: a `.parquet` file or a directory of them
    /// (docs/warehouse.md).
    #[arg(long, value_name = "E.jsonl|E.parquet|DIR")]
    events: PathBuf,
    #[command(flatten)]
    window: crate::window::Window,
    /// Outcomes: CSV `visitor,converted[,amount,closedAt]`.
    #[arg(long, value_name = "O.csv")]
    outcomes: PathBuf,
    /// The champion: a model document or a compiled model.
    #[arg(value_name = "MODEL_A")]
    a: PathBuf,
    /// The challenger.
    #[arg(value_name = "MODEL_B")]
    b: PathBuf,
    /// How many of the leads whose stage differs to list (all are counted).
    #[arg(long, value_name = "N", default_value_t = 20)]
    show: usize,
    /// Print JSON instead of tables.
    #[arg(long)]
    json: bool,
    /// Measure only the leads `fit --holdout SHARE --seed N` held out (the same split,
    /// docs/learning.md), so that a fitted model is never scored on its own training leads.
    #[arg(long, value_name = "SHARE")]
    holdout: Option<f64>,
    /// The seed of that split (fit's default: 1).
    #[arg(long, default_value_t = 1, requires = "holdout")]
    seed: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Side {
    pub file: String,
    pub name: String,
    pub hash: String,
    pub evaluation: Evaluation,
}

#[derive(Serialize, Clone)]
#[serde(rename_all = "camelCase")]
pub struct Scored {
    pub stage: &'static str,
    pub score: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Difference {
    pub visitor: String,
    /// `None`: no outcome for this lead.
    pub converted: Option<bool>,
    pub a: Scored,
    pub b: Scored,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    pub events: String,
    pub visitors: usize,
    pub a: Side,
    pub b: Side,
    /// Leads (with or without an outcome) whose stage differs.
    pub differ: usize,
    /// The first `--show` of them, in order of first appearance.
    pub differences: Vec<Difference>,
    /// With `--holdout`: the split the figures are measured on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_out: Option<HeldOut>,
    /// Outcome ids without events, and what either model tests that the history never has.
    pub warnings: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HeldOut {
    pub share: f64,
    pub seed: u64,
    /// Leads with an outcome left out of the figures (fit's training leads).
    pub train_leads_left_out: usize,
}

pub fn run(options: Options) -> ExitCode {
    match compare(&options) {
        Ok((comparison, skipped)) => {
            if options.json {
                match serde_json::to_string_pretty(&comparison) {
                    Ok(text) => println!("{text}"),
                    Err(e) => {
                        eprintln!("leadpulse compare: {e}");
                        return ExitCode::from(2);
                    }
                }
            } else {
                print!("{}", table::render(&comparison));
            }
            eprintln!(
                "leadpulse compare: {} visitors; stage differs for {}{}",
                comparison.visitors,
                comparison.differ,
                if skipped > 0 {
                    format!("; {skipped} input lines skipped")
                } else {
                    String::new()
                }
            );
            if skipped > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            }
        }
        Err(message) => {
            eprintln!("leadpulse compare: {message}");
            ExitCode::from(2)
        }
    }
}

fn compare(options: &Options) -> Result<(Comparison, u64), String> {
    if options
        .holdout
        .is_some_and(|share| !(share > 0.0 && share < 1.0))
    {
        return Err("--holdout is a share above 0 and below 1 (fit's --holdout)".into());
    }
    let outcomes = outcomes::read(&options.outcomes)?;
    for problem in outcomes.problems.iter().take(100) {
        eprintln!("{}: {problem}", options.outcomes.display());
    }
    let a = Arc::new(crate::model_file::load(Some(&options.a))?);
    let b = Arc::new(crate::model_file::load(Some(&options.b))?);
    let models = [a.clone(), b.clone()];
    let mut seen = coverage::Seen::default();
    options.window.check()?;
    let pass = history::replay(
        &history::Input::new(&options.events, options.window),
        &models,
        "compare",
        None,
        &mut |_, event, _| seen.observe(event),
    )?;
    let mut warnings: Vec<String> = outcomes
        .coverage(&pass.matched(&outcomes), &options.events, &options.outcomes)?
        .into_iter()
        .collect();
    for (label, model) in [("A", &a), ("B", &b)] {
        let found = coverage::warnings(model, &seen);
        warnings.extend(found.into_iter().map(|w| format!("{label}: {w}")));
    }
    for warning in &warnings {
        eprintln!("leadpulse compare: warning: {warning}");
    }
    let split = options
        .holdout
        .map(|share| move |key: &str| held_out(key, share, options.seed));
    let mut left_out = 0;
    let (mut leads_a, mut leads_b) = (Vec::new(), Vec::new());
    let mut differences = Vec::new();
    let mut differ = 0;
    for (visitor, sessions) in pass.visitors() {
        let [session_a, session_b] = sessions else {
            continue;
        };
        let user = session_a.state().user_id.as_deref();
        let found = outcomes.of(visitor, user);
        // NOTE: with --holdout, fit's training leads count as leads without an outcome: not
        // in the figures, still listed when their stage differs.
        let train = match (&split, found) {
            (Some(split), Some((key, _))) => !split(key),
            _ => false,
        };
        left_out += usize::from(train);
        let converted = found.filter(|_| !train).map(|(_, o)| o.converted);
        let (ra, rb) = (
            Outcome::of(session_a, converted.unwrap_or(false)),
            Outcome::of(session_b, converted.unwrap_or(false)),
        );
        if converted.is_some() {
            leads_a.push(ra);
            leads_b.push(rb);
        }
        if ra.stage != rb.stage {
            differ += 1;
            if differences.len() < options.show {
                let scored = |r: &Outcome| Scored {
                    stage: r.stage.name(),
                    score: r.score,
                };
                differences.push(Difference {
                    visitor: visitor.to_string(),
                    converted,
                    a: scored(&ra),
                    b: scored(&rb),
                });
            }
        }
    }
    let side = |model: &Model, file: &PathBuf, leads: &[Outcome]| Side {
        file: file.display().to_string(),
        name: model.name.clone(),
        hash: model.hash.clone(),
        evaluation: evaluation::evaluate(leads),
    };
    let comparison = Comparison {
        events: options.events.display().to_string(),
        visitors: pass.len(),
        a: side(&a, &options.a, &leads_a),
        b: side(&b, &options.b, &leads_b),
        differ,
        differences,
        held_out: options.holdout.map(|share| HeldOut {
            share,
            seed: options.seed,
            train_leads_left_out: left_out,
        }),
        warnings,
    };
    Ok((comparison, pass.rejected + outcomes.problems.len() as u64))
}
