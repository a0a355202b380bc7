// The header menu on phones and tablets: the nav folds behind a button (site.css, ≤ 900 px).
// Escape or a click outside closes it; on wider screens the button is hidden and the nav shows.
export function mountMenu() {
  const header = document.querySelector('.site-header');
  const toggle = header && header.querySelector('[data-testid="menu-toggle"]');
  const nav = toggle && document.getElementById(toggle.getAttribute('aria-controls'));
  if (!nav) return;
  const set = (open) => {
    header.classList.toggle('menu-open', open);
    toggle.setAttribute('aria-expanded', String(open));
    toggle.setAttribute('aria-label', open ? 'Close menu' : 'Open menu');
  };
  toggle.addEventListener('click', () => set(toggle.getAttribute('aria-expanded') !== 'true'));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && header.classList.contains('menu-open')) {
      set(false);
      toggle.focus();
    }
  });
  document.addEventListener('click', (e) => {
    if (header.classList.contains('menu-open') && e.target instanceof Node && !header.contains(e.target)) set(false);
  });
  // Client-side navigation (the blog) keeps the header: close the menu after a link is used.
  nav.addEventListener('click', (e) => { if (e.target instanceof Element && e.target.closest('a')) set(false); });
}
