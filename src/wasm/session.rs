//! `Session`: one visitor, scored incrementally.
use wasm_bindgen::prelude::*;

use super::{convert, errors};
use crate::core::engine;
use crate::core::event::{Event, EventKind, Scalar};
use crate::core::json::{member, Value};
use crate::core::state;
use crate::core::summary::{Runtime, SummaryOptions};

/// One visitor's scoring session. Create it with `scorer.session()`.
///
/// ```js
/// const session = new Scorer().session('anon-42');
/// const snap = session.track({ type: 'page', properties: { path: '/pricing' } });
/// console.log(snap.score, snap.stage, snap.reasons);
/// ```
#[wasm_bindgen]
pub struct Session {
    inner: engine::Session,
    restore_error: Option<String>,
}

impl Session {
    /// Events without a visitor key belong to this session's visitor.
    fn default_visitor(&self, value: &mut Value) {
        if let (Value::Object(members), false) = (value, self.inner.visitor().is_empty()) {
            if member(members, "anonymousId").is_none() && member(members, "userId").is_none() {
                members.push(("anonymousId".into(), self.inner.visitor().into()));
            }
        }
    }

    pub(super) fn wrap(inner: engine::Session, restore_error: Option<String>) -> Session {
        Session {
            inner,
            restore_error,
        }
    }
}

#[wasm_bindgen]
impl Session {
    /// The visitor key: the id given to `scorer.session()`, else that of the first event.
    ///
    /// ```js
    /// scorer.session('anon-42').visitor === 'anon-42'
    /// ```
    #[wasm_bindgen(getter)]
    pub fn visitor(&self) -> String {
        self.inner.visitor().to_string()
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

    /// Applies one event in the contract format and returns the snapshot. Missing
    /// `anonymousId`/`userId` default to the session's visitor and a missing `timestamp`
    /// to `nowMs`. An invalid event throws a `TypeError` or `RangeError` whose message
    /// (and `error.path`) names the field, and changes nothing. A repeated `messageId` is
    /// ignored.
    ///
    /// ```js
    /// session.track({ type: 'track', event: 'Demo Requested' }, Date.now());
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Snapshot")]
    pub fn track(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "LeadEvent")] event: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now_ms: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let now = convert::now(now_ms)?;
        let mut value = convert::from_js(&event, "event")?;
        self.default_visitor(&mut value);
        let event = Event::parse(&value, Some(now)).map_err(|p| errors::problem(&p))?;
        self.inner
            .apply(&event, now)
            .map_err(|p| errors::problem(&p))?;
        convert::to_js(&self.inner.snapshot(now.max(event.time)))
    }

    /// Applies several events in order and returns the snapshot after the last one, with one
    /// crossing of the JS/wasm boundary for the whole batch: for events queued before the
    /// engine was ready, backfills and replays. All or nothing: an invalid event throws (its
    /// path prefixed with its index, e.g. `[3].properties.seconds`) and changes nothing.
    ///
    /// ```js
    /// const snap = session.trackAll([
    ///   { type: 'page', properties: { path: '/pricing' } },
    ///   { type: 'track', event: 'Demo Requested' },
    /// ], Date.now());
    /// ```
    #[wasm_bindgen(js_name = trackAll, unchecked_return_type = "Snapshot")]
    pub fn track_all(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "LeadEvent[]")] events: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now_ms: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let now = convert::now(now_ms)?;
        let Value::Array(items) = convert::from_js(&events, "events")? else {
            return Err(errors::type_error("events", "expected an array of events"));
        };
        // NOTE: applied to a copy, swapped in only when every event was accepted.
        let mut next = self.inner.clone();
        let mut latest = now;
        for (index, mut value) in items.into_iter().enumerate() {
            self.default_visitor(&mut value);
            let at = |mut problem: crate::core::json::Problem| {
                let prefix = ["[", &crate::core::json::integer_text(index as i64), "]"].concat();
                problem.path = if problem.path.is_empty() {
                    prefix
                } else {
                    [prefix.as_str(), ".", &problem.path].concat()
                };
                errors::problem(&problem)
            };
            let event = Event::parse(&value, Some(now)).map_err(at)?;
            next.apply(&event, now).map_err(at)?;
            latest = latest.max(event.time);
        }
        self.inner = next;
        convert::to_js(&self.inner.snapshot(latest))
    }

    /// Records a qualification answer (a chat or form answer) for a slot of the model,
    /// e.g. `budget`, and returns the snapshot. An unknown slot throws a `RangeError`.
    ///
    /// ```js
    /// const q = session.nextQuestion();          // { slot: 'budget', question: '…', options: [...] }
    /// session.answer(q.slot, q.options[0]);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Snapshot")]
    pub fn answer(
        &mut self,
        slot: String,
        #[wasm_bindgen(unchecked_param_type = "string | number | boolean")] value: JsValue,
        #[wasm_bindgen(js_name = nowMs)] now_ms: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        let now = convert::now(now_ms)?;
        let value = if let Some(text) = value.as_string() {
            let text = text.trim().to_string();
            if text.is_empty() {
                return Err(errors::range_error("value", "must not be empty"));
            }
            Scalar::Text(crate::core::event::truncate(
                text,
                crate::core::event::MAX_ID_LEN,
            ))
        } else if let Some(n) = value.as_f64().filter(|n| n.is_finite()) {
            Scalar::Number(n)
        } else if let Some(b) = value.as_bool() {
            Scalar::Bool(b)
        } else {
            return Err(errors::type_error(
                "value",
                "expected a string, a finite number or a boolean",
            ));
        };
        let event = Event {
            visitor: self.inner.visitor().to_string(),
            user_id: None,
            time: now,
            message_id: None,
            user_agent: None,
            webdriver: false,
            kind: EventKind::Answer { slot, value },
        };
        self.inner
            .apply(&event, now)
            .map_err(|p| errors::problem(&p))?;
        convert::to_js(&self.inner.snapshot(now))
    }

    /// The snapshot at `nowMs` (default: now). Decay is applied at read time.
    ///
    /// ```js
    /// const { score, stage, status, reasons } = session.snapshot();
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Snapshot")]
    pub fn snapshot(
        &self,
        #[wasm_bindgen(js_name = nowMs)] now_ms: Option<f64>,
    ) -> Result<JsValue, JsValue> {
        convert::to_js(&self.inner.snapshot(convert::now(now_ms)?))
    }

    /// The most valuable qualification question still open, or `null`.
    ///
    /// ```js
    /// const q = session.nextQuestion();
    /// if (q) chat.ask(q.question, q.options);
    /// ```
    #[wasm_bindgen(js_name = nextQuestion, unchecked_return_type = "NextQuestion | null")]
    pub fn next_question(&self) -> Result<JsValue, JsValue> {
        convert::to_js(&self.inner.next_question())
    }

    /// The qualified-lead summary while the visitor holds a hand-off stage (by default
    /// SQL), else `null`. The same qualification always yields the same `id`: dedupe on it.
    /// `includeEmail` (default `false`) adds the e-mail trait: pass it only with consent.
    ///
    /// ```js
    /// const summary = session.summary(Date.now(), { runtime: 'browser', includeEmail: consent === 'granted' });
    /// if (summary) queue.add(summary.id, summary);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "Summary | null")]
    pub fn summary(
        &self,
        #[wasm_bindgen(js_name = nowMs)] now_ms: Option<f64>,
        #[wasm_bindgen(unchecked_param_type = "SummaryOptions")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let now = convert::now(now_ms)?;
        let options = summary_options(&options)?;
        convert::to_js(&self.inner.summary(now, options))
    }

    /// The session's state as compact base64url text (at most 3072 characters), for
    /// `localStorage` or a cookie; pass it back to `scorer.session()`.
    ///
    /// ```js
    /// localStorage.setItem('lp-state', session.save());
    /// ```
    pub fn save(&self) -> String {
        state::save(&self.inner)
    }
}

fn summary_options(options: &JsValue) -> Result<SummaryOptions, JsValue> {
    let mut parsed = SummaryOptions {
        runtime: Runtime::Browser,
        include_email: false,
    };
    if options.is_undefined() || options.is_null() {
        return Ok(parsed);
    }
    if !options.is_object() {
        return Err(errors::type_error("options", "expected an object"));
    }
    let get = |key: &str| {
        js_sys::Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
    };
    let runtime = get("runtime");
    if !runtime.is_undefined() {
        let name = runtime
            .as_string()
            .ok_or_else(|| errors::type_error("options.runtime", "expected a string"))?;
        parsed.runtime = Runtime::from_name(&name).ok_or_else(|| {
            errors::range_error("options.runtime", "expected 'browser', 'edge' or 'native'")
        })?;
    }
    let include_email = get("includeEmail");
    if !include_email.is_undefined() {
        parsed.include_email = include_email
            .as_bool()
            .ok_or_else(|| errors::type_error("options.includeEmail", "expected a boolean"))?;
    }
    Ok(parsed)
}
