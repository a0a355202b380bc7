//! The per-event `Step` as a JS object, built by one call into JS with plain numbers.
//!
//! NOTE: not serde-wasm-bindgen, which builds it field by field (a boundary crossing per
//! field and per string): measured on the same run (`benches/boundary.mjs`), 3.0 µs against
//! 0.34 µs per event, and the step is the one result produced for every event. The other
//! results (snapshot, summary, next question) are built on demand and stay on serde. The
//! wasm tests check that both give the same object.
use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use leadpulse::core::engine::Step;

// NOTE: `scripts/build-pkg.sh` moves this snippet to `leadpulse_step.js` in the package, a
// name that Workers configurations can list (the generated one carries a hash).
#[wasm_bindgen(
    inline_js = "export function step(score, fit, engagement, grade, stage, status, flags) {
  return { score, fit, engagement, grade, stage, status,
    qualified: (flags & 1) !== 0, stageChanged: (flags & 2) !== 0,
    progressChanged: (flags & 4) !== 0, summaryDue: (flags & 8) !== 0,
    duplicate: (flags & 16) !== 0, bot: (flags & 32) !== 0 };
}"
)]
extern "C" {
    #[wasm_bindgen(js_name = step)]
    #[allow(clippy::too_many_arguments)]
    fn js_step(
        score: f64,
        fit: f64,
        engagement: f64,
        grade: &str,
        stage: &JsValue,
        status: &JsValue,
        flags: u32,
    ) -> JsValue;
}

thread_local! {
    /// Stage and status names as JS strings, made once: they are the same few every time.
    static NAMES: RefCell<Vec<(&'static str, JsValue)>> = const { RefCell::new(Vec::new()) };
}

fn name(text: &'static str) -> JsValue {
    NAMES.with(|names| {
        let mut names = names.borrow_mut();
        if let Some((_, js)) = names.iter().find(|(n, _)| *n == text) {
            return js.clone();
        }
        let js = JsValue::from_str(text);
        names.push((text, js.clone()));
        js
    })
}

pub fn to_js(step: &Step) -> JsValue {
    let flags = [
        step.qualified,
        step.stage_changed,
        step.progress_changed,
        step.summary_due,
        step.duplicate,
        step.bot,
    ]
    .iter()
    .enumerate()
    .fold(0u32, |flags, (bit, &on)| flags | (u32::from(on) << bit));
    js_step(
        step.score as f64,
        step.fit as f64,
        step.engagement as f64,
        &step.grade,
        &name(step.stage),
        &name(step.status),
        flags,
    )
}
