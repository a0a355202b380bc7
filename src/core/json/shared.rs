//! Values shared between outputs, with their JSON written once.
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use super::write::ToJson;

/// A value shared (cheaply cloned) between outputs, with its JSON text rendered once: the
/// parts of a snapshot that stay the same from event to event (framework coverage, the next
/// question, the stage's action) are written once rather than per event.
pub struct Shared<T>(Arc<(T, String)>);

impl<T: ToJson> Shared<T> {
    pub fn new(value: T) -> Shared<T> {
        let json = value.to_json();
        Shared(Arc::new((value, json)))
    }
}

impl<T: Clone> Shared<T> {
    /// The value, unshared.
    pub fn to_owned_value(&self) -> T {
        self.0 .0.clone()
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0 .0
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0) || self.0 .0 == other.0 .0
    }
}

impl<T: Eq> Eq for Shared<T> {}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0 .0.fmt(f)
    }
}

impl<T: ToJson + Default> Default for Shared<T> {
    fn default() -> Self {
        Shared::new(T::default())
    }
}

impl<T> ToJson for Shared<T> {
    fn write_json(&self, out: &mut String) {
        out.push_str(&self.0 .1);
    }
}
