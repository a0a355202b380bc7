// The collector's API with the dashboard's token. A 401 signs out (the token is wrong or was
// changed on the server) and says so; other errors carry the server's own message.
import { session } from './session.js';

/** The token is missing or refused: the dashboard must ask for it again. */
export class Unauthorized extends Error {}

/** Any other non-2xx answer; `message` is the server's text, `body` its JSON. */
export class ApiError extends Error {
  constructor(status, body) {
    super(describe(status, body));
    this.status = status;
    this.body = body || {};
  }
}

function describe(status, body) {
  if (!body || typeof body.error !== 'string') return `The collector answered HTTP ${status}.`;
  let text = body.error;
  if (body.path) text += ` (field: ${body.path})`;
  if (Array.isArray(body.allowed)) text += body.allowed.length ? ` — now possible: ${body.allowed.join(', ')}.` : ' — no further change is possible.';
  return text;
}

/** `GET` (or `POST` with a JSON body) on the API; resolves with the JSON answer. */
export async function api(path, { method = 'GET', body } = {}) {
  const token = session.token();
  if (!token) throw new Unauthorized('Enter the API token to see the leads.');
  const headers = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await res.json().catch(() => null);
  if (res.status === 401) {
    session.signOut();
    throw new Unauthorized(`The collector refused the token (${(data && data.error) || 'HTTP 401'}). Enter it again.`);
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}
