import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNormalizedNamed } from '../../reference/index.ts';
import { globToRegExp, matchingGlob } from './image-glob.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;

test('globToRegExp: * stays within a segment, ** crosses segments, the rest is literal', () => {
  const cases: [glob: string, input: string, matches: boolean][] = [
    ['nginx:*', 'nginx:1.25', true],
    ['nginx:*', 'nginx', false],
    ['quay.io/team/*', 'quay.io/team/app:1', true],
    ['quay.io/team/*', 'quay.io/team/sub/app:1', false],
    ['quay.io/**', 'quay.io/team/sub/app:1', true],
    ['**/app:1', 'quay.io/team/sub/app:1', true],
    ['**/nginx:*', 'nginx:1.25', true],
    ['**/nginx:*', 'mynginx:1.25', false],
    ['quay.io/*', 'quayxio/x', false],
    ['a+b?', 'a+b?', true],
    ['a+b?', 'aab', false],
    ['[ab]', 'a', false],
    ['nginx', 'nginx:1.25', false],
    ['*', 'docker.io/library/nginx', false],
    ['**', 'docker.io/library/nginx', true],
  ];
  for (const [glob, input, matches] of cases) {
    assert.equal(globToRegExp(glob).test(input), matches, `${glob} ~ ${input}`);
  }
});

test('matchingGlob matches the normalised and the familiar form, with and without tag', () => {
  const cases: [image: string, globs: string[], expected: string | undefined][] = [
    ['nginx:1.25', ['docker.io/library/nginx:1.25'], 'docker.io/library/nginx:1.25'],
    ['nginx:1.25', ['nginx:1.25'], 'nginx:1.25'],
    ['docker.io/library/nginx:1.25', ['nginx:*'], 'nginx:*'],
    ['nginx:1.25', ['nginx'], 'nginx'],
    ['nginx:1.25', ['docker.io/library/*'], 'docker.io/library/*'],
    ['nginx:1.25', ['redis:*', 'nginx:1.2*'], 'nginx:1.2*'],
    ['nginx:1.25', ['nginx:1.24', 'quay.io/**'], undefined],
    [`nginx@${DIGEST}`, ['nginx@sha256:*'], 'nginx@sha256:*'],
    ['index.docker.io/bitnami/redis:7', ['bitnami/*'], 'bitnami/*'],
    ['localhost:5000/app:1', ['localhost:5000/**'], 'localhost:5000/**'],
    ['nginx:1.25', [], undefined],
  ];
  for (const [image, globs, expected] of cases) {
    assert.equal(matchingGlob(parseNormalizedNamed(image), globs), expected, `${image} ~ ${globs.join(',')}`);
  }
});
