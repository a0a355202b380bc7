//! Compiled models: the validated [`Model`], serialised with postcard, framed and checksummed.
//! What the browser build reads (it carries no model validator), and how the built-in model
//! is embedded. `leadpulse compile model.json` writes one as base64url text.
//!
//! Layout: `"LPM"`, the format version, the postcard body, CRC-32 of everything before it.
//! The format version changes whenever [`Model`]'s shape does: a compiled model from
//! another engine version is refused with a message saying so, never misread.
use super::read::{MAX_RULES, MAX_SLOTS};
use super::Model;
use crate::core::encoding::{base64url, crc32};

const MAGIC: &[u8; 3] = b"LPM";
/// Bumped with every change of the [`Model`] structs.
pub const FORMAT: u8 = 3;
/// Longest compiled model accepted, in bytes.
pub const MAX_BYTES: usize = 256 * 1024;

/// Why a compiled model was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CompiledError {
    NotCompiled,
    TooLarge(usize),
    NotBase64(usize),
    Format(u8),
    Checksum,
    Malformed(String),
}

impl CompiledError {
    pub fn describe(&self) -> String {
        match self {
            CompiledError::NotCompiled => "not a compiled LeadPulse model".into(),
            CompiledError::TooLarge(n) => {
                format!("compiled model is {n} bytes, over the {MAX_BYTES}-byte cap")
            }
            CompiledError::NotBase64(at) => {
                format!("compiled model is not base64url (bad character at offset {at})")
            }
            CompiledError::Format(v) => format!(
                "compiled model has format {v}; this engine reads format {FORMAT} \
                 (compile it again with this version's `leadpulse compile`)"
            ),
            CompiledError::Checksum => "compiled model is corrupt (checksum mismatch)".into(),
            CompiledError::Malformed(why) => format!("compiled model is corrupt ({why})"),
        }
    }
}

impl std::fmt::Display for CompiledError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl std::error::Error for CompiledError {}

/// The compiled bytes of a validated model.
pub fn encode(model: &Model) -> Vec<u8> {
    let mut bytes = MAGIC.to_vec();
    bytes.push(FORMAT);
    // NOTE: serialising plain structs into a Vec cannot fail; an empty body would be refused
    // by `decode` with a clear message if it somehow did.
    bytes.extend(postcard::to_allocvec(model).unwrap_or_default());
    let checksum = crc32::crc32(&bytes);
    bytes.extend_from_slice(&checksum.to_le_bytes());
    bytes
}

/// [`encode`] as base64url text.
pub fn encode_text(model: &Model) -> String {
    base64url::encode(&encode(model))
}

/// Whether `text` looks like a compiled model (base64url of the magic).
pub fn is_compiled_text(text: &str) -> bool {
    text.trim_start().starts_with("TFBN")
}

pub fn decode_text(text: &str) -> Result<Model, CompiledError> {
    let text = text.trim();
    if !is_compiled_text(text) {
        return Err(CompiledError::NotCompiled);
    }
    if text.len() > MAX_BYTES * 4 / 3 + 4 {
        return Err(CompiledError::TooLarge(text.len() * 3 / 4));
    }
    decode(&base64url::decode(text).map_err(CompiledError::NotBase64)?)
}

pub fn decode(bytes: &[u8]) -> Result<Model, CompiledError> {
    if bytes.get(..3) != Some(MAGIC.as_slice()) {
        return Err(CompiledError::NotCompiled);
    }
    if bytes.len() > MAX_BYTES {
        return Err(CompiledError::TooLarge(bytes.len()));
    }
    match bytes.get(3) {
        Some(&FORMAT) => {}
        Some(&other) => return Err(CompiledError::Format(other)),
        None => return Err(CompiledError::Malformed("truncated".into())),
    }
    let split = bytes
        .len()
        .checked_sub(4)
        .filter(|&s| s >= 4)
        .ok_or_else(|| CompiledError::Malformed("truncated".into()))?;
    let (content, checksum) = bytes.split_at(split);
    let stored = <[u8; 4]>::try_from(checksum)
        .map(u32::from_le_bytes)
        .map_err(|_| CompiledError::Checksum)?;
    if crc32::crc32(content) != stored {
        return Err(CompiledError::Checksum);
    }
    let body = content.get(4..).unwrap_or_default();
    let model: Model =
        postcard::from_bytes(body).map_err(|e| CompiledError::Malformed(e.to_string()))?;
    // NOTE: the engine indexes nothing unchecked, so a hand-made body cannot crash it; these
    // bounds keep saved state and per-event cost bounded as the reader does.
    if model.rules.len() > MAX_RULES || model.slots.len() > MAX_SLOTS {
        return Err(CompiledError::Malformed("too many rules or slots".into()));
    }
    Ok(model)
}
