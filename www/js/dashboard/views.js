// The dashboard's views: the leads (first, the default) and the metrics, each a section of the
// page (`data-view`) with a tab (`data-view-tab`). The view is in the URL's fragment, so a
// reload, a bookmark and the Back button keep it: `#metrics`; `#lead-<id>` (the links in
// webhook and Slack messages) is the leads view with that lead open.
const TITLES = { leads: 'Leads', metrics: 'Metrics' };

/** The view the URL names. */
export function viewOf(hash) {
  return hash === '#metrics' ? 'metrics' : 'leads';
}

/**
 * @param {{ onLead: (id: number) => void }} hooks `onLead`: a `#lead-<id>` link was followed.
 * Each change of view is announced as a `dashboard:view` event (metrics.js loads when shown).
 */
export function mountViews(hooks) {
  const sections = [...document.querySelectorAll('[data-view]')];
  const tabs = [...document.querySelectorAll('[data-view-tab]')];

  function show() {
    const view = viewOf(location.hash);
    for (const section of sections) section.hidden = section.dataset.view !== view;
    for (const tab of tabs) {
      if (tab.dataset.viewTab === view) tab.setAttribute('aria-current', 'page');
      else tab.removeAttribute('aria-current');
    }
    document.title = `${TITLES[view]} — LeadPulse dashboard`;
    document.dispatchEvent(new CustomEvent('dashboard:view', { detail: { view } }));
    const linked = /^#lead-(\d+)$/.exec(location.hash);
    if (linked) hooks.onLead(Number(linked[1]));
  }
  window.addEventListener('hashchange', show);

  return { show };
}
