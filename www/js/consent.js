// Cookie/consent banner. Until the visitor chooses, LeadPulse scores in memory only and sends
// nothing; "Accept" lets it persist and forward a qualified-lead summary.
import { safely } from './tracker.js';

export function mountConsent(lp) {
  const banner = document.createElement('div');
  banner.className = 'consent';
  banner.setAttribute('role', 'dialog');
  banner.setAttribute('aria-label', 'Privacy choices');
  banner.dataset.testid = 'consent-banner';
  banner.innerHTML = `
    <p><b>Your privacy, your call.</b> We personalise this site in your browser. With your consent we
    also keep that between visits and let our sales team know when you look ready to talk —
    a short summary, never your browsing history.</p>
    <div class="consent-actions">
      <button class="btn btn-sm" type="button" data-testid="consent-accept">Accept</button>
      <button class="btn btn-sm btn-ghost" type="button" data-testid="consent-reject">Reject</button>
    </div>`;
  document.body.append(banner);

  // The chat launcher and the debug toggle sit above the banner while it shows (site.css:
  // `.consent-open`, `--consent-h`), so it never covers them on a phone.
  const room = new ResizeObserver(() => {
    document.documentElement.style.setProperty('--consent-h', `${Math.ceil(banner.offsetHeight)}px`);
  });
  room.observe(banner);
  const show = (visible) => {
    banner.hidden = !visible;
    document.documentElement.classList.toggle('consent-open', visible);
  };
  show(consentState(lp) === 'pending');

  const choose = (value) => {
    safely(() => lp.consent(value));
    show(false);
  };
  banner.querySelector('[data-testid="consent-accept"]').addEventListener('click', () => choose('granted'));
  banner.querySelector('[data-testid="consent-reject"]').addEventListener('click', () => choose('denied'));
  for (const link of document.querySelectorAll('[data-testid="consent-open"]')) {
    link.addEventListener('click', (e) => {
      e.preventDefault();
      show(true);
    });
  }
  // A choice made elsewhere (the chat's "Share with sales", another tab) answers the banner too.
  lp.on('snapshot', () => { if (!banner.hidden && consentState(lp) !== 'pending') show(false); });
}

function consentState(lp) {
  return safely(() => (typeof lp.consent === 'function' ? lp.consent() : lp.consentState), 'pending') || 'pending';
}
