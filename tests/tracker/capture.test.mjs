import assert from 'node:assert/strict';
import { test } from 'node:test';
import { annotationProps, externalReferrer, routePath, utmSearch } from '../../pkg-template/tracker/capture.js';

test('route path: pathname, with hash routes appended', () => {
  assert.equal(routePath({ pathname: '/pricing', hash: '' }), '/pricing');
  assert.equal(routePath({ pathname: '/pricing', hash: '#plans' }), '/pricing', 'an anchor is not a route');
  assert.equal(routePath({ pathname: '/', hash: '#/pricing' }), '/pricing');
  assert.equal(routePath({ pathname: '/app/', hash: '#!/demo?x=1' }), '/app/demo');
});

test('only UTM parameters are kept from the query string', () => {
  assert.equal(utmSearch('?utm_source=google&email=a%40b.c&utm_campaign=q4'), '?utm_source=google&utm_campaign=q4');
  assert.equal(utmSearch('?q=1'), '');
  assert.equal(utmSearch(''), '');
});

test('referrer: the origin of another site only', () => {
  assert.equal(externalReferrer('https://www.google.com/search?q=crm', 'acme.test'), 'https://www.google.com');
  assert.equal(externalReferrer('https://acme.test/blog', 'acme.test'), '');
  assert.equal(externalReferrer('', 'acme.test'), '');
  assert.equal(externalReferrer('not a url', 'acme.test'), '');
});

test('data-leadpulse-* attributes become snake_case properties', () => {
  const props = annotationProps([
    { name: 'data-leadpulse-event', value: 'Asset Downloaded' },
    { name: 'data-leadpulse-asset-type', value: 'case_study' },
    { name: 'data-leadpulse-plan', value: 'pro' },
    { name: 'class', value: 'btn' },
    { name: 'data-other', value: 'x' },
  ]);
  assert.deepEqual(props, { asset_type: 'case_study', plan: 'pro' });
});
