// What the visitor types: a question for sales (kept by the engine, at most 240 bytes of
// printable text — docs/contracts.md), an e-mail address, or an answer.
const MAX_QUESTION_BYTES = 240;
const encoder = new TextEncoder();

/** Printable, single-spaced, cut to 240 UTF-8 bytes on a character boundary. */
export function cleanQuestion(text) {
  let out = '';
  let bytes = 0;
  for (const ch of String(text).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu, ' ').replace(/\s+/g, ' ').trim()) {
    const n = encoder.encode(ch).length;
    if (bytes + n > MAX_QUESTION_BYTES) break;
    out += ch;
    bytes += n;
  }
  return out.trim();
}

/** A typed line ending in "?" is a question for sales, never an answer. */
export const isQuestion = (text) => /\?\s*$/.test(text);

/** Deliberately loose (the real check is a person replying): something@domain.tld. */
export const isEmail = (text) => /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/.test(text);

/** The option a typed answer names ("Approved", "this quarter"), if any. */
export function matchOption(text, options) {
  const want = text.trim().toLowerCase().replace(/[\s_-]+/g, ' ');
  return options.find((o) => String(o).toLowerCase().replace(/[\s_-]+/g, ' ') === want);
}

/** "decision_maker" → "Decision maker". */
export function label(value) {
  const s = String(value).replace(/[_-]+/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}
