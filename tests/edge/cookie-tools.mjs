// The visitor cookie (version 2, docs/edge.md) and the shadow model's cookie (s1) taken apart
// and minted with Node's own crypto, independently of pkg/edge: proves the formats are as
// documented, and makes cookies only a holder of a given secret could make.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';

const key = (secret, label) => Buffer.from(hkdfSync('sha256', secret, 'leadpulse', label, 32));
const mac = (secret, name, payload, domain = 'leadpulse-cookie-v2') =>
  createHmac('sha256', key(secret, 'leadpulse cookie v2 mac')).update(`${domain}|${name}|${payload}`).digest('base64url');
const SHADOW_DOMAIN = 'leadpulse-shadow-v1';

/** A cookie value (without `name=`) opened with `secret`: its fields, meta and state. */
export function openCookie(value, { name, secret }) {
  const [version, visitor, sealed, signature] = value.split('.');
  const bytes = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-ctr', key(secret, 'leadpulse cookie v2 aes'), bytes.subarray(0, 16));
  const plain = Buffer.concat([decipher.update(bytes.subarray(16)), decipher.final()]);
  const newline = plain.indexOf(10);
  const meta = plain.subarray(0, newline).toString('latin1');
  const [expiry, counter, delivered, entry] = meta.split('.');
  return {
    version, visitor, meta, plain,
    signatureOk: signature === mac(secret, name, `${version}.${visitor}.${sealed}`),
    expiry: parseInt(expiry, 36), counter: parseInt(counter, 36), delivered, entry,
    state: plain.subarray(newline + 1).toString('base64url'),
  };
}

/** `name=value` of a validly signed and sealed version 2 cookie with any meta and state. */
export function mintCookie({ name, secret, visitor, meta, state = '' }) {
  const iv = Buffer.alloc(16, 7);
  const cipher = createCipheriv('aes-256-ctr', key(secret, 'leadpulse cookie v2 aes'), iv);
  const plain = Buffer.concat([Buffer.from(`${meta}\n`, 'latin1'), Buffer.from(state, 'base64url')]);
  const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final()]).toString('base64url');
  const payload = `2.${visitor}.${sealed}`;
  return `${name}=${payload}.${mac(secret, name, payload)}`;
}

/** `name=value` of a version 1 cookie as the old edge wrote it (one secret, no sealed meta). */
export function versionOneCookie({ name, secret, visitor, expiry }) {
  const payload = `1.${visitor}.${Math.floor(expiry / 1000).toString(36)}..`;
  return `${name}=${payload}.${createHmac('sha256', secret).update(`leadpulse-state|${name}|${payload}`).digest('base64url')}`;
}

/** A shadow cookie value (without `name=`) opened with `secret`: its fields, meta and state. */
export function openShadowCookie(value, { name, secret }) {
  const [version, visitor, sealed, signature] = value.split('.');
  const bytes = Buffer.from(sealed, 'base64url');
  const decipher = createDecipheriv('aes-256-ctr', key(secret, 'leadpulse cookie v2 aes'), bytes.subarray(0, 16));
  const plain = Buffer.concat([decipher.update(bytes.subarray(16)), decipher.final()]);
  const newline = plain.indexOf(10);
  const meta = plain.subarray(0, newline).toString('latin1');
  const [expiry, counter, history] = meta.split('.');
  return {
    version, visitor, meta,
    signatureOk: signature === mac(secret, name, `${version}.${visitor}.${sealed}`, SHADOW_DOMAIN),
    expiry: parseInt(expiry, 36), counter: parseInt(counter, 36), history,
    state: plain.subarray(newline + 1).toString('base64url'),
  };
}

/** `name=value` of a validly signed and sealed shadow cookie (`domain` to sign under another). */
export function mintShadowCookie({ name, secret, visitor, meta, state = '', version = 's1', domain = SHADOW_DOMAIN }) {
  const iv = Buffer.alloc(16, 9);
  const cipher = createCipheriv('aes-256-ctr', key(secret, 'leadpulse cookie v2 aes'), iv);
  const plain = Buffer.concat([Buffer.from(`${meta}\n`, 'latin1'), Buffer.from(state, 'base64url')]);
  const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final()]).toString('base64url');
  const payload = `${version}.${visitor}.${sealed}`;
  return `${name}=${payload}.${mac(secret, name, payload, domain)}`;
}
