import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createStore } from '../../pkg-template/tracker/storage.js';
import { captureWarnings, MemoryStorage } from './memory-storage.mjs';

test('keys are prefixed with leadpulse:', () => {
  const ls = new MemoryStorage();
  const s = createStore(() => ls);
  s.writable = true;
  assert.equal(s.set('id', 'v1'), true);
  assert.equal(ls.getItem('leadpulse:id'), 'v1');
  assert.equal(s.get('id'), 'v1');
  s.del('id');
  assert.equal(s.get('id'), null);
});

test('no write at all unless writable, except a forced one (the consent choice)', () => {
  const ls = new MemoryStorage();
  const s = createStore(() => ls);
  assert.equal(s.set('state', 'x'), false);
  assert.equal(ls.writes, 0);
  assert.equal(s.set('consent', 'denied', true), true);
  assert.equal(ls.getItem('leadpulse:consent'), 'denied');
});

test('clear removes only leadpulse: keys, keeping the listed ones', () => {
  const ls = new MemoryStorage();
  for (const k of ['leadpulse:id', 'leadpulse:state', 'leadpulse:consent', 'site:cart']) ls.setItem(k, '1');
  createStore(() => ls).clear(['consent']);
  assert.deepEqual([...ls.map.keys()].sort(), ['leadpulse:consent', 'site:cart']);
});

test('bad JSON is discarded with one warning', async () => {
  const ls = new MemoryStorage();
  ls.setItem('leadpulse:sent', '[oops');
  const s = createStore(() => ls);
  const warned = await captureWarnings(() => {
    assert.equal(s.json('sent'), null);
    assert.equal(s.json('sent'), null);
  });
  assert.equal(warned.length, 1);
  assert.equal(ls.getItem('leadpulse:sent'), null);
});

test('a missing or throwing localStorage never throws', async () => {
  const denied = createStore(() => {
    throw new DOMException('denied', 'SecurityError');
  });
  denied.writable = true;
  assert.equal(denied.get('id'), null);
  assert.equal(denied.set('id', 'x'), false);
  denied.del('id');
  denied.clear([]);
  const full = new MemoryStorage();
  full.setItem = () => {
    throw new DOMException('full', 'QuotaExceededError');
  };
  const s = createStore(() => full);
  s.writable = true;
  const warned = await captureWarnings(() => assert.equal(s.set('state', 'x'), false));
  assert.equal(warned.length, 1);
});
