// Text for the dashboard. Everything a lead carries came from a visitor's browser (names,
// titles, typed questions), so it is escaped before it goes near innerHTML.

const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** HTML-escapes any value; null and undefined become an em dash. */
export const esc = (v) => String(v ?? '—').replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** What a request's form fields say of the visitor, as traits (the collector's mapping). */
const FIELD_TRAITS = { name: 'name', email: 'email', title: 'title', job_title: 'title', company: 'company.name', company_name: 'company.name', employee_count: 'company.employee_count' };

/** A lead's traits: its summary's (`summary.traits`), filled in from what the visitor typed
 * into a request's form; tolerates either being `null`. */
export function traitsOf(lead) {
  const out = { ...((lead.summary && lead.summary.traits) || {}) };
  const fields = (lead.request && lead.request.fields) || {};
  for (const [field, trait] of Object.entries(FIELD_TRAITS)) if (out[trait] == null && fields[field]) out[trait] = fields[field];
  return out;
}

/** On what basis the lead came: with analytics consent, or a request alone (no score). */
export const basis = (lead) => (lead.basis === 'request' ? 'request only (no analytics consent)' : 'analytics consent');

/** Who the lead is, in one line, and the details under it. */
export function who(lead) {
  const t = traitsOf(lead);
  const name = t.name || t.email || `Visitor ${String(lead.visitor).slice(0, 8)}`;
  const company = t['company.name'];
  const details = [t.email !== name && t.email, t.title, company, t['company.employee_count'] && `${t['company.employee_count']} employees`]
    .filter(Boolean);
  return { name, details };
}

/** "hand_raise" → "hand raise". */
export const words = (id) => String(id ?? '').replace(/[_-]+/g, ' ');

export function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** To the second, for a lead's own record: revisions and steps a few seconds apart stay apart. */
export function whenExactly(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** A duration in the largest unit that reads well: "40 s", "3 min", "5 h", "2 d". */
export function duration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 60000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  const m = Math.round(ms / 60000);
  if (m < 60) return `${m} min`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} d`;
}

/** Sales' response time: accepted − SQL, or how long a new lead has been waiting. */
export function timeToAccept(lead, now = Date.now()) {
  const sql = Date.parse(lead.sqlAt);
  if (!Number.isFinite(sql)) return '—';
  if (lead.acceptedAt) return duration(Date.parse(lead.acceptedAt) - sql);
  if (lead.status === 'new') return `waiting ${duration(now - sql)}`;
  return '—';
}

export function money(amount) {
  if (typeof amount !== 'number' || !Number.isFinite(amount)) return '';
  return amount.toLocaleString([], { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
}

/** Where the lead came from: the first touch's UTM source or referrer, else "direct". */
export function source(lead) {
  const first = lead.summary && lead.summary.source && lead.summary.source.first;
  return lead.source || (first && ((first.utm && first.utm.source) || first.referrer)) || 'direct';
}

/** A disqualifier (`{slot, value}` or `{rule}`) as text. */
export const disqualifier = (d) => (d.slot ? `${words(d.slot)}: ${d.value}` : words(d.rule));
