// Leads dashboard: polls GET /api/leads and renders the qualified-lead summaries.
const REFRESH_MS = 2000;
const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const esc = (v) => String(v ?? '—').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

async function refresh() {
  try {
    const res = await fetch('/api/leads', { cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const { leads = [] } = await res.json();
    render(leads);
    status(true, `Live · updated ${new Date().toLocaleTimeString()}`);
  } catch (err) {
    status(false, `Collector unreachable (${err.message}) — retrying`);
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

function status(ok, text) {
  $('dash-status').innerHTML = `<span class="live-dot${ok ? '' : ' down'}"></span>${esc(text)}`;
}

function render(leads) {
  $('dash-empty').hidden = leads.length > 0;
  $('lead-rows').innerHTML = leads.map(row).join('');
  const scores = leads.map((l) => l.summary.score);
  const velocities = leads.map((l) => Date.parse(l.summary.qualifiedAt) - Date.parse(l.summary.firstSeen)).filter(Number.isFinite).sort((a, b) => a - b);
  $('kpi-count').textContent = leads.length;
  $('kpi-score').textContent = scores.length ? Math.round(scores.reduce((a, b) => a + b, 0) / scores.length) : '—';
  $('kpi-velocity').textContent = velocities.length ? duration(velocities[Math.floor(velocities.length / 2)]) : '—';
  $('kpi-verified').textContent = leads.length ? `${leads.filter((l) => l.verified).length} / ${leads.length}` : '—';
}

function row({ id, receivedAt, verified, summary: s }) {
  const t = s.traits || {};
  const who = [t.name, t['company.name']].filter(Boolean).join(' · ') || t.email || s.visitor;
  const sub = [t.email, t.title, t['company.industry'], t['company.employee_count'] && `${t['company.employee_count']} employees`].filter(Boolean).join(' · ');
  const bant = s.frameworks && s.frameworks.BANT;
  const src = s.source && s.source.first;
  const utm = src && src.utm && src.utm.source;
  return `<tr data-testid="lead-row" data-id="${esc(id)}">
    <td class="who"><b>${esc(who)}</b><small>${esc(sub || s.visitor)}</small></td>
    <td><span class="stage-badge stage-${esc(s.stage)}">${esc(s.stage)}</span></td>
    <td><b>${esc(s.score)}</b><br><small>fit ${esc(s.fit)} · eng ${esc(s.engagement)}</small></td>
    <td class="grade">${esc(s.grade)}</td>
    <td><div class="reason-chips">${(s.reasons || []).slice(0, 4).map((r) => `<span>${esc(r.rule)} ${r.points > 0 ? '+' : ''}${esc(r.points)}</span>`).join('')}</div></td>
    <td>${bant ? `${esc(bant.coverage)}%` : '—'}<br><small>${esc(Object.entries(s.slots || {}).map(([k, v]) => `${k}: ${v}`).join(', ') || '')}</small></td>
    <td>${esc(utm || (src && src.referrer) || 'direct')}<br><small>${esc(s.runtime)}</small>${verified ? ' <small class="verified">signed</small>' : ''}</td>
    <td>${esc(when(receivedAt))}<br><small>${esc(duration(Date.parse(s.qualifiedAt) - Date.parse(s.firstSeen)))} to SQL</small></td>
  </tr>`;
}

function when(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

function duration(ms) {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 60000) return `${Math.max(1, Math.round(ms / 1000))} s`;
  const m = Math.round(ms / 60000);
  if (m < 60) return `${m} min`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} d`;
}

refresh();

