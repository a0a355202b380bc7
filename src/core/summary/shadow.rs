//! A challenger (shadow) model beside the champion: when its view may go into summaries.
//!
//! Its view counts only when it has scored the visitor's whole history: a challenger deployed
//! after the visitor's first visit would score fewer visits and skew the comparison against
//! it. The browser tracker and the edge keep where the flag is stored (`w:`/`p:` before the
//! saved state, a cookie's history field); the rule itself is here, called through the binding.
use crate::core::engine::Session;
use crate::core::time::Millis;

use super::Shadow;

/// Whether a challenger session has seen the visitor's whole history. A champion starting
/// from nothing makes it whole (both start together); otherwise it is whole only when its own
/// saved state was restored (`restored_whole` is `Some`) and that state was whole.
pub fn whole_history(champion_restored: bool, restored_whole: Option<bool>) -> bool {
    !champion_restored || restored_whole == Some(true)
}

/// The challenger's view for a summary (its model, score and stage), or `None` when it has
/// not seen the whole history.
pub fn view(session: &Session, whole: bool, now: Millis) -> Option<Shadow> {
    if !whole {
        return None;
    }
    // NOTE: the step's totals, not a snapshot: reasons and coverage are not needed here.
    let step = session.step_at(now);
    Some(Shadow {
        model: session.model().hash.clone(),
        score: step.score,
        stage: step.stage.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::whole_history;

    #[test]
    fn a_challenger_is_whole_only_from_the_start_or_from_a_whole_saved_state() {
        assert!(whole_history(false, None), "fresh with a fresh champion");
        assert!(
            whole_history(false, Some(false)),
            "a fresh champion restarts both"
        );
        assert!(
            whole_history(true, Some(true)),
            "restored from a whole state"
        );
        assert!(
            !whole_history(true, Some(false)),
            "restored from a partial state"
        );
        assert!(
            !whole_history(true, None),
            "started late: the champion has history it lacks"
        );
    }
}
