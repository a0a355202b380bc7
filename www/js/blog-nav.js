// Client-side navigation between blog pages (links marked `data-spa`): fetch the page, swap
// <main>, and `history.pushState` — the single-page-app pattern LeadPulse must count as page views.
export function mountBlogNav(onNavigate) {
  document.addEventListener('click', (e) => {
    const a = e.target instanceof Element && e.target.closest('a[data-spa]');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
    const url = new URL(a.href);
    if (url.origin !== location.origin) return;
    e.preventDefault();
    navigate(url, true, onNavigate);
  });
  window.addEventListener('popstate', () => navigate(new URL(location.href), false, onNavigate));
}

async function navigate(url, push, onNavigate) {
  try {
    const res = await fetch(url, { headers: { Accept: 'text/html' } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
    const next = doc.querySelector('main');
    if (!next) throw new Error('no <main>');
    if (push) history.pushState({}, '', url);
    document.title = doc.title;
    document.querySelector('main').replaceWith(document.adoptNode(next));
    window.scrollTo(0, 0);
    onNavigate();
  } catch {
    location.assign(url); // fall back to a normal page load
  }
}
