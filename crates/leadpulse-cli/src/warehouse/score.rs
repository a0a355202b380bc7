//! `leadpulse_replay(type, anonymousId, …, context, file, row)`: a DataFusion user-defined
//! aggregate that scores one visitor's events with the engine, as `leadpulse replay` scores
//! a JSONL line's event: each row is read by the core's event reader (`rows`), applied to the
//! visitor's `Session` at its own time, and the group's result is the visitor's replay line
//! (its snapshot at `at`), its first row (the output order), the time of its latest applied
//! event and the rows it refused, with their file, row and reason.
//!
//! NOTE: a visitor's rows must arrive in history order (file, then row), since the engine
//! applies events in that order; the plan in `replay` keeps it (one ordered scan, hash
//! partitioned by visitor, one aggregate per partition). A row out of that order is an error,
//! never a silently different score. For the same reason the aggregate has no partial state
//! to merge (`state`, `merge_batch`): it runs as `AggregateMode::SinglePartitioned` only.
use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Int64Builder, ListBuilder, StringBuilder, StructArray,
    UInt32Builder, UInt64Builder,
};
use datafusion::arrow::datatypes::{DataType, Field as ArrowField, Fields, Int64Type};
use datafusion::common::{internal_err, not_impl_err, ScalarValue};
use datafusion::error::Result as DfResult;
use datafusion::logical_expr::function::AccumulatorArgs;
use datafusion::logical_expr::utils::AggregateOrderSensitivity;
use datafusion::logical_expr::{
    Accumulator, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility,
};
use leadpulse::core::engine::Session;
use leadpulse::core::model::Model;
use leadpulse::core::time::Millis;

use super::columns::Columns;
use super::rows::Rows;
use crate::window::Window;

pub const NAME: &str = "leadpulse_replay";

/// What every visitor is scored with.
pub struct Setup {
    pub model: Arc<Model>,
    pub columns: Columns,
    /// File path as the scan names it → its place in history order.
    pub files: HashMap<String, u32>,
    pub window: Window,
    /// When the snapshots are read.
    pub at: Millis,
    /// Rows scored so far, on a terminal.
    pub progress: indicatif::ProgressBar,
}

/// A row's place in the history: (file, row from 1).
type Position = (u32, u64);

pub struct ScoreVisitors {
    signature: Signature,
    setup: Arc<Setup>,
}

impl ScoreVisitors {
    pub fn new(setup: Arc<Setup>) -> ScoreVisitors {
        ScoreVisitors {
            signature: Signature::variadic_any(Volatility::Immutable),
            setup,
        }
    }
}

impl fmt::Debug for ScoreVisitors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{NAME}(model {}, at {})",
            self.setup.model.hash, self.setup.at
        )
    }
}

// NOTE: two instances are the same function only if they share their setup (model, time).
impl PartialEq for ScoreVisitors {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.setup, &other.setup)
    }
}
impl Eq for ScoreVisitors {}
impl Hash for ScoreVisitors {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.setup).hash(state);
    }
}

/// The result of one visitor (a struct): see [`fields`].
pub fn return_type() -> DataType {
    DataType::Struct(fields())
}

fn fields() -> Fields {
    let list = |name: &str, item: DataType| {
        ArrowField::new(
            name,
            DataType::List(Arc::new(ArrowField::new("item", item, true))),
            true,
        )
    };
    Fields::from(vec![
        ArrowField::new("first_file", DataType::UInt32, true),
        ArrowField::new("first_row", DataType::UInt64, true),
        ArrowField::new("latest", DataType::Int64, true),
        ArrowField::new("line", DataType::Utf8, true),
        ArrowField::new("rows", DataType::UInt64, true),
        list("rejected_file", DataType::UInt32),
        list("rejected_row", DataType::UInt64),
        list("rejected_why", DataType::Utf8),
    ])
}

impl AggregateUDFImpl for ScoreVisitors {
    fn name(&self) -> &str {
        NAME
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _arg_types: &[DataType]) -> DfResult<DataType> {
        Ok(return_type())
    }
    fn accumulator(&self, _args: AccumulatorArgs) -> DfResult<Box<dyn Accumulator>> {
        Ok(Box::new(OneVisitor(Mutex::new(Visitors::new(
            self.setup.clone(),
        )))))
    }
    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }
    fn create_groups_accumulator(
        &self,
        _args: AccumulatorArgs,
    ) -> DfResult<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(Visitors::new(self.setup.clone())))
    }
    fn order_sensitivity(&self) -> AggregateOrderSensitivity {
        // The order is the plan's (see the module's NOTE), not an ORDER BY of the call.
        AggregateOrderSensitivity::Insensitive
    }
}

/// One visitor's scoring so far.
#[derive(Default)]
struct Visitor {
    session: Option<Session>,
    first: Option<Position>,
    last: Option<Position>,
    latest: Option<Millis>,
    rows: u64,
    rejected: Vec<(Position, String)>,
}

/// Every visitor of one partition, by DataFusion's group index.
struct Visitors {
    setup: Arc<Setup>,
    groups: Vec<Visitor>,
    /// The last file name looked up and its index: rows come file after file.
    last_file: Option<(String, u32)>,
}

impl Visitors {
    fn new(setup: Arc<Setup>) -> Visitors {
        Visitors {
            setup,
            groups: Vec::new(),
            last_file: None,
        }
    }

    fn file_index(&mut self, name: &str) -> DfResult<u32> {
        if let Some((last, index)) = &self.last_file {
            if last == name {
                return Ok(*index);
            }
        }
        match self.setup.files.get(name) {
            Some(&index) => {
                self.last_file = Some((name.to_string(), index));
                Ok(index)
            }
            None => internal_err!("{NAME}: a row from {name}, which is not among the files listed"),
        }
    }
}

impl GroupsAccumulator for Visitors {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> DfResult<()> {
        let (Some(fields), Some(files), Some(rows)) =
            (values.get(..9), values.get(9), values.get(10))
        else {
            return internal_err!("{NAME} takes the 9 contract fields, the file and the row");
        };
        let Some(row_numbers) = rows.as_primitive_opt::<Int64Type>() else {
            return internal_err!("{NAME}: the row number is {}, not Int64", rows.data_type());
        };
        if self.groups.len() < total_num_groups {
            self.groups.resize_with(total_num_groups, Visitor::default);
        }
        let events = Rows::new(&self.setup.columns, fields)?;
        let setup = self.setup.clone();
        setup.progress.inc(group_indices.len() as u64);
        for (i, &group) in group_indices.iter().enumerate() {
            if opt_filter.is_some_and(|f| !f.is_valid(i) || !f.value(i)) {
                continue;
            }
            let file = match super::cells::string(files.as_ref(), i) {
                Some(name) => self.file_index(name)?,
                None => return internal_err!("{NAME}: a row without its file name"),
            };
            let row = u64::try_from(row_numbers.value(i))
                .unwrap_or(0)
                .saturating_add(1);
            let position = (file, row);
            let Some(visitor) = self.groups.get_mut(group) else {
                return internal_err!("{NAME}: group {group} of {total_num_groups}");
            };
            if visitor.last.is_some_and(|last| position <= last) {
                return internal_err!(
                    "{NAME}: a visitor's rows arrived out of history order (file {file}, row {row}): the plan must keep the scan's order"
                );
            }
            visitor.last = Some(position);
            match events.event(i) {
                Err(problem) => {
                    visitor.rows += 1;
                    visitor.rejected.push((position, problem.to_string()));
                }
                Ok(event) if !setup.window.contains(event.time) => {}
                Ok(event) => {
                    visitor.rows += 1;
                    visitor.first.get_or_insert(position);
                    let session = visitor
                        .session
                        .get_or_insert_with(|| Session::new(setup.model.clone(), &event.visitor));
                    match session.apply(&event, event.time) {
                        Ok(_) => visitor.latest = visitor.latest.max(Some(event.time)),
                        Err(problem) => visitor.rejected.push((position, problem.to_string())),
                    }
                }
            }
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> DfResult<ArrayRef> {
        let groups = emit_to.take_needed(&mut self.groups);
        let mut first_file = UInt32Builder::with_capacity(groups.len());
        let mut first_row = UInt64Builder::with_capacity(groups.len());
        let mut latest = Int64Builder::with_capacity(groups.len());
        let mut line = StringBuilder::new();
        let mut rows = UInt64Builder::with_capacity(groups.len());
        let mut rejected_file = ListBuilder::new(UInt32Builder::new());
        let mut rejected_row = ListBuilder::new(UInt64Builder::new());
        let mut rejected_why = ListBuilder::new(StringBuilder::new());
        for visitor in &groups {
            first_file.append_option(visitor.first.map(|p| p.0));
            first_row.append_option(visitor.first.map(|p| p.1));
            latest.append_option(visitor.latest);
            match &visitor.session {
                Some(session) => {
                    let snapshot = session.snapshot(self.setup.at);
                    let output = crate::replay::Output {
                        visitor: session.visitor(),
                        snapshot: &snapshot,
                    };
                    match serde_json::to_string(&output) {
                        Ok(text) => line.append_value(text),
                        Err(e) => return internal_err!("{NAME}: a snapshot as JSON: {e}"),
                    }
                }
                None => line.append_null(),
            }
            rows.append_value(visitor.rows);
            for ((file, row), why) in &visitor.rejected {
                rejected_file.values().append_value(*file);
                rejected_row.values().append_value(*row);
                rejected_why.values().append_value(why);
            }
            rejected_file.append(true);
            rejected_row.append(true);
            rejected_why.append(true);
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(first_file.finish()),
            Arc::new(first_row.finish()),
            Arc::new(latest.finish()),
            Arc::new(line.finish()),
            Arc::new(rows.finish()),
            Arc::new(rejected_file.finish()),
            Arc::new(rejected_row.finish()),
            Arc::new(rejected_why.finish()),
        ];
        Ok(Arc::new(StructArray::try_new(fields(), columns, None)?))
    }

    fn state(&mut self, _emit_to: EmitTo) -> DfResult<Vec<ArrayRef>> {
        not_impl_err!("{NAME} has no partial state: it runs on input partitioned by visitor")
    }

    fn merge_batch(
        &mut self,
        _values: &[ArrayRef],
        _group_indices: &[usize],
        _total_num_groups: usize,
    ) -> DfResult<()> {
        not_impl_err!("{NAME} has no partial state: it runs on input partitioned by visitor")
    }

    fn convert_to_state(
        &self,
        _values: &[ArrayRef],
        _opt_filter: Option<&BooleanArray>,
    ) -> DfResult<Vec<ArrayRef>> {
        not_impl_err!("{NAME} has no partial state: it runs on input partitioned by visitor")
    }

    fn size(&self) -> usize {
        // NOTE: an estimate (a session's state is a few hundred bytes to a few KB).
        self.groups.capacity() * (std::mem::size_of::<Visitor>() + 1024)
    }
}

/// The same scoring for DataFusion's one-group paths (an aggregate without GROUP BY).
/// NOTE: behind a mutex because an `Accumulator` must be `Sync` and a session is not (its
/// progress cache); DataFusion calls one accumulator from one task at a time anyway.
struct OneVisitor(Mutex<Visitors>);

impl fmt::Debug for OneVisitor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{NAME} (one group)")
    }
}

impl OneVisitor {
    fn inner(&mut self) -> &mut Visitors {
        // NOTE: a poisoned lock only means a panic elsewhere; the data is still ours alone.
        self.0
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Accumulator for OneVisitor {
    fn update_batch(&mut self, values: &[ArrayRef]) -> DfResult<()> {
        let rows = values.first().map_or(0, |v| v.len());
        self.inner().update_batch(values, &vec![0; rows], None, 1)
    }
    fn evaluate(&mut self) -> DfResult<ScalarValue> {
        let array = self.inner().evaluate(EmitTo::All)?;
        if array.is_empty() {
            return ScalarValue::try_from(return_type());
        }
        ScalarValue::try_from_array(&array, 0)
    }
    fn size(&self) -> usize {
        self.0.lock().map_or(0, |inner| inner.size())
    }
    fn state(&mut self) -> DfResult<Vec<ScalarValue>> {
        not_impl_err!("{NAME} has no partial state: it runs on input partitioned by visitor")
    }
    fn merge_batch(&mut self, _states: &[ArrayRef]) -> DfResult<()> {
        not_impl_err!("{NAME} has no partial state: it runs on input partitioned by visitor")
    }
}
