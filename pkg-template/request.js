// A visitor's request to be contacted (docs/contracts.md, "Request"): built the same way by the
// browser tracker and by the edge, from a form's fields; the collector holds it to the one
// contract in the core (src/core/request/). No wasm needed: a request must go out even when
// scoring could not start.

/** The hidden fields a LeadPulse form carries: its name, and the page to show once sent. */
export const FORM_FIELD = 'leadpulse-form';
export const NEXT_FIELD = 'leadpulse-next';

/** The contract's bounds (src/core/request/mod.rs, `limits`). */
export const LIMITS = { fields: 24, name: 64, value: 2000, form: 32, page: 512, email: 254 };

/**
 * Form field names → the Segment trait they fill; the first field present wins (the core's
 * `FIELD_TRAITS`, in the same order; tests/fixtures/request/traits.json holds both to it).
 * @type {[string, string][]}
 */
export const FIELD_TRAITS = [
  ['email', 'email'], ['name', 'name'], ['full_name', 'name'], ['first_name', 'first_name'],
  ['last_name', 'last_name'], ['title', 'title'], ['job_title', 'title'], ['company', 'company.name'],
  ['company_name', 'company.name'], ['employee_count', 'company.employee_count'],
  ['employees', 'company.employee_count'], ['company_size', 'company.employee_count'],
  ['industry', 'company.industry'], ['phone', 'phone'], ['country', 'country'],
];

/**
 * @typedef {{ type: 'request', version: 1, id: string, form: string, basis: 'consent' | 'request',
 *   visitor?: string, page: string, at: string, fields: Record<string, string>,
 *   runtime: 'browser' | 'edge' }} Request
 */

/**
 * The traits a request's fields fill, flat (`company.name`): trimmed, empty ones left out, a
 * number of employees as a number (`"1,001-5,000"` → 1001).
 * @param {Record<string, string>} fields
 * @returns {Record<string, string | number>}
 */
export function traits(fields) {
  /** @type {Record<string, string | number>} */
  const out = {};
  for (const [field, name] of FIELD_TRAITS) {
    const value = typeof fields[field] === 'string' ? fields[field].trim() : '';
    if (!value || name in out) continue;
    if (name === 'company.employee_count') {
      const digits = /\d[\d,]*/.exec(value);
      const n = digits ? Number.parseInt(digits[0].replace(/,/g, ''), 10) : NaN;
      if (Number.isFinite(n) && n <= 4294967295) out[name] = n;
    } else out[name] = value;
  }
  return out;
}

/**
 * Flat traits as Segment's nested `identify` traits (`company.name` → `company: { name }`).
 * @param {Record<string, string | number>} flat
 */
export function nested(flat) {
  /** @type {Record<string, any>} */
  const out = {};
  for (const [key, value] of Object.entries(flat)) {
    const [head, tail] = key.split('.', 2);
    if (tail) (out[head] ??= {})[tail] = value;
    else out[head] = value;
  }
  return out;
}

/**
 * What the visitor typed, from a form's `[name, value]` pairs (FormData, URLSearchParams):
 * its own fields (files, LeadPulse's hidden fields and empty values left out, line breaks as
 * `\n`, each cut to the contract's bounds), its name and the page to show once sent.
 * @param {Iterable<[string, unknown]>} entries
 */
export function readForm(entries) {
  /** @type {Record<string, string>} */
  const fields = {};
  let form = '';
  let next = '';
  let count = 0;
  for (const [name, value] of entries) {
    if (typeof value !== 'string') continue; // a file
    if (name === FORM_FIELD) form = value.trim();
    else if (name === NEXT_FIELD) next = value.trim();
    else if (value.trim() && count < LIMITS.fields && /^[A-Za-z0-9_.-]{1,64}$/.test(name) && !(name in fields)) {
      fields[name] = cut(printable(value), LIMITS.value);
      count++;
    }
  }
  return { fields, form, next };
}

/**
 * What a person typed, safe to show a sales rep: line breaks kept as `\n`, tabs as spaces,
 * control characters and the invisible ones that reorder or hide text removed (the core's
 * `text::printable`, which the collector holds every line to).
 * @param {string} text
 */
export function printable(text) {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F\u200B-\u200F\u202A-\u202E\u2066-\u2069\uFEFF]/g, '');
}

/**
 * `text` cut to at most `max` UTF-8 bytes, on a character boundary.
 * @param {string} text
 * @param {number} max
 */
function cut(text, max) {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= max) return text;
  return new TextDecoder().decode(bytes.slice(0, max)).replace(/\uFFFD$/, '');
}

/**
 * A form's name as the contract takes it: lower case, a-z 0-9 - _, at most 32 (else `contact`).
 * @param {unknown} name
 */
export function formName(name) {
  const n = String(name || '').trim().toLowerCase().replace(/[^a-z0-9_-]+/g, '-').slice(0, LIMITS.form);
  return n || 'contact';
}

/**
 * The event a form records in the scoring engine (with analytics consent): the form's own
 * `data-leadpulse-event`, else the built-in model's names for the common forms.
 * @param {string} form
 * @param {string | null | undefined} event
 * @returns {{ event: string, properties: Record<string, string> }}
 */
export function formEvent(form, event) {
  if (event) return { event, properties: { form } };
  if (form === 'demo') return { event: 'Demo Requested', properties: { form } };
  if (form === 'trial') return { event: 'Trial Requested', properties: { form } };
  return { event: 'Form Submitted', properties: { form } };
}

/**
 * A request, ready to send (JSON.stringify it).
 * @param {{ id: string, form: string, visitor?: string | null, page: string, at: number,
 *   fields: Record<string, string>, runtime: 'browser' | 'edge' }} r
 *   `visitor` only with analytics consent (it makes the basis `consent`)
 * @returns {Request}
 */
export function buildRequest({ id, form, visitor, page, at, fields, runtime }) {
  /** @type {Request} */
  const request = {
    type: 'request',
    version: 1,
    id,
    form: formName(form),
    basis: visitor ? 'consent' : 'request',
    page: cut(String(page || '/').split(/[?#]/)[0] || '/', LIMITS.page),
    at: new Date(at).toISOString(),
    fields,
    runtime,
  };
  if (visitor) request.visitor = visitor;
  return request;
}

/** Why a request cannot go out as it is (the visitor can fix it), or null. @param {Request} r */
export function problem(r) {
  const email = (r.fields.email || '').trim();
  if (!email) return 'an e-mail address is needed to answer the request';
  if (!/^[^@\s]+@[^@\s]+$/.test(email) || email.length > LIMITS.email) return 'the e-mail address is not valid';
  return null;
}

/**
 * A random request id: `rq_` + 16 hex digits.
 * @param {(bytes: Uint8Array<ArrayBuffer>) => Uint8Array} fill  crypto.getRandomValues
 */
export function requestId(fill) {
  const bytes = fill(new Uint8Array(8));
  return 'rq_' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
