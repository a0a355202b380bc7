// Sales metrics on the leads dashboard: GET /api/report (the figures of `leadpulse report`,
// defined in docs/metrics.md) drawn as a funnel and a weekly trend (inline SVG, no library),
// with the rates and the velocity as numbers. Fills <section id="metrics">, the dashboard's
// metrics view; the page works without it. Read when the view is shown and something changed
// since (the rep's own step, a change the collector pushed: `dashboard:changed` events from
// dashboard.js), at once while it is on screen — never on screen and stale for long.
const SECTION = 'section#metrics';
/** While on screen, read again at least this often (changes the dashboard did not see). */
const REFRESH_MS = 60000;
/** Changes come in bursts (a pushed lead and the rep's step): read once per burst. */
const SETTLE_MS = 250;
// NOTE: the dashboard keeps its API token in sessionStorage under this key
// (www/js/dashboard/session.js); read here rather than imported so each module loads alone.
const TOKEN_KEY = 'dashboard:token';
const SVG = 'http://www.w3.org/2000/svg';

/** The dashboard's API token, or '' when it has none (signed out, or storage disabled). */
export function token() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) || '';
  } catch {
    return '';
  }
}

const esc = (v) => String(v ?? '—').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const pct = (r) => (r && r.rate != null ? `${(r.rate * 100).toFixed(1)}%` : '—');
const ratio = (r) => (r && r.denominator ? `${r.numerator} of ${r.denominator}` : 'no leads yet');

/** A duration for people: 45 s, 12 min, 5 h, 3 d. */
export function duration(ms) {
  if (ms == null || !Number.isFinite(ms)) return '—';
  if (ms < 60000) return `${Math.round(ms / 1000)} s`;
  const m = Math.round(ms / 60000);
  if (m < 60) return `${m} min`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} d`;
}

/** `YYYY-MM-DD` (UTC) of the Monday `weeks - 1` weeks before this one: a period of whole weeks. */
export function periodStart(weeks, now = new Date()) {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const monday = day - ((now.getUTCDay() + 6) % 7) * 86400000;
  return new Date(monday - (weeks - 1) * 7 * 86400000).toISOString().slice(0, 10);
}

function el(name, attrs = {}, text) {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text != null) node.textContent = String(text);
  return node;
}

/** The funnel: MQL → SQL → accepted → opportunity → won, each bar against the MQLs. */
export function funnel(total) {
  const steps = [
    ['MQLs', total.mqls],
    ['SQLs', total.sqls],
    ['Accepted (SAL)', total.sqlToAccepted.numerator],
    ['Opportunities', total.sqlToOpportunity.numerator],
    ['Won', total.winRate.numerator],
  ];
  const width = 1000;
  const row = 30;
  const label = 170;
  const svg = el('svg', { viewBox: `0 0 ${width} ${steps.length * row + 8}`, width: '100%', role: 'img', 'aria-label': steps.map(([n, v]) => `${n}: ${v}`).join(', ') });
  svg.append(el('title', {}, 'Funnel: MQL to won'));
  const max = Math.max(1, ...steps.map(([, v]) => v));
  steps.forEach(([name, value], i) => {
    const y = 4 + i * row;
    const w = Math.max(2, ((width - label - 90) * value) / max);
    const x = label + (width - label - 90 - w) / 2;
    svg.append(el('text', { x: label - 10, y: y + 20, 'text-anchor': 'end', 'font-size': 13, fill: '#334155' }, name));
    svg.append(el('rect', { x, y, width: w, height: row - 8, rx: 4, fill: i === 0 ? '#a5b4fc' : '#4f46e5', 'fill-opacity': 1 - i * 0.12 }));
    const previous = i > 0 ? steps[i - 1][1] : 0;
    const share = i > 0 && previous > 0 ? ` · ${Math.round((100 * value) / previous)}%` : '';
    svg.append(el('text', { x: width - 80, y: y + 20, 'font-size': 13, fill: '#0f172a', 'font-weight': 600 }, `${value}${share}`));
  });
  return svg;
}

/** MQLs and SQLs per week as paired bars. */
export function trend(weeks) {
  const width = 1000;
  const height = 220;
  const bottom = 24;
  const top = 26;
  const left = 36;
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width: '100%', role: 'img', 'aria-label': `MQLs and SQLs per week over ${weeks.length} weeks` });
  svg.append(el('title', {}, 'Weekly trend: MQLs and SQLs'));
  const max = Math.max(1, ...weeks.map((w) => Math.max(w.mqls, w.sqls)));
  const plot = height - bottom - top;
  const slot = (width - left) / Math.max(1, weeks.length);
  const bar = Math.max(1, Math.min(18, slot / 2 - 2));
  svg.append(el('line', { x1: left, y1: height - bottom, x2: width, y2: height - bottom, stroke: '#cbd5e1' }));
  svg.append(el('text', { x: left - 6, y: top + 4, 'text-anchor': 'end', 'font-size': 11, fill: '#64748b' }, max));
  svg.append(el('text', { x: left - 6, y: height - bottom, 'text-anchor': 'end', 'font-size': 11, fill: '#64748b' }, 0));
  const every = Math.ceil(weeks.length / 8);
  weeks.forEach((w, i) => {
    const x = left + i * slot + slot / 2;
    for (const [value, dx, fill, name] of [[w.mqls, -bar, '#a5b4fc', 'MQLs'], [w.sqls, 0, '#4f46e5', 'SQLs']]) {
      const h = (plot * value) / max;
      const rect = el('rect', { x: x + dx, y: height - bottom - h, width: bar, height: Math.max(0, h), fill });
      rect.append(el('title', {}, `${w.week}: ${value} ${name}`));
      svg.append(rect);
    }
    if (i % every === 0) svg.append(el('text', { x, y: height - 6, 'text-anchor': 'middle', 'font-size': 11, fill: '#64748b' }, w.start.slice(5)));
  });
  svg.append(el('rect', { x: left, y: 2, width: 10, height: 10, fill: '#a5b4fc' }));
  svg.append(el('text', { x: left + 14, y: 11, 'font-size': 11, fill: '#334155' }, 'MQLs'));
  svg.append(el('rect', { x: left + 60, y: 2, width: 10, height: 10, fill: '#4f46e5' }));
  svg.append(el('text', { x: left + 74, y: 11, 'font-size': 11, fill: '#334155' }, 'SQLs'));
  return svg;
}

function kpis(total) {
  const v = total.velocity;
  const kpi = (id, value, label, detail) => `<div class="kpi" data-testid="kpi-${id}"><b>${esc(value)}</b><span>${esc(label)}</span><br><small class="muted">${esc(detail)}</small></div>`;
  return [
    kpi('mql-sql', pct(total.mqlToSql), 'MQL → SQL', ratio(total.mqlToSql)),
    kpi('sal', pct(total.sqlToAccepted), 'SQL → accepted (SAL)', `${ratio(total.sqlToAccepted)} · opportunity ${pct(total.sqlToOpportunity)}`),
    kpi('win', pct(total.winRate), 'Win rate (won / closed)', ratio(total.winRate)),
    kpi('velocity', duration(v.firstTouchToSql.medianMs), 'First touch → SQL (median)', `p90 ${duration(v.firstTouchToSql.p90Ms)} · MQL → SQL ${duration(v.mqlToSql.medianMs)} · SQL → accepted ${duration(v.sqlToAccepted.medianMs)}`),
  ].join('');
}

function groups(report) {
  if (!report.by || !report.groups.length) return '';
  const rows = report.groups.map((g) => `<tr><td>${esc(g.key)}</td><td>${g.mqls}</td><td>${g.sqls}</td><td>${pct(g.mqlToSql)}</td><td>${pct(g.sqlToAccepted)}</td><td>${pct(g.sqlToOpportunity)}</td><td>${pct(g.winRate)}</td><td>${duration(g.velocity.firstTouchToSql.medianMs)}</td></tr>`);
  return `<table class="dash-table" data-testid="metrics-groups"><thead><tr><th>${esc(report.by)}</th><th>MQLs</th><th>SQLs</th><th>MQL→SQL</th><th>SAL</th><th>SQL→opp.</th><th>Win rate</th><th>To SQL</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function reasons(total) {
  if (!total.rejections.length) return '';
  const items = total.rejections.slice(0, 5).map((r) => `<li>${esc(r.reason)} <b>${r.count}</b></li>`).join('');
  return `<p class="muted">Rejected by sales, most common reasons:</p><ul data-testid="metrics-rejections">${items}</ul>`;
}

/** Renders a report (the JSON of GET /api/report) into the section. */
export function render(section, report, weeks) {
  const t = report.total;
  const body = section.querySelector('[data-testid="metrics-body"]');
  body.innerHTML = `<div class="dash-kpis" data-testid="metrics-figures">${kpis(t)}</div>
    <figure data-testid="metrics-funnel"><figcaption class="muted">Funnel over the last ${weeks} weeks: ${t.mqls} MQLs, ${t.sqls} SQLs</figcaption></figure>
    <figure data-testid="metrics-trend"><figcaption class="muted">MQLs and SQLs per week</figcaption></figure>
    ${groups(report)}${reasons(t)}`;
  body.querySelector('[data-testid="metrics-funnel"]').prepend(funnel(t));
  body.querySelector('[data-testid="metrics-trend"]').prepend(trend(report.weeks));
}

function shell(section) {
  section.innerHTML = `<div class="section-head-left"><h1>Sales metrics</h1>
    <p class="muted">Defined in docs/metrics.md; the same figures as <code>leadpulse report</code>.</p></div>
    <form class="dash-filters" data-testid="metrics-filters">
      <label>Period <select name="weeks" data-testid="metrics-period"><option value="4">4 weeks</option><option value="12" selected>12 weeks</option><option value="26">26 weeks</option><option value="52">52 weeks</option></select></label>
      <label>By <select name="by" data-testid="metrics-by"><option value="">All leads</option><option value="source">Source</option><option value="model">Model</option><option value="owner">Owner</option></select></label>
    </form>
    <p class="dash-notice" role="status" data-testid="metrics-status"></p>
    <div data-testid="metrics-body"></div>`;
}

function start() {
  const section = document.querySelector(SECTION);
  if (!section) return;
  shell(section);
  const form = section.querySelector('[data-testid="metrics-filters"]');
  const status = section.querySelector('[data-testid="metrics-status"]');
  let stale = true; // something changed since the figures on screen were read
  let running = false;
  let again = false;
  let settle = null;
  let every = null;
  let loads = 0;
  // NOTE: hidden views (and a hidden tab) read nothing; they are read when shown.
  const visible = () => !document.hidden && !section.closest('[hidden]');

  const load = async () => {
    clearTimeout(settle);
    if (!visible()) {
      stale = true; // read when shown
      return;
    }
    if (running) {
      again = true;
      return;
    }
    const key = token();
    if (!key) {
      status.textContent = 'Sign in to see the metrics.';
      return;
    }
    running = true;
    stale = false;
    const weeks = Number(form.weeks.value);
    const params = new URLSearchParams({ from: periodStart(weeks), to: new Date().toISOString().slice(0, 10) });
    if (form.by.value) params.set('by', form.by.value);
    try {
      const res = await fetch(`/api/report?${params}`, { headers: { authorization: `Bearer ${key}` }, cache: 'no-store' });
      const data = await res.json().catch(() => null);
      if (res.status === 401) {
        stale = true;
        status.textContent = 'Sign in to see the metrics.';
      } else if (!res.ok || !data) {
        throw new Error((data && data.error) || `HTTP ${res.status}`);
      } else {
        render(section, data, weeks);
        status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
        section.dataset.loads = String(++loads);
      }
    } catch (err) {
      stale = true;
      status.textContent = `Metrics unavailable (${err.message}); retrying.`;
    } finally {
      running = false;
    }
    clearTimeout(every);
    every = setTimeout(load, REFRESH_MS);
    if (again) {
      again = false;
      load();
    }
  };
  const loadIfStale = () => {
    if (stale) load();
  };

  form.addEventListener('change', load);
  document.addEventListener('visibilitychange', loadIfStale);
  document.addEventListener('dashboard:view', loadIfStale);
  document.addEventListener('dashboard:changed', () => {
    stale = true;
    clearTimeout(settle);
    settle = setTimeout(load, SETTLE_MS);
  });
  document.addEventListener('dashboard:signed-out', () => {
    stale = true;
    section.querySelector('[data-testid="metrics-body"]').replaceChildren();
    status.textContent = '';
  });
  loadIfStale();
}

if (typeof document !== 'undefined') start();
