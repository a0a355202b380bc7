//! `Scorer`: a validated model, shared by the sessions it creates.
use std::sync::Arc;

use js_sys::JsString;
use wasm_bindgen::prelude::*;

use super::session::Session;
use super::{errors, panic_hook};
use leadpulse::core::engine;
use leadpulse::core::event::MAX_ID_LEN;
use leadpulse::core::model::{compiled, Model};
use leadpulse::core::state::{self, MAX_STATE_CHARS};
use leadpulse::core::summary::shadow;

/// A scoring model, validated once and shared by every session created from it.
///
/// ```js
/// import { Scorer } from 'leadpulse';
/// const scorer = new Scorer();                           // the built-in B2B-SaaS model
/// const custom = new Scorer(await (await fetch('/model.lpm')).text());   // a compiled model
/// console.log(scorer.modelHash);                         // e.g. "9f3c2a1b0d4e5f60"
/// ```
#[wasm_bindgen]
pub struct Scorer {
    model: Arc<Model>,
}

#[wasm_bindgen]
impl Scorer {
    /// Creates a scorer: the built-in model if omitted; a compiled model (the text of
    /// `leadpulse compile`, or its bytes); in the Node, Deno and edge builds also a model
    /// document (object or JSON text), validated here. An invalid model throws an `Error`
    /// whose message lists every problem with its JSON path (also as `error.problems`).
    ///
    /// ```js
    /// try { new Scorer({ version: 1, rules: [] }) } catch (e) { console.log(e.problems) }
    /// ```
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "ModelDocument | string | Uint8Array")]
        model: JsValue,
    ) -> Result<Scorer, JsValue> {
        panic_hook::install();
        let model = if model.is_undefined() || model.is_null() {
            Model::builtin()
        } else if let Some(text) = model.as_string().filter(|t| compiled::is_compiled_text(t)) {
            compiled::decode_text(&text).map_err(|e| errors::plain(&e.describe()))?
        } else if let Some(bytes) = model.dyn_ref::<js_sys::Uint8Array>() {
            compiled::decode(&bytes.to_vec()).map_err(|e| errors::plain(&e.describe()))?
        } else {
            super::author::read(model)?
        };
        Ok(Scorer {
            model: Arc::new(model),
        })
    }

    /// The model's content hash (16 hex characters); every summary names it.
    ///
    /// ```js
    /// new Scorer().modelHash.length === 16
    /// ```
    #[wasm_bindgen(getter, js_name = modelHash)]
    pub fn model_hash(&self) -> String {
        self.model.hash.clone()
    }

    /// The model's `name`.
    ///
    /// ```js
    /// new Scorer().modelName // "b2b-saas-default"
    /// ```
    #[wasm_bindgen(getter, js_name = modelName)]
    pub fn model_name(&self) -> String {
        self.model.name.clone()
    }

    /// Starts a session for a visitor, optionally restoring `savedState` from
    /// `session.save()`. Corrupt, foreign or oversized state, or state of another visitor,
    /// never throws: the session starts fresh and `session.restoreError` says why.
    ///
    /// ```js
    /// const session = scorer.session('anon-42', localStorage.getItem('lp-state') ?? undefined);
    /// if (session.restoreError) console.warn(session.restoreError);
    /// ```
    pub fn session(
        &self,
        #[wasm_bindgen(js_name = visitorId)] visitor_id: Option<JsString>,
        #[wasm_bindgen(js_name = savedState)] saved_state: Option<JsString>,
    ) -> Result<Session, JsValue> {
        let (session, restore_error) = self.open(visitor_id, saved_state)?;
        Ok(Session::wrap(session, restore_error, None))
    }

    /// Starts a challenger (shadow) session beside a champion's: restored from `savedState`
    /// when given, which was saved with `savedWhole` = `session.wholeHistory`;
    /// `championRestored` says whether the champion's session continued from saved state.
    /// The engine decides whether it has seen the visitor's whole history (`wholeHistory`),
    /// and so whether `shadowView()` may go into summaries.
    ///
    /// ```js
    /// const champion = scorer.session('anon-42', savedState);
    /// const restored = savedState !== undefined && !champion.restoreError;
    /// const shadow = challenger.shadowSession('anon-42', savedShadow, savedShadowWhole, restored);
    /// const options = { runtime: 'browser', shadow: shadow.shadowView() };
    /// ```
    #[wasm_bindgen(js_name = shadowSession)]
    pub fn shadow_session(
        &self,
        #[wasm_bindgen(js_name = visitorId)] visitor_id: Option<JsString>,
        #[wasm_bindgen(js_name = savedState)] saved_state: Option<JsString>,
        #[wasm_bindgen(js_name = savedWhole)] saved_whole: bool,
        #[wasm_bindgen(js_name = championRestored)] champion_restored: bool,
    ) -> Result<Session, JsValue> {
        let had_state = saved_state.as_ref().is_some_and(|s| s.length() > 0);
        let (session, restore_error) = self.open(visitor_id, saved_state)?;
        let restored = (had_state && restore_error.is_none()).then_some(saved_whole);
        let whole = shadow::whole_history(champion_restored, restored);
        Ok(Session::wrap(session, restore_error, Some(whole)))
    }
}

impl Scorer {
    /// A session for `visitor_id`, from `saved_state` when it restores (else fresh, and why).
    fn open(
        &self,
        visitor_id: Option<JsString>,
        saved_state: Option<JsString>,
    ) -> Result<(engine::Session, Option<String>), JsValue> {
        // NOTE: lengths are checked in UTF-16 units before the text is copied into wasm
        // memory, so no argument can make the module allocate without bound.
        let visitor = match visitor_id {
            Some(id) if id.length() as usize > MAX_ID_LEN => {
                let message = format!("longer than {MAX_ID_LEN} bytes");
                return Err(errors::range_error("visitorId", &message));
            }
            Some(id) => String::from(id),
            None => String::new(),
        };
        leadpulse::core::event::check_visitor_id(&visitor, "visitorId")
            .map_err(|p| errors::problem(&p))?;
        let fresh = || engine::Session::new(self.model.clone(), &visitor);
        let Some(saved) = saved_state.filter(|s| s.length() > 0) else {
            return Ok((fresh(), None));
        };
        if saved.length() as usize > MAX_STATE_CHARS {
            let why = format!("saved state longer than {MAX_STATE_CHARS} characters");
            return Ok((fresh(), Some(why)));
        }
        let text = String::from(saved);
        Ok(
            match state::restore_for(self.model.clone(), &text, &visitor) {
                Ok(restored) => (restored, None),
                Err(error) => (fresh(), Some(error.describe())),
            },
        )
    }
}
