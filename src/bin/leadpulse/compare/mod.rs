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
use crate::learn::{history, outcomes};

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 on success; 1 when some event or outcome lines were \
    skipped (each is reported on stderr); 2 when the comparison could not be made."
)]
pub struct Options {
    /// The history: JSONL events.
    #[arg(long, value_name = "E.jsonl")]
    events: PathBuf,
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
    let outcomes = outcomes::read(&options.outcomes)?;
    for problem in outcomes.problems.iter().take(100) {
        eprintln!("{}: {problem}", options.outcomes.display());
    }
    let a = Arc::new(crate::model_file::load(Some(&options.a))?);
    let b = Arc::new(crate::model_file::load(Some(&options.b))?);
    let models = [a.clone(), b.clone()];
    let pass = history::replay(&options.events, &models, "compare", None, &mut |_, _, _| {})?;
    let (mut leads_a, mut leads_b) = (Vec::new(), Vec::new());
    let mut differences = Vec::new();
    let mut differ = 0;
    for (visitor, sessions) in pass.visitors() {
        let [session_a, session_b] = sessions else {
            continue;
        };
        let user = session_a.state().user_id.as_deref();
        let converted = outcomes.of(visitor, user).map(|(_, o)| o.converted);
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
    };
    Ok((comparison, pass.rejected + outcomes.problems.len() as u64))
}
