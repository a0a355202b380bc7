// Debug panel: what LeadPulse currently thinks of this visitor and what it has sent.
import { safely } from './tracker.js';

export function mountDebug(lp) {
  const toggle = document.createElement('button');
  toggle.className = 'debug-toggle';
  toggle.type = 'button';
  toggle.dataset.testid = 'debug-toggle';
  toggle.textContent = 'LeadPulse ▸ debug';
  const panel = document.createElement('aside');
  panel.className = 'debug';
  panel.dataset.testid = 'debug-panel';
  panel.hidden = true;
  document.body.append(toggle, panel);

  const sent = [];
  let last = safely(() => lp.snapshot());
  let failure = null;
  const render = () => { if (!panel.hidden) panel.innerHTML = failure ? failed(failure) : view(last, sent, lp); };
  // The tracker could not start (its model or engine): say so, in the panel and on its toggle.
  const fail = (err) => {
    failure = err;
    toggle.classList.add('debug-failed');
    toggle.dataset.failed = 'true';
    render();
  };
  Promise.resolve(lp.ready).catch(fail);

  toggle.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    toggle.textContent = panel.hidden ? 'LeadPulse ▸ debug' : 'LeadPulse ▾ debug';
    render();
  });
  lp.on('snapshot', (snap) => { last = snap; render(); });
  lp.on('qualified', ({ summary }) => { sent.push(summary); render(); });
}

const failed = (err) => `
    <h4>Tracking is off</h4>
    <p class="debug-error" data-testid="debug-error">${esc(err && err.message)}</p>`;

const esc = (v) => String(v ?? '—').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

function view(s, sent, lp) {
  if (!s) return '<p>No snapshot yet.</p>';
  const reasons = (s.reasons || []).map((r) =>
    `<li><span>${esc(r.rule)}</span><span class="${r.points < 0 ? 'neg' : 'pos'}">${r.points > 0 ? '+' : ''}${esc(r.points)}</span></li>`).join('');
  const frameworks = Object.entries(s.frameworks || {}).map(([name, f]) => `
    <dl><dt>${esc(name)}</dt><dd>${esc(f.coverage)}% · missing ${esc((f.missing || []).join(', ') || 'nothing')}</dd></dl>
    <div class="bar"><i class="w${Math.round((f.coverage || 0) / 25) * 25}"></i></div>`).join('');
  const q = s.nextQuestion;
  const summaries = sent.map((m) => `<li><span>${esc(m.id)}</span><span>${esc(m.stage)} · ${esc(m.score)}</span></li>`).join('');
  const consent = safely(() => (typeof lp.consent === 'function' ? lp.consent() : lp.consentState));
  return `
    <h4>Score</h4>
    <div class="debug-score">
      <div><b data-testid="debug-score">${esc(s.score)}</b><span>score</span></div>
      <div><b>${esc(s.fit)}</b><span>fit</span></div>
      <div><b>${esc(s.engagement)}</b><span>engagement</span></div>
      <div><b data-testid="debug-grade">${esc(s.grade)}</b><span>grade</span></div>
    </div>
    <h4>State</h4>
    <dl>
      <dt>stage</dt><dd><span class="stage-badge stage-${esc(s.stage)}" data-testid="debug-stage">${esc(s.stage)}</span></dd>
      <dt>status</dt><dd data-testid="debug-status">${esc(s.status)}</dd>
      <dt>qualified</dt><dd>${s.qualified ? `yes, ${esc(s.qualifiedAt)}` : 'no'}</dd>
      <dt>bot</dt><dd>${s.bot ? `yes (${esc(s.botReason)})` : 'no'}</dd>
      <dt>sessions</dt><dd>${esc(s.sessions)} · ${esc(s.engagedSeconds)} s engaged</dd>
      <dt>consent</dt><dd data-testid="debug-consent">${esc(typeof consent === 'string' ? consent : '—')}</dd>
    </dl>
    <h4>Reasons</h4>
    <ul data-testid="debug-reasons">${reasons || '<li>none yet</li>'}</ul>
    <h4>Frameworks</h4>
    ${frameworks || '<p>—</p>'}
    <h4>Next question</h4>
    <p data-testid="debug-next">${q ? `${esc(q.slot)}: ${esc(q.question)}` : 'none'}</p>
    <h4>Summaries queued for sales</h4>
    <ul data-testid="debug-summaries">${summaries || '<li>none</li>'}</ul>`;
}
