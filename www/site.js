// Shared page behaviour for the Northwind demo site: navigation state, the phone menu, the
// blog's client-side navigation, the demo form, and the LeadPulse-driven widgets (consent, CTA,
// chat, debug panel).
// NOTE: the site must keep working when the tracker is blocked or fails, so every widget that
// needs `window.leadpulse` is mounted only after it is ready.
import { whenTracker } from './js/tracker.js';
import { mountConsent } from './js/consent.js';
import { bindCta } from './js/cta.js';
import { mountChat } from './js/chat.js';
import { mountDebug } from './js/debug.js';
import { mountBlogNav } from './js/blog-nav.js';
import { mountDemoForm } from './js/demo-form.js';
import { mountMenu } from './js/menu.js';

function markCurrentNav() {
  const here = location.pathname.replace(/\/$/, '') || '/';
  for (const a of document.querySelectorAll('.nav a')) {
    const target = new URL(a.href).pathname.replace(/\/$/, '') || '/';
    const current = target !== '/' && (here === target || here.startsWith(target + '/'));
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

markCurrentNav();
mountMenu();
mountBlogNav(markCurrentNav);
mountDemoForm(whenTracker);

whenTracker().then((lp) => {
  mountConsent(lp);
  bindCta(lp);
  mountChat(lp);
  mountDebug(lp);
}).catch((err) => {
  console.warn('[northwind] LeadPulse unavailable, personalisation off:', err.message);
});
