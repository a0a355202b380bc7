//! The one sort of the core.
//!
//! NOTE: a stable insertion sort rather than the standard library's, for lists bounded by a
//! model or an event (reasons, object members): `slice::sort_by` in its place makes the
//! browser's wasm 6,081 B gzip heavier (benches/size-alternatives.sh, benches/README.md).

/// Sorts stably: `before(a, b)` when `a` goes first.
pub fn insertion_sort_by<T>(items: &mut [T], before: impl Fn(&T, &T) -> bool) {
    for i in 1..items.len() {
        let mut j = i;
        while let (Some(a), Some(b)) = (items.get(j), j.checked_sub(1).and_then(|k| items.get(k))) {
            if !before(a, b) {
                break;
            }
            items.swap(j, j - 1);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sorts_stably() {
        let mut items = [(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')];
        super::insertion_sort_by(&mut items, |a, b| a.0 < b.0);
        assert_eq!(items, [(1, 'b'), (1, 'e'), (2, 'd'), (3, 'a'), (3, 'c')]);
    }
}
