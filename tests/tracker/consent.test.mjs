import assert from 'node:assert/strict';
import { test } from 'node:test';
import { browserOptOut, resolveConsent } from '../../pkg-template/tracker/consent.js';

test('DNT "1" and GPC true are browser opt-outs', () => {
  assert.equal(browserOptOut({ doNotTrack: '1' }), true);
  assert.equal(browserOptOut({ globalPrivacyControl: true }), true);
  assert.equal(browserOptOut({ doNotTrack: '0', globalPrivacyControl: false }), false);
  assert.equal(browserOptOut({ doNotTrack: null }), false);
  assert.equal(browserOptOut({ doNotTrack: 'unspecified' }), false);
  assert.equal(browserOptOut({}), false);
});

test('pending by default', () => {
  assert.equal(resolveConsent({ optOut: false, respectDoNotTrack: true, stored: null }), 'pending');
  assert.equal(resolveConsent({ optOut: false, respectDoNotTrack: true, stored: 'garbage', initial: 'maybe' }), 'pending');
});

test('a respected opt-out means denied, whatever was stored or configured', () => {
  for (const stored of [null, 'granted', 'denied'])
    for (const initial of [undefined, 'granted'])
      assert.equal(resolveConsent({ optOut: true, respectDoNotTrack: true, stored, initial }), 'denied');
});

test('respectDoNotTrack: false lets the stored choice or the option decide', () => {
  assert.equal(resolveConsent({ optOut: true, respectDoNotTrack: false, stored: null }), 'pending');
  assert.equal(resolveConsent({ optOut: true, respectDoNotTrack: false, stored: 'granted' }), 'granted');
  assert.equal(resolveConsent({ optOut: true, respectDoNotTrack: false, stored: null, initial: 'granted' }), 'granted');
});

test('a stored choice wins over the consent option', () => {
  assert.equal(resolveConsent({ optOut: false, respectDoNotTrack: true, stored: 'denied', initial: 'granted' }), 'denied');
  assert.equal(resolveConsent({ optOut: false, respectDoNotTrack: true, stored: 'granted', initial: 'denied' }), 'granted');
  assert.equal(resolveConsent({ optOut: false, respectDoNotTrack: true, stored: null, initial: 'granted' }), 'granted');
});
