//! Lines of a JSONL input, bounded: a line over [`MAX_LINE`] bytes or not UTF-8 is reported
//! and skipped like any other bad line, and memory never holds more than one line.
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Longest line read, in bytes (an event is far smaller).
pub const MAX_LINE: usize = 64 * 1024;
/// How far past [`MAX_LINE`] a line may run before the input is taken for something that is
/// not JSONL at all (`/dev/zero`, a binary file) and reading stops.
pub const MAX_SKIP: u64 = 16 * 1024 * 1024;

pub enum Line<'a> {
    Text(&'a str),
    /// Why the line was skipped.
    Invalid(String),
}

pub struct Lines {
    reader: Box<dyn BufRead + Send>,
    buffer: Vec<u8>,
    number: usize,
}

impl Lines {
    /// A file, or standard input for `-`.
    pub fn open(path: &Path) -> std::io::Result<Lines> {
        let reader: Box<dyn BufRead + Send> = if path == Path::new("-") {
            Box::new(BufReader::with_capacity(1 << 16, std::io::stdin()))
        } else {
            Box::new(BufReader::with_capacity(1 << 16, File::open(path)?))
        };
        Ok(Lines {
            reader,
            buffer: Vec::with_capacity(1024),
            number: 0,
        })
    }

    /// The next line and its number (from 1), without its line ending.
    pub fn next_line(&mut self) -> std::io::Result<Option<(usize, Line<'_>)>> {
        self.buffer.clear();
        let limit = MAX_LINE as u64 + 1;
        let read = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut self.buffer)?;
        if read == 0 {
            return Ok(None);
        }
        self.number += 1;
        let ended = self.buffer.last() == Some(&b'\n');
        if !ended && self.buffer.len() > MAX_LINE {
            self.skip_rest()?;
            let why = format!("longer than {MAX_LINE} bytes; skipped");
            return Ok(Some((self.number, Line::Invalid(why))));
        }
        let mut bytes = self.buffer.as_slice();
        bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let line = match std::str::from_utf8(bytes) {
            Ok(text) => Line::Text(text),
            Err(e) => Line::Invalid(format!(
                "not UTF-8 (invalid byte at column {}); skipped",
                e.valid_up_to() + 1
            )),
        };
        Ok(Some((self.number, line)))
    }

    /// Drops the rest of an overlong line, up to [`MAX_SKIP`] bytes.
    fn skip_rest(&mut self) -> std::io::Result<()> {
        let skipped = (&mut self.reader).take(MAX_SKIP).skip_until(b'\n')?;
        if skipped as u64 >= MAX_SKIP {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "line {} has no end within {} MiB: not a JSONL file",
                    self.number,
                    (MAX_SKIP + MAX_LINE as u64) >> 20
                ),
            ));
        }
        Ok(())
    }
}
