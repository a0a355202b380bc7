// How far the conversation got in this tab, so the chat does not start over on every page:
// a person who asked three questions does not ask three more after a click.
// NOTE: sessionStorage, and only counters and flags — no answer, address or identifier (those
// go to the tracker, which keeps them only with consent). It ends with the tab.
const KEY = 'northwind:chat';
const FRESH = { asked: 0, emailAsked: false, emailGiven: false, contacted: false };

export function recall() {
  try {
    return { ...FRESH, ...JSON.parse(sessionStorage.getItem(KEY) || '{}') };
  } catch {
    return { ...FRESH };
  }
}

export function remember(state) {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(state));
  } catch {
    // storage off: the conversation is remembered for this page only
  }
}
