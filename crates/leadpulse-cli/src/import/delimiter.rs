//! The CSV delimiter: `--delimiter`, or sniffed from the header line — a comma, or the
//! semicolon of European exports (where the comma is the decimal mark), a tab or a pipe:
//! whichever of them the header line has most of outside quotes (a comma on ties).
use std::io::BufRead;

/// The delimiters sniffing chooses from, in order of preference on ties.
const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];

/// The delimiter named by `--delimiter`: one ASCII character, or `tab`.
pub fn parse(text: &str) -> Result<u8, String> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        one if one.len() == 1 && one.is_ascii() && one != "\"" && one != "\n" => {
            Ok(one.as_bytes().first().copied().unwrap_or(b','))
        }
        other => Err(format!(
            "--delimiter is one character (',' ';' '|') or 'tab', found '{other}'"
        )),
    }
}

/// How a delimiter is named in messages: `','`, `';'`, `tab`.
pub fn name(delimiter: u8) -> String {
    match delimiter {
        b'\t' => "tab".into(),
        d => format!("'{}'", d as char),
    }
}

/// The delimiter the first line of `input` uses most (without consuming anything).
pub fn sniff(input: &mut impl BufRead) -> std::io::Result<u8> {
    let buffer = input.fill_buf()?;
    let line = buffer.split(|&b| b == b'\n').next().unwrap_or_default();
    let mut counts = [0usize; CANDIDATES.len()];
    let mut quoted = false;
    for &byte in line {
        if byte == b'"' {
            quoted = !quoted;
        } else if !quoted {
            if let Some(i) = CANDIDATES.iter().position(|&c| c == byte) {
                if let Some(count) = counts.get_mut(i) {
                    *count += 1;
                }
            }
        }
    }
    let best = counts.iter().enumerate().fold(
        (0, 0),
        |(bi, bc), (i, &c)| if c > bc { (i, c) } else { (bi, bc) },
    );
    Ok(CANDIDATES.get(best.0).copied().unwrap_or(b','))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_line_decides() {
        let sniffed = |text: &str| sniff(&mut std::io::Cursor::new(text.as_bytes())).unwrap();
        assert_eq!(sniffed("Id;Name;Visits\n1;\"a,b,c,d\";2\n"), b';');
        assert_eq!(sniffed("Id,\"Name; with; semicolons\",Visits\n"), b',');
        assert_eq!(sniffed("Id\tName\n"), b'\t');
        assert_eq!(sniffed("Id\n"), b',', "a single column: the comma");
        assert_eq!(parse("tab").unwrap(), b'\t');
        assert!(parse(";;").is_err());
    }
}
