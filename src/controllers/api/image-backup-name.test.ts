import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MappingError, parseNormalizedNamed } from '../../reference/index.ts';
import { IMAGE_BACKUP_NAME_MAX_LENGTH, imageBackupName } from './image-backup-name.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;
/** What the API server requires of an object name, and of a label value. */
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const nameOf = (ref: string): string => imageBackupName(parseNormalizedNamed(ref));

const LONG_PATH = `${'abcdefghij/'.repeat(22)}${'z'.repeat(13)}`;

/** References that are all different images: every one must get its own name. */
const DISTINCT = [
  'nginx:1.25',
  `nginx@${DIGEST}`,
  `nginx:1.25@${DIGEST}`,
  `nginx:1.25@${OTHER_DIGEST}`,
  'nginx:1-25',
  'nginx:V1',
  'nginx:v1',
  'localhost:5000/x',
  'localhost_5000/x',
  'localhost/5000/x',
  '[::1]:5000/a/b:v',
  'registry.example.com:5000/team/app:2024.01-rc.1',
  'registry.example.com/team/app:2024.01-rc.1',
  'registry.example.com/team.app:2024.01-rc.1',
  'ghcr.io/a/b__c:x..y',
  'ghcr.io/a/b-c:x-y',
  `registry.example.com/${LONG_PATH}:1`,
  `registry.example.com/${LONG_PATH}:2`,
  `registry.example.com/${LONG_PATH}`,
];

/** Pairs that normalise to the same backup source and so must share one object. */
const SAME: [string, string][] = [
  ['nginx', 'nginx:latest'],
  ['nginx', 'docker.io/library/nginx:latest'],
  ['index.docker.io/library/nginx:1.25', 'nginx:1.25'],
  ['Registry.Example.com/x:1', 'registry.example.com/x:1'],
  ['LOCALHOST:5000/x@' + DIGEST, 'localhost:5000/x@' + DIGEST],
];

describe('imageBackupName', () => {
  it('is readable host, path and tag plus a 12-hex hash (a change renames every backup)', () => {
    assert.match(nameOf('nginx:1.25'), /^docker\.io-library-nginx-1\.25-[0-9a-f]{12}$/);
    assert.match(nameOf('localhost:5000/team/app:v2'), /^localhost-5000-team-app-v2-[0-9a-f]{12}$/);
    assert.match(nameOf(`nginx@${DIGEST}`), /^docker\.io-library-nginx-sha256-a+-[0-9a-f]{12}$/);
  });

  it('is the same for the same reference, every time', () => {
    for (const ref of DISTINCT) assert.equal(nameOf(ref), nameOf(ref), ref);
  });

  for (const [a, b] of SAME) {
    it(`gives ${a} and ${b} one name`, () => assert.equal(nameOf(a), nameOf(b)));
  }

  it('gives every distinct reference its own name', () => {
    const names = new Map(DISTINCT.map((ref) => [nameOf(ref), ref]));
    assert.equal(names.size, DISTINCT.length, [...names.keys()].join('\n'));
  });

  it('keeps long references within 63 characters, distinct by the hash', () => {
    const ref = `registry.example.com/${LONG_PATH}:1`;
    assert.equal(parseNormalizedNamed(ref).path.length, 255);
    const name = nameOf(ref);
    assert.equal(name.length, IMAGE_BACKUP_NAME_MAX_LENGTH);
    assert.notEqual(name, nameOf(`registry.example.com/${LONG_PATH}:2`));
  });

  it('is always a DNS-1123 subdomain and a label value', () => {
    const refs = [...DISTINCT, ...SAME.flat()];
    // Cuts at every length, so the readable part ends on each kind of character once.
    for (let n = 1; n <= 60; n++)
      refs.push(
        `ghcr.io/${'a.b-c__d'
          .repeat(8)
          .slice(0, n)
          .replace(/[._-]+$/, '')}:x`,
      );
    for (const ref of refs) {
      const name = nameOf(ref);
      assert.match(name, DNS_1123_SUBDOMAIN, `${ref} → ${name}`);
      assert.match(name, LABEL_VALUE, `${ref} → ${name}`);
      assert.ok(name.length <= IMAGE_BACKUP_NAME_MAX_LENGTH, `${ref} → ${name}`);
    }
  });

  it('refuses a reference mapping refuses: an uppercase host Docker would read as a Hub path', () => {
    assert.throws(
      () => nameOf('Foo/bar:1'),
      (e: unknown) => e instanceof MappingError && e.code === 'MAPPING_INVALID_SOURCE',
    );
  });
});
