import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEmitter } from '../../pkg-template/tracker/emitter.js';
import { safe } from '../../pkg-template/tracker/guard.js';
import { captureWarnings } from './memory-storage.mjs';

test('on returns an unsubscribe function', () => {
  const em = createEmitter();
  const got = [];
  const off = em.on('snapshot', (s) => got.push(s));
  em.emit('snapshot', 1);
  off();
  em.emit('snapshot', 2);
  assert.deepEqual(got, [1]);
});

test('a throwing listener is reported once and does not stop the others', async () => {
  const em = createEmitter();
  const got = [];
  em.on('stage', () => {
    throw new Error('host bug');
  });
  em.on('stage', (s) => got.push(s));
  const warned = await captureWarnings(() => {
    em.emit('stage', 'a');
    em.emit('stage', 'b');
  });
  assert.deepEqual(got, ['a', 'b']);
  assert.ok(warned.length <= 1);
});

test('safe() turns a throw into the fallback', () => {
  const f = safe(() => {
    throw new Error('x');
  }, 42);
  assert.equal(f(), 42);
});
