// Consent (DESIGN.md "Trust and privacy"):
//   pending  score in memory only; nothing stored, nothing sent (the default);
//   granted  state, visitor id and queue persisted; summaries forwarded;
//   denied   in-page personalisation only; the choice itself is stored (it names no one).
// A browser opt-out (Do Not Track or Global Privacy Control) means denied, and consent()
// cannot lift it, unless the site starts the tracker with respectDoNotTrack: false.

/** @typedef {import('../leadpulse.js').ConsentState} ConsentState */

/**
 * Whether the browser signals an opt-out.
 * @param {{ doNotTrack?: string | null, globalPrivacyControl?: boolean }} nav
 */
export function browserOptOut(nav) {
  return nav.doNotTrack === '1' || nav.globalPrivacyControl === true;
}

/**
 * The consent in force when the tracker starts: a respected browser opt-out, else the choice
 * stored by an earlier page, else the site's `consent` option, else pending.
 * @param {{ optOut: boolean, respectDoNotTrack: boolean, stored: string | null, initial?: string }} o
 * @returns {ConsentState}
 */
export function resolveConsent({ optOut, respectDoNotTrack, stored, initial }) {
  if (optOut && respectDoNotTrack) return 'denied';
  for (const c of [stored, initial]) if (c === 'granted' || c === 'denied') return c;
  return 'pending';
}
