import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromAttributes, withDefaults } from '../../pkg-template/tracker/options.js';

const attrs = (o) => (name) => (name in o ? o[name] : null);

test('defaults: everything captured, DNT respected, 15 s engagement flush', () => {
  assert.deepEqual(withDefaults({}), {
    model: undefined,
    shadow: undefined,
    wasm: undefined,
    edge: undefined,
    endpoint: '',
    consent: undefined,
    respectDoNotTrack: true,
    ignoreWebdriver: false,
    engagementInterval: 15,
    capture: { pages: true, engagement: true, scroll: true, clicks: true, touches: true },
  });
});

test('script-tag attributes', () => {
  const o = withDefaults(
    fromAttributes(
      attrs({
        'data-model': '/model.lpm',
        'data-shadow-model': '/challenger.lpm',
        'data-wasm': '/assets/engine.wasm',
        'data-edge': '',
        'data-endpoint': '/collect',
        'data-consent': 'granted',
        'data-respect-dnt': 'false',
        'data-ignore-webdriver': '',
        'data-engagement-interval': '5',
        'data-capture-scroll': 'false',
        'data-capture-touches': 'false',
      }),
    ),
  );
  assert.deepEqual(o, {
    model: '/model.lpm',
    shadow: '/challenger.lpm',
    wasm: '/assets/engine.wasm',
    edge: true,
    endpoint: '/collect',
    consent: 'granted',
    respectDoNotTrack: false,
    ignoreWebdriver: true,
    engagementInterval: 5,
    capture: { pages: true, engagement: true, scroll: false, clicks: true, touches: false },
  });
});

test('unknown or odd values fall back to defaults', () => {
  const o = withDefaults(fromAttributes(attrs({ 'data-consent': 'yes', 'data-engagement-interval': 'soon', 'data-respect-dnt': 'true' })));
  assert.equal(o.consent, undefined);
  assert.equal(o.engagementInterval, 15);
  assert.equal(o.respectDoNotTrack, true);
});
