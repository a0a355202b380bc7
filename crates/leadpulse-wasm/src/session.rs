//! `Session`: one visitor, scored incrementally.
use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::{convert, errors, input, step};
use leadpulse::core::engine;
use leadpulse::core::event::{Defaults, Event};
use leadpulse::core::json::Problem;
use leadpulse::core::state;
use leadpulse::core::summary::{shadow, SummaryOptions};

/// One visitor's scoring session. Create it with `scorer.session()`.
///
/// ```js
/// const session = new Scorer().session('anon-42');
/// const step = session.track({ type: 'page', properties: { path: '/pricing' } });
/// console.log(step.score, step.stage, session.snapshot().reasons);
/// ```
#[wasm_bindgen]
pub struct Session {
    // NOTE: every method takes `&self` and borrows the engine only once its input is
    // converted: an input that exhausts memory then traps outside the borrow, and the
    // session keeps working; a trap inside it leaves the borrow held, which `engine()` reports.
    inner: RefCell<engine::Session>,
    restore_error: Option<String>,
    /// A challenger's (`scorer.shadowSession`): whether it has seen the whole history.
    whole_history: Option<bool>,
}

impl Session {
    pub(super) fn wrap(
        inner: engine::Session,
        restore_error: Option<String>,
        whole_history: Option<bool>,
    ) -> Session {
        Session {
            inner: RefCell::new(inner),
            restore_error,
            whole_history,
        }
    }

    fn engine(&self) -> Result<std::cell::RefMut<'_, engine::Session>, JsValue> {
        self.inner.try_borrow_mut().map_err(|_| errors::broken())
    }
}

/// The event's problem, its path prefixed with its index in a batch (`[3].properties.seconds`).
fn at_index(index: usize, mut problem: Problem) -> JsValue {
    problem.path = if problem.path.is_empty() {
        format!("[{index}]")
    } else {
        format!("[{index}].{}", problem.path)
    };
    errors::problem(&problem)
}

#[wasm_bindgen]
impl Session {
    /// The visitor key: the id given to `scorer.session()`, else that of the first event.
    ///
    /// ```js
    /// scorer.session('anon-42').visitor === 'anon-42'
    /// ```
    #[wasm_bindgen(getter)]
    pub fn visitor(&self) -> Result<String, JsValue> {
        Ok(self.engine()?.visitor().to_string())
    }

    /// Why the saved state given to `scorer.session()` was discarded, if it was.
    ///
    /// ```js
    /// scorer.session('a', 'garbage').restoreError // "saved state is not base64url …"
    /// ```
    #[wasm_bindgen(getter, js_name = restoreError)]
    pub fn restore_error(&self) -> Option<String> {
        self.restore_error.clone()
    }

    /// Applies one event in the contract format and returns what it did (a `Step`: score,
    /// stage, status, what changed, whether a summary is due). Missing `anonymousId`/`userId`
    /// default to the session's visitor and a missing `timestamp` to `nowMs`. An invalid
    /// event throws a `TypeError` or `RangeError` whose message (and `error.path`) names the
    /// field, and changes nothing. A repeated `messageId` is ignored (`step.duplicate`).
    ///
    /// ```js
    /// const step = session.track({ type: 'track', event: 'Demo Requested' }, Date.now());
    /// if (step.summaryDue) send(session.handoff());
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Step")]
    pub fn track(
        &self,
        #[wasm_bindgen(unchecked_param_type = "LeadEvent")] event: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now_ms: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let now = convert::now(now_ms)?;
        let raw = input::event(event)?;
        let step = {
            let mut engine = self.engine()?;
            let defaults = Defaults {
                visitor: engine.visitor(),
                time: Some(now),
            };
            let event = raw.check(defaults).map_err(|p| errors::problem(&p))?;
            engine.track(&event, now).map_err(|p| errors::problem(&p))?
        };
        Ok(step::to_js(&step))
    }

    /// Applies several events in order, with one crossing of the JS/wasm boundary for the
    /// whole batch (at most 1000 events), and returns the `Step` of the last one: for events
    /// queued before the engine was ready, backfills and replays. All or nothing: an invalid
    /// event throws (its path prefixed with its index, e.g. `[3].properties.seconds`) and
    /// changes nothing.
    ///
    /// ```js
    /// const step = session.trackAll([
    ///   { type: 'page', properties: { path: '/pricing' } },
    ///   { type: 'track', event: 'Demo Requested' },
    /// ], Date.now());
    /// ```
    #[wasm_bindgen(js_name = trackAll, unchecked_return_type = "Step")]
    pub fn track_all(
        &self,
        #[wasm_bindgen(unchecked_param_type = "LeadEvent[]")] events: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now_ms: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let now = convert::now(now_ms)?;
        let batch = input::batch(events)?;
        let mut engine = self.engine()?;
        // NOTE: applied to a copy, swapped in only when every event was accepted.
        let mut next = engine.clone();
        let mut step = None;
        for (index, raw) in batch.iter().enumerate() {
            let defaults = Defaults {
                visitor: next.visitor(),
                time: Some(now),
            };
            let event = raw.check(defaults).map_err(|p| at_index(index, p))?;
            step = Some(next.track(&event, now).map_err(|p| at_index(index, p))?);
        }
        let step = step.unwrap_or_else(|| next.step_at(now));
        *engine = next;
        Ok(step::to_js(&step))
    }

    /// Records a qualification answer (a chat or form answer) for a slot of the model,
    /// e.g. `budget`, and returns the `Step`. An unknown slot throws a `RangeError`; text is
    /// trimmed and must not be empty.
    ///
    /// ```js
    /// const q = session.nextQuestion();          // { slot: 'budget', question: '…', options: [...] }
    /// session.answer(q.slot, q.options[0]);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Step")]
    pub fn answer(
        &self,
        slot: String,
        #[wasm_bindgen(unchecked_param_type = "string | number | boolean")] value: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now_ms: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let now = convert::now(now_ms)?;
        let value = input::value(value, "value")?;
        let step = {
            let mut engine = self.engine()?;
            let event = Event::answer(engine.visitor(), &slot, &value, now)
                .map_err(|p| errors::problem(&p))?;
            engine.track(&event, now).map_err(|p| errors::problem(&p))?
        };
        Ok(step::to_js(&step))
    }

    /// Everything about the visitor at `nowMs` (default: now): score, reasons, framework
    /// coverage, next question, action … Decay is applied at read time.
    ///
    /// ```js
    /// const { score, stage, status, reasons } = session.snapshot();
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Snapshot")]
    pub fn snapshot(
        &self,
        #[wasm_bindgen(js_name = nowMs)] now_ms: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let now = convert::now(now_ms)?;
        let snapshot = self.engine()?.snapshot(now);
        convert::to_js(&snapshot)
    }

    /// A challenger session's (`scorer.shadowSession`) view for summaries — its model, score
    /// and stage at `nowMs` — or `undefined` while it has not seen the visitor's whole
    /// history, and for a champion's session.
    ///
    /// ```js
    /// const summary = session.summary(Date.now(), { runtime: 'browser', shadow: shadow.shadowView() });
    /// ```
    #[wasm_bindgen(js_name = shadowView, unchecked_return_type = "ShadowScore | undefined")]
    pub fn shadow_view(
        &self,
        #[wasm_bindgen(js_name = nowMs)] now_ms: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let now = convert::now(now_ms)?;
        let Some(whole) = self.whole_history else {
            return Ok(JsValue::UNDEFINED);
        };
        match shadow::view(&*self.engine()?, whole, now) {
            Some(view) => convert::to_js(&view),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Whether a challenger session has seen the visitor's whole history (save it beside its
    /// state and give it back to `scorer.shadowSession`); `true` for a champion's session.
    ///
    /// ```js
    /// store.set('shadow', (shadow.wholeHistory ? 'w:' : 'p:') + shadow.save());
    /// ```
    #[wasm_bindgen(getter, js_name = wholeHistory)]
    pub fn whole_history(&self) -> bool {
        self.whole_history.unwrap_or(true)
    }

    /// The most valuable qualification question still open, or `null`.
    ///
    /// ```js
    /// const q = session.nextQuestion();
    /// if (q) chat.ask(q.question, q.options);
    /// ```
    #[wasm_bindgen(js_name = nextQuestion, unchecked_return_type = "NextQuestion | null")]
    pub fn next_question(&self) -> Result<JsValue, JsValue> {
        let question = self.engine()?.next_question();
        convert::to_js(&question)
    }

    /// The qualified-lead summary while the visitor holds a hand-off stage (by default
    /// SQL), else `null`: the one due, or the last one handed off. Changes nothing.
    /// `includeEmail` (default `false`) adds the e-mail trait: pass it only with consent.
    ///
    /// ```js
    /// const summary = session.summary(Date.now(), { runtime: 'browser', includeEmail: consent === 'granted' });
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Summary | null")]
    pub fn summary(
        &self,
        #[wasm_bindgen(js_name = nowMs)] now_ms: Option<f64>,
        #[wasm_bindgen(unchecked_param_type = "SummaryOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = convert::now(now_ms)?;
        let options = summary_options(options)?;
        let summary = self.engine()?.summary(now, options);
        convert::to_js(&summary)
    }

    /// Hands off the summary that is due (`step.summaryDue`) and returns its JSON text,
    /// exactly as it is to be queued, signed and sent; `null` when none is due. The session
    /// remembers it (save the state afterwards), so the same summary is not due again until
    /// something material changes. Dedupe on the summary's `id`.
    ///
    /// ```js
    /// const json = session.handoff(Date.now(), { runtime: 'browser', includeEmail: true });
    /// if (json) queue.add(JSON.parse(json).id, json);
    /// ```
    pub fn handoff(
        &self,
        #[wasm_bindgen(js_name = nowMs)] now_ms: Option<f64>,
        #[wasm_bindgen(unchecked_param_type = "SummaryOptions")] options: JsValue,
    ) -> Result<Option<String>, JsValue> {
        let now = convert::now(now_ms)?;
        let options = summary_options(options)?;
        let summary = self.engine()?.handoff(now, options);
        Ok(summary.map(|s| s.to_json()))
    }

    /// The session's state as compact base64url text (at most 3072 characters), for
    /// `localStorage` or a cookie; pass it back to `scorer.session()`.
    ///
    /// ```js
    /// localStorage.setItem('lp-state', session.save());
    /// ```
    pub fn save(&self) -> Result<String, JsValue> {
        Ok(state::save(&*self.engine()?))
    }
}

fn summary_options(options: JsValue) -> Result<SummaryOptions, JsValue> {
    if options.is_undefined() || options.is_null() {
        return Ok(SummaryOptions::default());
    }
    SummaryOptions::from_value(&input::value(options, "options")?).map_err(|p| errors::problem(&p))
}
