//! What `fit` and `compare` share: outcomes, a replay of the history through one or more
//! models at once, and the metrics of a score against outcomes.
pub mod coverage;
pub mod evaluation;
pub mod history;
pub mod metrics;
pub mod outcomes;
pub mod split;
