// Shared page behaviour for the Northwind demo site: navigation state, the phone menu, the
// blog's client-side navigation, and the LeadPulse-driven widgets (consent, CTA, chat, debug
// panel). The demo form needs no code: it is a request by markup (demo.html).
// NOTE: the site must keep working when the tracker is blocked or fails, so every widget that
// needs scoring is mounted only after it is ready; the debug panel also shows why it failed.
import { whenLoaded } from './js/tracker.js';
import { mountConsent } from './js/consent.js';
import { bindCta, bindOwnerBooking } from './js/cta.js';
import { mountChat } from './js/chat.js';
import { mountDebug } from './js/debug.js';
import { mountBlogNav } from './js/blog-nav.js';
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

whenLoaded().then(async (lp) => {
  mountDebug(lp);
  await lp.ready;
  mountConsent(lp);
  bindCta(lp);
  bindOwnerBooking(lp);
  mountChat(lp);
}).catch((err) => {
  console.warn('[northwind] LeadPulse unavailable, personalisation off:', err.message);
});
