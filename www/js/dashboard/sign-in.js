// The token form: shown when there is no token, or after the collector refused one (with why).
// The token is read from the form and kept in sessionStorage (session.js) — never in the page.
import { api } from './api.js';
import { session } from './session.js';

/** @param {{ onSignedIn: () => void, onSignedOut: () => void }} hooks */
export function mountSignIn(hooks) {
  const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
  const panel = $('sign-in');
  const form = $('sign-in-form');
  const message = $('sign-in-message');
  const app = $('dash-app');
  const out = $('sign-out');
  const rep = $('dash-rep');

  const show = (signedIn) => {
    panel.hidden = signedIn;
    app.hidden = !signedIn;
    out.hidden = !signedIn;
    rep.hidden = true;
    rep.textContent = '';
    if (signedIn) whoAmI();
  };

  // The name comes from the collector (the token's user), so the page cannot claim another's.
  // A refused token is handled by the lead list's own call; here it only leaves the name out.
  const whoAmI = async () => {
    try {
      const me = await api('/api/me');
      if (!session.token()) return; // signed out meanwhile
      rep.textContent = `Signed in as ${me.name}${me.role === 'admin' ? ' (admin)' : ''}`;
      rep.hidden = false;
    } catch {
      // the list shows why
    }
  };

  /** Asks for the token, with `why` above the form. */
  const ask = (why = '') => {
    show(false);
    message.textContent = why;
    form.elements.token.value = '';
    form.elements.token.focus();
    hooks.onSignedOut();
  };

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const token = form.elements.token.value.trim();
    if (!token) {
      message.textContent = 'Enter the API token.';
      form.elements.token.focus();
      return;
    }
    session.signIn(token);
    form.elements.token.value = '';
    message.textContent = '';
    show(true);
    hooks.onSignedIn();
  });
  out.addEventListener('click', () => {
    session.signOut();
    ask('Signed out. The token was removed from this tab.');
  });

  return {
    ask,
    /** Shows the leads if a token is kept from earlier in this tab, else the form. */
    start() {
      if (session.token()) {
        show(true);
        hooks.onSignedIn();
      } else {
        ask();
      }
    },
  };
}
