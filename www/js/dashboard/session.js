// Who is looking at the dashboard: the token (a rep's own, or the collector's API token).
//
// NOTE: the token is kept in sessionStorage, not localStorage. It opens every lead's personal
// data, so it lives only as long as this tab: closing the tab signs out, and a later person at
// the same machine (or another tab) does not inherit it. Unlike a cookie the browser never sends
// it on its own, so no other site can make requests with it. The price is asking again in a
// new tab.
// Who the token belongs to is the collector's answer (GET /api/me), never typed in here.
const TOKEN_KEY = 'dashboard:token';

function read(storage, key) {
  try {
    return storage.getItem(key) || '';
  } catch {
    return ''; // storage disabled: ask every time
  }
}

function write(storage, key, value) {
  try {
    if (value) storage.setItem(key, value);
    else storage.removeItem(key);
  } catch {
    // storage disabled: the value lives in memory below
  }
}

let memoryToken = '';

export const session = {
  token: () => read(sessionStorage, TOKEN_KEY) || memoryToken,
  signIn(token) {
    memoryToken = token;
    write(sessionStorage, TOKEN_KEY, token);
  },
  signOut() {
    memoryToken = '';
    write(sessionStorage, TOKEN_KEY, '');
  },
};
