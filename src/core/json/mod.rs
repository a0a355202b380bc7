//! JSON values for the readers that report every problem with its JSON path ([`Obj`],
//! [`FromJson`], [`Problems`]): the model reader, and events that the typed fast path
//! refused. Values come from serde (serde_json text natively, JS values in wasm).
mod read;
mod value;

pub use read::{index, join, type_name, FromJson, Obj, Problem, ProblemKind, Problems};
pub use value::{event_part, member, sorted_members, Bounded, Limits, Value, MAX_DEPTH};
