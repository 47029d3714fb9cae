import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNormalizedNamed } from '../reference/index.ts';
import { copyTargetReference, imageLocation } from './image-location.ts';
import type { RegistryClient } from './model/types.ts';

const D = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;

test('imageLocation reads by digest when there is one, else by tag, else latest', () => {
  const client = {} as RegistryClient;
  const table: [ref: string, repository: string, reference: string][] = [
    ['nginx', 'library/nginx', 'latest'],
    ['quay.io/a/b:1.2', 'a/b', '1.2'],
    [`quay.io/a/b:1.2@${D}`, 'a/b', D],
    [`r.example:5000/a@${D}`, 'a', D],
  ];
  for (const [ref, repository, reference] of table) {
    const location = imageLocation(client, parseNormalizedNamed(ref));
    assert.equal(location.client, client);
    assert.deepEqual(
      { repository: location.repository, reference: location.reference },
      { repository, reference },
      ref,
    );
  }
});

test("copyTargetReference: the target's digest or tag, else the source's tag, else its digest", () => {
  const table: [source: string, target: string, want: string][] = [
    ['a/b:1', 'r.example/c', '1'],
    ['a/b:1', 'r.example/c:2', '2'],
    ['a/b:1', `r.example/c@${D2}`, D2],
    [`a/b:1@${D}`, 'r.example/c', '1'],
    [`a/b@${D}`, 'r.example/c', D],
    ['a/b', 'r.example/c', 'latest'],
  ];
  for (const [source, target, want] of table) {
    assert.equal(copyTargetReference(parseNormalizedNamed(source), parseNormalizedNamed(target)), want);
  }
});
