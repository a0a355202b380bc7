// The request a form becomes (pkg-template/request.js): the same traits as the core from the
// shared fixture, and what the contract needs (tests/fixtures/request/, src/core/request/).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildRequest, formEvent, formName, nested, printable, problem, readForm, requestId, traits } from '../../pkg-template/request.js';

const fixture = (name) => JSON.parse(readFileSync(new URL(`../fixtures/request/${name}`, import.meta.url), 'utf8'));

test('form fields fill the same traits as in the core (shared fixture)', () => {
  for (const { fields, traits: want } of fixture('traits.json').cases) assert.deepEqual(traits(fields), want, JSON.stringify(fields));
  assert.deepEqual(nested({ email: 'a@b.c', 'company.name': 'Acme', 'company.employee_count': 5 }),
    { email: 'a@b.c', company: { name: 'Acme', employee_count: 5 } });
});

test('a request is built to the contract of the shared fixture', () => {
  const valid = fixture('valid.json');
  const built = buildRequest({ id: valid.id, form: 'Demo', page: '/demo?utm_source=x#top', at: Date.parse(valid.at), fields: valid.fields, runtime: 'browser' });
  assert.deepEqual(built, valid);
  const withConsent = buildRequest({ ...valid, at: 0, visitor: 'anon-1' });
  assert.equal(withConsent.basis, 'consent');
  assert.equal(withConsent.visitor, 'anon-1');
  assert.match(requestId((b) => b.fill(171)), /^rq_(ab){8}$/);
});

test('what a visitor typed: hidden LeadPulse fields apart, files and empty values out, text printable and bounded', () => {
  const typed = readForm([
    ['leadpulse-form', ' demo '], ['leadpulse-next', '/thanks'], ['name', 'Dana'], ['empty', '  '],
    ['file', { name: 'cv.pdf' }], ['bad name!', 'x'], ['message', 'a\r\nb\u202e\tc\u0000'], ['long', 'é'.repeat(1500)],
  ]);
  assert.deepEqual(Object.keys(typed.fields), ['name', 'message', 'long']);
  assert.equal(typed.fields.message, 'a\nb c');
  assert.equal(new TextEncoder().encode(typed.fields.long).length, 2000);
  assert.deepEqual([typed.form, typed.next], ['demo', '/thanks']);
  assert.equal(printable('ok\ttab'), 'ok tab');
  assert.equal(formName('Demo Request!'), 'demo-request-');
  assert.equal(formName(''), 'contact');
});

test('a request needs an e-mail address; the engine hears of it by the model names', () => {
  const base = { id: 'rq_0000000000000001', form: 'contact', page: '/', at: 0, runtime: 'browser' };
  assert.match(problem(buildRequest({ ...base, fields: { name: 'x' } })), /e-mail address is needed/);
  assert.match(problem(buildRequest({ ...base, fields: { email: 'nope' } })), /not valid/);
  assert.equal(problem(buildRequest({ ...base, fields: { email: 'a@b.example' } })), null);
  assert.deepEqual(formEvent('demo'), { event: 'Demo Requested', properties: { form: 'demo' } });
  assert.deepEqual(formEvent('trial'), { event: 'Trial Requested', properties: { form: 'trial' } });
  assert.deepEqual(formEvent('contact'), { event: 'Form Submitted', properties: { form: 'contact' } });
  assert.deepEqual(formEvent('demo', 'Sales Call Booked'), { event: 'Sales Call Booked', properties: { form: 'demo' } });
});
