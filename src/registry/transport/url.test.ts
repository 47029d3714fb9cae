import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveLocation, withQuery } from './url.ts';

test('resolveLocation handles relative, absolute and query-carrying Locations', () => {
  const base = 'https://reg.example/v2/foo/blobs/uploads/';
  const table: [string, string][] = [
    ['/v2/foo/blobs/uploads/abc?_state=xyz', 'https://reg.example/v2/foo/blobs/uploads/abc?_state=xyz'],
    ['abc', 'https://reg.example/v2/foo/blobs/uploads/abc'],
    ['https://storage.example/upload/1?sig=s', 'https://storage.example/upload/1?sig=s'],
  ];
  for (const [location, want] of table) assert.equal(resolveLocation(base, location).toString(), want);
});

test('withQuery appends digest to a URL that may already have a query', () => {
  const digest = 'sha256:' + 'a'.repeat(64);
  assert.equal(
    withQuery('https://r/v2/x/blobs/uploads/u?_state=s%3D', { digest }).toString(),
    `https://r/v2/x/blobs/uploads/u?_state=s%3D&digest=sha256%3A${'a'.repeat(64)}`,
  );
  assert.equal(withQuery('https://r/u', { digest }).searchParams.get('digest'), digest);
});
