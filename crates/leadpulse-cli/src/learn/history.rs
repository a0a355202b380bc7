//! A history (JSONL events, or Parquet through DataFusion) replayed through several models
//! at once, as `leadpulse replay` does through one: each event applies to its visitor's
//! session in every model, at the event's own time, in file order. Reading and parsing run
//! on a reader thread (`replay`'s for JSONL, `warehouse::ordered` for Parquet); either
//! hands over the same events in the same order. Memory: one session per visitor and model.
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use leadpulse::core::engine::Session;
use leadpulse::core::event::Event;
use leadpulse::core::model::Model;

use crate::replay::lines::Lines;
use crate::replay::parse::{self, Parsed};
use crate::window::Window;

/// What to read: the path given (JSONL or Parquet) and the window of time kept.
#[derive(Debug, Clone)]
pub struct Input {
    pub path: PathBuf,
    pub window: Window,
}

impl Input {
    pub fn new(path: &Path, window: Window) -> Input {
        Input {
            path: path.to_path_buf(),
            window,
        }
    }
}

/// Rejected lines reported one by one; the rest are counted.
const MAX_REPORTED: u64 = 100;

pub struct History {
    index: HashMap<String, usize>,
    visitors: Vec<(String, Vec<Session>)>,
    /// Lines read (events and rejected ones).
    pub lines: u64,
    pub rejected: u64,
}

impl History {
    /// Each visitor (in order of first appearance) with its session in each model.
    pub fn visitors(&self) -> impl Iterator<Item = (&str, &[Session])> {
        self.visitors
            .iter()
            .map(|(v, s)| (v.as_str(), s.as_slice()))
    }

    pub fn len(&self) -> usize {
        self.visitors.len()
    }

    /// The outcome ids some visitor matches (by its key, else the user id it identified with).
    pub fn matched<'a>(
        &'a self,
        outcomes: &'a crate::learn::outcomes::Outcomes,
    ) -> std::collections::HashSet<&'a str> {
        self.visitors()
            .filter_map(|(visitor, sessions)| {
                let user = sessions.first()?.state().user_id.as_deref();
                outcomes.of(visitor, user).map(|(key, _)| key)
            })
            .collect()
    }
}

/// Replays `input` through `models`. `lines` (from an earlier pass over the same file) turns
/// the spinner into a bar. A rejected line is reported (the first ones) and counted; every
/// applied event is also shown to `observe` with its visitor's position and sessions.
pub fn replay(
    input: &Input,
    models: &[Arc<Model>],
    label: &str,
    lines: Option<u64>,
    observe: &mut dyn FnMut(usize, &Event, &[Session]),
) -> Result<History, String> {
    let name = input.path.display().to_string();
    let source = Source::open(input)?;
    let lines = lines.or(source.rows());
    let bar = crate::progress::bar(label, lines, false);
    let mut history = History {
        index: HashMap::new(),
        visitors: Vec::new(),
        lines: 0,
        rejected: 0,
    };
    let read = std::thread::scope(|scope| {
        let (batches, reader) = source.spawn(scope, input.window);
        for batch in batches.iter() {
            bar.inc(batch.len() as u64);
            for parsed in batch {
                history.lines += 1;
                let problem = match parsed {
                    Parsed::Event(at, event) => match history.apply(models, &event) {
                        Ok(slot) => {
                            if let Some((_, sessions)) = history.visitors.get(slot) {
                                observe(slot, &event, sessions);
                            }
                            Ok(())
                        }
                        Err(why) => Err((at, why)),
                    },
                    Parsed::Rejected(at, why) => Err((at, why)),
                };
                if let Err((at, why)) = problem {
                    history.rejected += 1;
                    if history.rejected <= MAX_REPORTED {
                        bar.suspend(|| eprintln!("{}: {why}", at.describe(&name)));
                    }
                }
            }
        }
        reader.join()
    });
    bar.finish_and_clear();
    if history.rejected > MAX_REPORTED {
        eprintln!(
            "{name}: … {} more rejected lines not shown",
            history.rejected - MAX_REPORTED
        );
    }
    match read {
        Ok(Ok(())) => Ok(history),
        Ok(Err(e)) => Err(format!("reading {name}: {e}")),
        Err(_) => Err(format!("reading {name}: the reader thread failed")),
    }
}

/// Where the events come from.
enum Source {
    Jsonl(Lines),
    #[cfg(feature = "warehouse")]
    Parquet(Box<crate::warehouse::ordered::Ordered>),
}

type Spawned<'scope> = (
    std::sync::mpsc::Receiver<Vec<Parsed>>,
    std::thread::ScopedJoinHandle<'scope, Result<(), String>>,
);

impl Source {
    fn open(input: &Input) -> Result<Source, String> {
        let name = input.path.display();
        if crate::input::is_parquet(&input.path) {
            #[cfg(feature = "warehouse")]
            return crate::warehouse::ordered::Ordered::open(&input.path)
                .map(|o| Source::Parquet(Box::new(o)));
            #[cfg(not(feature = "warehouse"))]
            return Err(crate::input::unsupported(&input.path));
        }
        Lines::open(&input.path)
            .map(Source::Jsonl)
            .map_err(|e| format!("cannot read {name}: {e}"))
    }

    /// Rows in all, when the input says so up front (Parquet's footers do).
    fn rows(&self) -> Option<u64> {
        match self {
            Source::Jsonl(_) => None,
            #[cfg(feature = "warehouse")]
            Source::Parquet(ordered) => Some(ordered.rows()),
        }
    }

    fn spawn<'scope>(
        self,
        scope: &'scope std::thread::Scope<'scope, '_>,
        window: Window,
    ) -> Spawned<'scope> {
        match self {
            Source::Jsonl(lines) => parse::spawn(scope, lines, window),
            #[cfg(feature = "warehouse")]
            Source::Parquet(ordered) => (*ordered).spawn(scope, window),
        }
    }
}

impl History {
    /// Applies the event in every model; the visitor's position, or the first model's
    /// reason to reject it.
    fn apply(&mut self, models: &[Arc<Model>], event: &Event) -> Result<usize, String> {
        let slot = match self.index.get(&event.visitor) {
            Some(&slot) => slot,
            None => {
                let sessions = models
                    .iter()
                    .map(|m| Session::new(m.clone(), &event.visitor))
                    .collect();
                self.visitors.push((event.visitor.clone(), sessions));
                self.index
                    .insert(event.visitor.clone(), self.visitors.len() - 1);
                self.visitors.len() - 1
            }
        };
        let Some((_, sessions)) = self.visitors.get_mut(slot) else {
            return Ok(slot);
        };
        let mut first = Ok(slot);
        for session in sessions.iter_mut() {
            if let Err(problem) = session.apply(event, event.time) {
                if first.is_ok() {
                    first = Err(problem.to_string());
                }
            }
        }
        first
    }
}
