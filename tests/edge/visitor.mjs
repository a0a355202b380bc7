// A browser-like client for the edge tests: keeps the cookies the worker sets, sends a user
// agent, (through the test-only clock header) says when each request happens, and reads the
// test workers' debug headers.

export const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
export const BOT_UA = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';
export const DAY = 86_400_000;

export class Visitor {
  constructor(base, { userAgent = BROWSER_UA, headers = {} } = {}) {
    this.base = base;
    this.userAgent = userAgent;
    this.headers = headers;
    this.cookies = new Map();
    this.responses = [];
  }

  /** The visitor id in the state cookie (its second field), or null. */
  get id() {
    return this.cookies.get('__Host-lp')?.split('.')[1] ?? null;
  }

  get cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** GET `path` at time `at` (epoch ms). Returns { response, body, setCookies }. */
  get(path, at, headers = {}) {
    return this.request('GET', path, at, { headers });
  }

  /** POST an HTML form (application/x-www-form-urlencoded) to `path` at time `at`. */
  postForm(path, fields, at) {
    return this.request('POST', path, at, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  async request(method, path, at, { headers = {}, body } = {}) {
    const all = { 'user-agent': this.userAgent, accept: 'text/html', ...this.headers, ...headers };
    if (at !== undefined) all['x-leadpulse-test-now'] = String(at);
    if (this.cookies.size) all.cookie = this.cookieHeader;
    const response = await fetch(new URL(path, this.base), { method, headers: all, body, redirect: 'manual' });
    const text = await response.text();
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const maxAge = attributes.map((a) => a.trim()).find((a) => /^max-age=/i.test(a));
      if (maxAge && Number(maxAge.split('=')[1]) <= 0) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const delivery = response.headers.get('x-leadpulse-delivery');
    const shadow = response.headers.get('x-leadpulse-shadow');
    const result = {
      response, status: response.status, body: text, setCookies, stage: response.headers.get('x-leadpulse-stage'),
      // The debug headers of tests/edge/config.capnp: how the cookie was read, lead.delivery,
      // lead.shadow.
      cookie: response.headers.get('x-leadpulse-cookie'),
      delivery: delivery ? JSON.parse(delivery) : null,
      shadow: shadow ? JSON.parse(shadow) : null,
    };
    this.responses.push(result);
    return result;
  }
}
