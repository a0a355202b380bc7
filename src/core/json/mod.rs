//! JSON, in-house: a [`Value`] tree, a strict parser, a writer ([`ToJson`]) and a reader
//! that reports every problem with its JSON path ([`Obj`], [`FromJson`], [`Problems`]).
//!
//! NOTE: in-house rather than serde_json so that the wasm build carries only what the
//! engine uses: serde's generic machinery and core's float parsing/formatting made up most
//! of its size. For the same reason the core builds its messages with `concat` and
//! [`integer_text`] / [`float::display`] rather than `format!`: the formatting machinery
//! (padding, integer `Display`) then stays out of the wasm module.
mod bignum;
pub mod float;
mod parse;
mod read;
mod shared;
mod value;
mod write;

pub use parse::{parse, ParseError, MAX_DEPTH};
pub use read::{index, join, type_name, FromJson, Obj, Problem, ProblemKind, Problems};
pub use shared::Shared;
pub use value::{member, sorted_members, Value};
pub use write::{
    canonical, integer_text, write_i64, write_string, write_u64, ObjectWriter, ToJson,
};
