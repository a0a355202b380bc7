// The edge's two secrets, one per role, and the keys derived from them.
//
//   LEADPULSE_COOKIE_SECRET  (option `cookieSecret`): known to the edge only. Two keys are
//     derived from it with HKDF-SHA256 (salt "leadpulse"), each under its own label, so that
//     neither reveals the other: the cookie's HMAC key ("leadpulse cookie v2 mac") and the
//     AES-256 key that encrypts the state inside it ("leadpulse cookie v2 aes").
//   LEADPULSE_SIGNING_SECRET (option `signingSecret`): shared with the collector
//     (`leadpulse serve --signing-secret`); the raw HMAC-SHA256 key of X-LeadPulse-Signature.
//
//   LEADPULSE_PREVIOUS_COOKIE_SECRET (option `previousCookieSecret`): during a rotation of the
//     cookie secret, the one it replaced; cookies it keyed are still read (rotation.js). Absent
//     or empty: none.
//
// They must differ: whoever verifies summaries holds the signing secret, and with one secret
// for both it could mint cookies (any state, any stage, any lifetime) for any visitor.
// Keys are imported on first use inside a request and cached per secret.

const encoder = new TextEncoder();
const SALT = 'leadpulse';
const MAC_LABEL = 'leadpulse cookie v2 mac';
const AES_LABEL = 'leadpulse cookie v2 aes';
const MAX_CACHED = 8;
const cookieCache = new Map();
const signingCache = new Map();

/** Shortest secret accepted: shorter ones make the cookie MAC and summary signature guessable. */
export const MIN_SECRET_LENGTH = 16;

/** A configuration problem: the request passes through and the message says what to fix. */
export class LeadPulseConfigError extends TypeError {
  constructor(message) {
    super(message);
    this.name = 'LeadPulseConfigError';
  }
}

const SPLIT = 'LEADPULSE_SECRET was split into LEADPULSE_COOKIE_SECRET (signs and encrypts the '
  + 'visitor cookie; the edge only) and LEADPULSE_SIGNING_SECRET (signs forwarded summaries; the '
  + "collector's --signing-secret), because with one secret whoever verifies summaries could also "
  + 'mint visitor cookies. Set both, different, at least 16 characters each '
  + '(options cookieSecret / signingSecret)';

function checkLength(name, value) {
  if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) {
    throw new LeadPulseConfigError(`${name} must be a string of at least ${MIN_SECRET_LENGTH} characters`);
  }
}

/**
 * The secrets for this request, checked. `signing` is only required when summaries are
 * forwarded. Throws a LeadPulseConfigError (missing, short, equal, or the old single secret).
 * @returns {{ cookie: string, previousCookie: string | null, signing: string | null }}
 */
export function resolveSecrets(options, env, { forwarding }) {
  const cookie = options.cookieSecret ?? env.LEADPULSE_COOKIE_SECRET;
  const signing = options.signingSecret ?? env.LEADPULSE_SIGNING_SECRET;
  const previous = options.previousCookieSecret ?? env.LEADPULSE_PREVIOUS_COOKIE_SECRET;
  const legacy = options.secret ?? env.LEADPULSE_SECRET;
  if (legacy !== undefined && (cookie === undefined || (forwarding && signing === undefined))) {
    throw new LeadPulseConfigError(SPLIT);
  }
  if (cookie === undefined) {
    throw new LeadPulseConfigError('LEADPULSE_COOKIE_SECRET (option cookieSecret) is not set: the visitor cookie cannot be signed');
  }
  checkLength('LEADPULSE_COOKIE_SECRET (option cookieSecret)', cookie);
  if (forwarding && signing === undefined) {
    throw new LeadPulseConfigError('LEADPULSE_SIGNING_SECRET (option signingSecret) is not set: summaries for LEADPULSE_ENDPOINT cannot be signed');
  }
  if (signing !== undefined) {
    checkLength('LEADPULSE_SIGNING_SECRET (option signingSecret)', signing);
    if (signing === cookie) {
      throw new LeadPulseConfigError('LEADPULSE_COOKIE_SECRET and LEADPULSE_SIGNING_SECRET must differ: '
        + 'the collector holds the signing secret, and with the same value it could mint visitor cookies');
    }
  }
  const previousCookie = previous === undefined || previous === null || previous === '' ? null : previous;
  if (previousCookie !== null) checkPrevious(previousCookie, cookie, signing);
  return { cookie, previousCookie, signing: signing ?? null };
}

/** The previous cookie secret obeys the cookie secret's rules, and is neither current secret. */
function checkPrevious(previous, cookie, signing) {
  const name = 'LEADPULSE_PREVIOUS_COOKIE_SECRET (option previousCookieSecret)';
  checkLength(name, previous);
  if (previous === cookie) {
    throw new LeadPulseConfigError(`${name} equals LEADPULSE_COOKIE_SECRET: set the new secret as `
      + 'LEADPULSE_COOKIE_SECRET and the one it replaces as the previous one');
  }
  if (previous === signing) {
    throw new LeadPulseConfigError(`${name} and LEADPULSE_SIGNING_SECRET must differ: the collector holds the `
      + 'signing secret, and with the same value it could mint visitor cookies');
  }
}

function cached(cache, secret, make) {
  let value = cache.get(secret);
  if (!value) {
    if (cache.size >= MAX_CACHED) cache.clear();
    value = make();
    // NOTE: a rejected import must not stay cached.
    value.catch(() => cache.delete(secret));
    cache.set(secret, value);
  }
  return value;
}

/** The cookie's HMAC and AES keys, derived from the cookie secret. */
export function cookieKeys(secret) {
  return cached(cookieCache, secret, async () => {
    const base = await crypto.subtle.importKey('raw', encoder.encode(secret), 'HKDF', false, ['deriveKey']);
    const derive = (label, algorithm, usages) => crypto.subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt: encoder.encode(SALT), info: encoder.encode(label) },
      base, algorithm, false, usages,
    );
    const [mac, aes] = await Promise.all([
      derive(MAC_LABEL, { name: 'HMAC', hash: 'SHA-256', length: 256 }, ['sign', 'verify']),
      derive(AES_LABEL, { name: 'AES-CTR', length: 256 }, ['encrypt', 'decrypt']),
    ]);
    return { mac, aes };
  });
}

/** The HMAC-SHA256 key of summary signatures: the signing secret itself, as the collector uses it. */
export function signingKey(secret) {
  return cached(signingCache, secret, () => crypto.subtle.importKey(
    'raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'],
  ));
}

/** HMAC-SHA256 of `data` (text or bytes) under `key`. @returns {Promise<Uint8Array>} */
export async function hmacSign(key, data) {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, bytes));
}

/** Constant-time check of an HMAC-SHA256 `signature` over `data` (WebCrypto's verify). */
export function hmacVerify(key, signature, data) {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return crypto.subtle.verify('HMAC', key, signature, bytes);
}
