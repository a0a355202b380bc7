// Options: `start(options)` for bundlers, or data-* attributes on the script tag.

/**
 * @typedef {import('../leadpulse.js').StartOptions} StartOptions
 * @typedef {import('../leadpulse.js').CaptureOptions} CaptureOptions
 * @typedef {{
 *   model: StartOptions['model'], shadow: StartOptions['shadow'], wasm: StartOptions['wasm'], edge: boolean | undefined,
 *   endpoint: string, consent: StartOptions['consent'],
 *   respectDoNotTrack: boolean, ignoreWebdriver: boolean, engagementInterval: number,
 *   capture: Required<CaptureOptions>
 * }} Options
 */

/** @type {(keyof CaptureOptions)[]} */
export const CAPTURES = ['pages', 'engagement', 'scroll', 'clicks', 'touches'];

/**
 * Options from the script tag's attributes: data-model, data-shadow-model, data-wasm, data-edge, data-endpoint, data-consent,
 * data-respect-dnt="false", data-ignore-webdriver, data-engagement-interval (seconds),
 * data-capture-pages|engagement|scroll|clicks|touches="false".
 * A boolean attribute is true when present with any value but "false".
 * @param {(name: string) => string | null} attr  e.g. el.getAttribute.bind(el)
 * @returns {StartOptions}
 */
export function fromAttributes(attr) {
  /** @param {string} n */
  const a = (n) => attr('data-' + n) ?? undefined;
  /** @param {string} n */
  const flag = (n) => {
    const v = a(n);
    return v === undefined ? undefined : v !== 'false';
  };
  /** @type {CaptureOptions} */
  const capture = {};
  for (const c of CAPTURES) capture[c] = flag('capture-' + c);
  const consent = a('consent');
  return {
    model: a('model'),
    shadow: a('shadow-model'),
    wasm: a('wasm'),
    edge: flag('edge'),
    endpoint: a('endpoint'),
    consent: consent === 'granted' || consent === 'denied' ? consent : undefined,
    respectDoNotTrack: flag('respect-dnt'),
    ignoreWebdriver: flag('ignore-webdriver'),
    engagementInterval: Number(a('engagement-interval')) || undefined,
    capture,
  };
}

/**
 * Fills in the defaults: every capture on, DNT/GPC respected, engagement flushed every 15 s.
 * @param {StartOptions} o
 * @returns {Options}
 */
export function withDefaults(o) {
  const c = o.capture || {};
  /** @type {Required<CaptureOptions>} */
  const capture = { pages: true, engagement: true, scroll: true, clicks: true, touches: true };
  for (const k of CAPTURES) if (c[k] === false) capture[k] = false;
  const every = Number(o.engagementInterval);
  return {
    model: o.model,
    shadow: o.shadow,
    wasm: o.wasm,
    edge: typeof o.edge === 'boolean' ? o.edge : undefined,
    endpoint: typeof o.endpoint === 'string' ? o.endpoint : '',
    consent: o.consent,
    respectDoNotTrack: o.respectDoNotTrack !== false,
    ignoreWebdriver: o.ignoreWebdriver === true,
    engagementInterval: every >= 1 ? every : 15,
    capture,
  };
}
