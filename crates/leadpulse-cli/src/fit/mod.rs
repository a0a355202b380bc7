//! `leadpulse fit`: learns integer points for a model's rules from outcomes (docs/learning.md).
//!
//! Four passes over the history, each streamed through the real engine: (1) what the
//! training leads did and are, to propose rules (`signals`, `candidates`); (2) every
//! candidate rule's firing weight per lead, read from the engine's reasons (`features`); then
//! an L2 logistic regression on the training leads (`logistic`) and integer points on a
//! stated scale (`decide`); (3) the leads' peak scores under those points, to pick the MQL and
//! SQL thresholds for the target (`points`), and the model document (`document`); (4) that
//! model replayed and measured on the held-out leads (`measure`, `report`).
mod answers;
mod bands;
mod candidates;
mod decide;
mod dedupe;
mod document;
mod features;
mod logistic;
mod measure;
mod pairs;
mod points;
mod properties;
mod report;
mod signals;
mod tune;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use leadpulse::core::model::Model;
use serde_json::Value;

use crate::learn::evaluation;
use crate::learn::history;
use crate::learn::outcomes;
use crate::learn::split::held_out;
use candidates::Settings;
use points::Target;

#[derive(clap::Args, Clone)]
#[command(
    after_help = "Exit status: 0 on success; 1 when the model was written but some \
    event or outcome lines were skipped (each is reported on stderr); 2 when no model could \
    be fitted (unreadable input, an invalid base model, no converted or no unconverted \
    training lead)."
)]
pub struct Options {
    /// The history: JSONL events (`leadpulse import` writes them from a CRM export), or
    /// Parquet: a `.parquet` file or a directory of them (docs/warehouse.md).
    #[arg(long, value_name = "E.jsonl|E.parquet|DIR")]
    events: PathBuf,
    #[command(flatten)]
    window: crate::window::Window,
    /// Outcomes: CSV `visitor,converted[,amount,closedAt]`.
    #[arg(long, value_name = "O.csv")]
    outcomes: PathBuf,
    /// A model document whose rules are re-weighted (and whose slots, routes, actions …
    /// are kept); without it the fitted model has only the learned rules.
    #[arg(long, value_name = "MODEL")]
    base: Option<PathBuf>,
    /// Where to write the fitted model document.
    #[arg(long, value_name = "MODEL.json")]
    out: PathBuf,
    /// Also write the report as JSON here.
    #[arg(long, value_name = "R.json")]
    report: Option<PathBuf>,
    /// SQL threshold: the lowest score whose SQLs convert at least this often (training
    /// leads). The default target is precision 0.75.
    #[arg(long, value_name = "P", conflicts_with = "sql_share")]
    sql_precision: Option<f64>,
    /// SQL threshold: the lowest score that makes at most this share of leads SQLs.
    #[arg(long, value_name = "S")]
    sql_share: Option<f64>,
    /// MQL threshold: the highest score that still catches this share of the converted
    /// training leads.
    #[arg(long, value_name = "R", default_value_t = 0.8)]
    mql_recall: f64,
    /// Share of the leads held out for the report (0: learn from all of them).
    #[arg(long, value_name = "SHARE", default_value_t = 0.25)]
    holdout: f64,
    /// Seed of the held-out split.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// L2 regularisation strength λ (scikit-learn's C = 1/λ).
    #[arg(long, value_name = "λ", default_value_t = 1.0)]
    l2: f64,
    /// Pick λ by 5-fold cross-validation on the training leads instead (from 0.1, 0.3, 1, 3,
    /// 10, 30: the least deviance on the folds left out).
    #[arg(long, conflicts_with = "l2")]
    l2_cv: bool,
    /// The points scale: this many points double the odds of converting.
    #[arg(long, value_name = "N", default_value_t = 20.0)]
    points_per_doubling: f64,
    /// A proposed rule must fire for, and not fire for, at least this many training leads.
    #[arg(long, value_name = "N", default_value_t = 30)]
    min_support: usize,
    /// Steps proposed per numeric signal (at most).
    #[arg(long, value_name = "N", default_value_t = 8)]
    bands: usize,
    /// The fitted model's name (default: the base's name + "-fitted", or "fitted").
    #[arg(long)]
    name: Option<String>,
}

/// A threshold no score reaches (the peaks pass decides no stage).
const NEVER: i64 = 1_000_000_000_000;

pub fn run(options: Options) -> ExitCode {
    match fit(&options) {
        Ok(skipped) if skipped > 0 => ExitCode::FAILURE,
        Ok(_) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("leadpulse fit: {message}");
            ExitCode::from(2)
        }
    }
}

fn check(options: &Options) -> Result<Target, String> {
    if !(0.0..1.0).contains(&options.holdout) {
        return Err("--holdout is a share from 0 to below 1".into());
    }
    if !(options.l2 >= 0.0 && options.points_per_doubling > 0.0) {
        return Err("--l2 must be ≥ 0 and --points-per-doubling > 0".into());
    }
    if !(0.0..=1.0).contains(&options.mql_recall) {
        return Err("--mql-recall is a share from 0 to 1".into());
    }
    match (options.sql_precision, options.sql_share) {
        (Some(p), _) if (0.0..=1.0).contains(&p) => Ok(Target::Precision(p)),
        (_, Some(s)) if (0.0..=1.0).contains(&s) => Ok(Target::Share(s)),
        (None, None) => Ok(Target::Precision(0.75)),
        _ => Err("--sql-precision and --sql-share are shares from 0 to 1".into()),
    }
}

/// The base model document, checked by the engine's reader.
fn load_base(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the base model {}: {e}", path.display()))?;
    if leadpulse::core::model::compiled::is_compiled_text(&text) {
        return Err(format!(
            "{} is a compiled model; fit needs the model document (JSON)",
            path.display()
        ));
    }
    Model::from_json_text(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn model_of(doc: &Value) -> Result<Model, String> {
    let text = serde_json::to_string(doc).map_err(|e| e.to_string())?;
    Model::from_json_text(&text).map_err(|e| format!("the model built is invalid: {e}"))
}

/// Fits and writes the model; the number of skipped input lines.
fn fit(options: &Options) -> Result<u64, String> {
    let target = check(options)?;
    options.window.check()?;
    let sources = Sources::read(options)?;
    let split = |key: &str| held_out(key, options.holdout, options.seed);
    let mut warnings = Vec::new();
    let proposed = propose(options, &sources, &split, &mut warnings)?;
    let (lines, rejected) = (proposed.lines, proposed.rejected);
    let learned = regress(options, &sources, proposed, &split, &mut warnings)?;
    // From here on with the λ the regression used (chosen by cross-validation with --l2-cv).
    let options = &Options {
        l2: learned.l2,
        ..options.clone()
    };
    let (doc, decided) = thresholds(
        options,
        &sources,
        &learned,
        target,
        lines,
        &split,
        &mut warnings,
    )?;
    let model = Arc::new(model_of(&doc)?);
    let text = serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n";

    // Pass 4: the fitted model replayed, measured.
    let predicted: HashMap<&str, i64> = learned
        .keys
        .iter()
        .zip(&learned.train)
        .map(|(key, row)| {
            (
                key.as_str(),
                decide::score(row, &learned.candidates, &learned.points),
            )
        })
        .collect();
    let (train_leads, held_leads, mismatches) = measure::measure(
        &sources.input,
        model.clone(),
        lines,
        &sources.outcomes,
        &split,
        &predicted,
    )?;
    if mismatches > 0 {
        warnings.push(format!(
            "{mismatches} training leads score otherwise at run time than their rule firings times the points (a rule kept at 1 point for a route)"
        ));
    }
    let counts = report::Data {
        events: options.events.display().to_string(),
        lines,
        rejected_lines: rejected,
        visitors: learned.visitors,
        outcomes: sources.outcomes.by_visitor.len(),
        outcome_problems: sources.outcomes.problems.len(),
        train: train_leads.len(),
        held_out: held_leads.len(),
    };
    let r = ReportParts {
        model: &model,
        data: counts,
        learned: &learned,
        decided: &decided,
        target,
        train: &train_leads,
        held_out: &held_leads,
    }
    .build(options, warnings);
    write(options, text, &r)?;
    let skipped = rejected + sources.outcomes.problems.len() as u64;
    eprintln!(
        "leadpulse fit: {lines} lines, {} visitors, {} train + {} held-out leads, {} rules → {}{}",
        learned.visitors,
        r.data.train,
        r.data.held_out,
        r.model.rules,
        options.out.display(),
        if skipped > 0 {
            format!("; {skipped} input lines skipped")
        } else {
            String::new()
        }
    );
    Ok(skipped)
}

/// What every pass reads: the history, the outcomes, the base model document.
struct Sources {
    input: history::Input,
    outcomes: outcomes::Outcomes,
    base: Option<Value>,
}

impl Sources {
    fn read(options: &Options) -> Result<Sources, String> {
        let input = history::Input::new(&options.events, options.window);
        let outcomes = outcomes::read(&options.outcomes)?;
        for problem in outcomes.problems.iter().take(100) {
            eprintln!("{}: {problem}", options.outcomes.display());
        }
        let base = options.base.as_deref().map(load_base).transpose()?;
        Ok(Sources {
            input,
            outcomes,
            base,
        })
    }
}

/// Pass 1's result: the rules worth learning points for, and what the history held.
struct Proposed {
    candidates: Vec<candidates::Candidate>,
    lines: u64,
    rejected: u64,
}

/// Pass 1: the signals of the training leads → candidate rules (the base's, proposed ones,
/// answers).
fn propose(
    options: &Options,
    sources: &Sources,
    split: &dyn Fn(&str) -> bool,
    warnings: &mut Vec<String>,
) -> Result<Proposed, String> {
    let (base, outcomes) = (sources.base.as_ref(), &sources.outcomes);
    let probe = Arc::new(model_of(&document::probe(base))?);
    let mut collector = signals::Collector::default();
    let pass = history::replay(
        &sources.input,
        &[probe],
        "signals",
        None,
        &mut |slot, event, _| collector.observe(slot, event),
    )?;
    if let Some(warning) =
        outcomes.coverage(&pass.matched(outcomes), &options.events, &options.outcomes)?
    {
        eprintln!("leadpulse fit: {warning}");
        warnings.push(warning);
    }
    let mut stats = signals::Signals::default();
    for (slot, (visitor, sessions)) in pass.visitors().enumerate() {
        let Some(state) = sessions.first().map(|s| s.state()) else {
            continue;
        };
        match outcomes.of(visitor, state.user_id.as_deref()) {
            Some((key, _)) if !split(key) => stats.add(state, slot, &collector),
            _ => {}
        }
    }
    let (lines, rejected) = (pass.lines, pass.rejected);
    drop(pass);
    let settings = Settings {
        min_support: options.min_support,
        bands: options.bands,
    };
    let mut candidates = base.map(candidates::from_base).unwrap_or_default();
    let proposed = candidates::propose(&stats, &candidates, &settings, warnings);
    candidates.extend(proposed);
    let supported = |count: usize| {
        count >= options.min_support && stats.leads.saturating_sub(count) >= options.min_support
    };
    candidates.extend(answers::propose(base, &stats, &supported));
    if candidates.is_empty() {
        return Err("no rule to learn: the base has none and no signal has enough support (see --min-support)".into());
    }
    Ok(Proposed {
        candidates,
        lines,
        rejected,
    })
}

/// Pass 2's result: the training leads, the regression on them, and the points it gives.
struct Learned {
    candidates: Vec<candidates::Candidate>,
    train: Vec<logistic::Row>,
    keys: Vec<String>,
    fitted: logistic::Fitted,
    support: Vec<(u64, u64)>,
    points: Vec<i64>,
    visitors: usize,
    /// The λ used: `--l2`, or the one cross-validation chose.
    l2: f64,
}

/// Pass 2: every candidate's firing weight per lead → the regression (with λ chosen by
/// cross-validation when asked, and pairs of strong rules added) → integer points.
fn regress(
    options: &Options,
    sources: &Sources,
    proposed: Proposed,
    split: &dyn Fn(&str) -> bool,
    warnings: &mut Vec<String>,
) -> Result<Learned, String> {
    let mut candidates = proposed.candidates;
    let features = Arc::new(model_of(&document::features(
        sources.base.as_ref(),
        &candidates,
    ))?);
    let pass = history::replay(
        &sources.input,
        &[features],
        "features",
        Some(proposed.lines),
        &mut |_, _, _| {},
    )?;
    let mut examples = features::extract(&pass, &candidates, &sources.outcomes, split);
    let alike = dedupe::dedupe(&mut candidates, &mut examples);
    if !alike.is_empty() {
        warnings.push(format!(
            "{} proposed rules fire for the same training leads as an earlier one and were left out: {}",
            alike.len(),
            alike.join(", ")
        ));
    }
    let visitors = pass.len();
    drop(pass);
    let (mut train, keys): (Vec<logistic::Row>, Vec<String>) = examples
        .into_iter()
        .filter(|e| !e.held_out)
        .map(|e| (e.row, e.key))
        .unzip();
    let converted = train.iter().filter(|r| r.label).count();
    if converted == 0 || converted == train.len() {
        return Err(format!(
            "{} training leads, {converted} converted: learning needs both kinds (is --outcomes keyed by the events' visitors?)",
            train.len()
        ));
    }
    let l2 = if options.l2_cv {
        let (l2, scores) = tune::choose(&train, &keys, candidates.len());
        let shown: Vec<String> = scores.iter().map(|(l, d)| format!("{l}: {d:.4}")).collect();
        warnings.push(format!(
            "λ = {l2}, chosen by 5-fold cross-validation on the training leads (deviance per lead: {})",
            shown.join(", ")
        ));
        l2
    } else {
        options.l2
    };
    let mut fitted = logistic::fit(&train, candidates.len(), l2);
    let rules = candidates.iter().filter(|c| c.is_rule()).count();
    let room = candidates::MAX_RULES.saturating_sub(rules);
    let added = pairs::add(
        &mut candidates,
        &mut train,
        &mut fitted,
        l2,
        options.min_support,
        room,
    );
    if added > 0 {
        warnings.push(format!(
            "{added} pair combinations of strong rules added, one at a time while one missed by the model so far passed the score test (|z| ≥ 3 on the training leads)"
        ));
    }
    let support = decide::support(&train, candidates.len());
    let points = decide::learned_points(
        &candidates,
        &fitted.weights,
        &support,
        options.points_per_doubling,
        warnings,
    );
    Ok(Learned {
        candidates,
        train,
        keys,
        fitted,
        support,
        points,
        visitors,
        l2,
    })
}

/// Pass 3: the peak score of each training lead under the learned points → the MQL and SQL
/// thresholds for the target → the model document. Stages are forward-only, so a lead
/// qualifies when its score *ever* reaches a threshold: the thresholds are picked on peaks,
/// which the final score may be below.
fn thresholds(
    options: &Options,
    sources: &Sources,
    learned: &Learned,
    target: Target,
    lines: u64,
    split: &dyn Fn(&str) -> bool,
    warnings: &mut Vec<String>,
) -> Result<(Value, document::Decisions), String> {
    let base = sources.base.as_ref();
    let (candidates, points, train) = (&learned.candidates, &learned.points, &learned.train);
    let unreached = (NEVER, NEVER, 1);
    let (doc, _) = decide::build(
        options,
        base,
        candidates,
        points,
        train,
        unreached,
        &mut Vec::new(),
    );
    let scored = measure::peaks(
        &sources.input,
        Arc::new(model_of(&doc)?),
        lines,
        &sources.outcomes,
        split,
    )?;
    let (mql, sql) = points::thresholds(
        &scored,
        target,
        options.mql_recall,
        options.min_support,
        warnings,
    );
    if mql <= 0 {
        warnings.push(format!(
            "MQL enters at {mql}: on this scale most leads' evidence is negative, so a visitor with none (score 0) would be above it{}",
            if base.is_none() { "; both stages require a known visitor" } else { "" }
        ));
    }
    let gap = ((options.points_per_doubling / 4.0).round() as i64).max(1);
    Ok(decide::build(
        options,
        base,
        candidates,
        points,
        train,
        (mql, sql, gap),
        warnings,
    ))
}

/// What the report is made of, once every pass has run.
struct ReportParts<'a> {
    model: &'a Model,
    data: report::Data,
    learned: &'a Learned,
    decided: &'a document::Decisions,
    target: Target,
    train: &'a [evaluation::Outcome],
    held_out: &'a [evaluation::Outcome],
}

impl ReportParts<'_> {
    fn build(self, options: &Options, warnings: Vec<String>) -> report::Report {
        let ReportParts {
            model,
            data,
            learned,
            decided,
            target,
            train,
            held_out,
        } = self;
        let (candidates, points, fitted) = (&learned.candidates, &learned.points, &learned.fitted);
        report::Report {
            model: report::ModelInfo {
                name: model.name.clone(),
                hash: model.hash.clone(),
                file: options.out.display().to_string(),
                rules: model.rules.len(),
            },
            data,
            split: report::Split {
                held_out_share: options.holdout,
                seed: options.seed,
                rule: "held out when fnv1a64(\"SEED:VISITOR\") % 1000000 < SHARE × 1000000",
            },
            fit: report::FitInfo {
                method: "L2-regularised logistic regression, Newton's method (hand-written)",
                l2: options.l2,
                iterations: fitted.iterations,
                converged: fitted.converged,
                intercept: fitted.intercept,
                points_per_doubling: options.points_per_doubling,
                candidates: candidates.len(),
                min_support: options.min_support,
                bands: options.bands,
            },
            thresholds: report::Thresholds {
                mql: report::Stage {
                    enter: decided.mql.0,
                    exit: decided.mql.1,
                    target: format!("recall ≥ {} on the training leads", options.mql_recall),
                },
                sql: report::Stage {
                    enter: decided.sql.0,
                    exit: decided.sql.1,
                    target: target.describe(),
                },
            },
            held_out: (!held_out.is_empty()).then(|| evaluation::evaluate(held_out)),
            train: evaluation::evaluate(train),
            points: decide::points_table(candidates, points, &fitted.weights, &learned.support),
            bands: report::bands(candidates, points),
            warnings,
        }
    }
}

/// Writes the model and the report (both or neither: a run that fails, exit 2, leaves no
/// model), then prints the report's table.
fn write(options: &Options, model_text: String, r: &report::Report) -> Result<(), String> {
    let mut files: Vec<(&Path, Vec<u8>)> = vec![(&options.out, model_text.into_bytes())];
    if let Some(path) = &options.report {
        let json = serde_json::to_string_pretty(r).map_err(|e| e.to_string())? + "\n";
        files.push((path, json.into_bytes()));
    }
    let files: Vec<(&Path, &[u8])> = files.iter().map(|(p, b)| (*p, b.as_slice())).collect();
    crate::output::write_all(&files)?;
    print!("{}", report::table(r));
    Ok(())
}
