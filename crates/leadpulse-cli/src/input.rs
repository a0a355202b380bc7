//! What kind of history a path names: JSONL (a file or `-`), or Parquet (a `.parquet` file,
//! a file that starts with Parquet's magic bytes, or a directory of Parquet files as
//! warehouses export them). Decided here once for `replay`, `fit`, `compare` and `validate`.
use std::io::Read;
use std::path::Path;

/// Parquet files start (and end) with these four bytes.
const PARQUET_MAGIC: &[u8; 4] = b"PAR1";

pub fn is_parquet(path: &Path) -> bool {
    if path == Path::new("-") {
        return false;
    }
    if path.is_dir() {
        return true;
    }
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("parquet"))
    {
        return true;
    }
    let mut head = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| &head == PARQUET_MAGIC)
}

/// Why a build without the `warehouse` feature cannot read `path`.
#[cfg(not(feature = "warehouse"))]
pub fn unsupported(path: &Path) -> String {
    format!(
        "{} is Parquet (or a directory): this leadpulse was built without the `warehouse` \
         feature; build it with `cargo build --release -p leadpulse-cli --features warehouse` (docs/warehouse.md)",
        path.display()
    )
}
