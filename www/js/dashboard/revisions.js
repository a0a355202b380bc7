// A lead's summary revisions as its page lists them: when each arrived (to the second), what it
// changed from the one before (changes.js), and how far it can be believed.
import { changes, LABELS } from './changes.js';
import { esc, whenExactly, words } from './format.js';

function changeList(before, now) {
  const items = changes(before, now)
    .map(({ what, text }) => `<li data-what="${esc(what)}">${LABELS[what] ? `<b>${esc(LABELS[what])}</b> ` : ''}${esc(text)}</li>`);
  return `<ul class="revision-changes" data-testid="revision-changes">${items.join('')}</ul>`;
}

/** The revisions table; `revisions` as the API lists them (by revision number). */
export function revisionTable(revisions) {
  const rows = revisions.map((r, i) => {
    const s = r.summary || {};
    const before = i > 0 ? revisions[i - 1].summary : null;
    return `<tr data-testid="revision-row">
      <td>#${esc(r.revision)}</td>
      <td data-testid="revision-at">${esc(whenExactly(r.receivedAt))}</td>
      <td>${changeList(before, r.summary)}</td>
      <td>${esc(s.stage)} · ${esc(s.score)} · ${esc(words(s.route))}</td>
      <td>${esc(r.trust)}${r.signed ? ' · signed' : ''}</td>
      <td><code>${esc(r.id)}</code></td></tr>`;
  });
  return `<div class="table-scroll"><table class="compare revisions"><thead><tr><th>Rev.</th><th>Received</th><th>What changed</th><th>Stage · score · route</th><th>Trust</th><th>Summary id</th></tr></thead>
    <tbody data-testid="detail-revisions">${rows.join('')}</tbody></table></div>`;
}
