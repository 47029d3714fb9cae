import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lookupCredentials } from './keyring.ts';
import { parseDockerConfigJson, type DockerConfigDocument } from './pull-secret.ts';

/** A document whose every key has the login `user` with password `pw-<user>`. */
function doc(name: string, keys: Record<string, string>): DockerConfigDocument {
  const auths = Object.fromEntries(
    Object.entries(keys).map(([key, user]) => [key, { username: user, password: `pw-${user}` }]),
  );
  return parseDockerConfigJson(`Secret ns/${name}`, JSON.stringify({ auths }));
}

/** `source key user` for each match, for compact tables. */
function order(tiers: DockerConfigDocument[][], host: string, path: string): string[] {
  return lookupCredentials(tiers, host, path).map((m) =>
    m.credentials.kind === 'basic' ? `${m.source} ${m.key} ${m.credentials.username}` : m.source,
  );
}

test('within a tier the most specific key wins across documents; equal keys keep document order', () => {
  const a = doc('a', { 'quay.io': 'a-host' });
  const b = doc('b', { 'quay.io/team': 'b-team', 'quay.io': 'b-host' });
  assert.deepEqual(order([[a, b]], 'quay.io', 'team/app'), [
    'Secret ns/b quay.io/team b-team',
    'Secret ns/a quay.io a-host',
    'Secret ns/b quay.io b-host',
    'anonymous',
  ]);
});

test('tiers never mix: a host-wide key of an earlier tier beats a path key of a later one', () => {
  const pod = doc('pod', { 'quay.io': 'pod' });
  const sa = doc('sa', { 'quay.io/team/app': 'sa' });
  const fallback = doc('fallback', { 'https://index.docker.io/v1/': 'hub', 'quay.io': 'fb' });
  const tiers = [[pod], [sa], [fallback]];
  assert.deepEqual(order(tiers, 'quay.io', 'team/app'), [
    'Secret ns/pod quay.io pod',
    'Secret ns/sa quay.io/team/app sa',
    'Secret ns/fallback quay.io fb',
    'anonymous',
  ]);
  assert.deepEqual(order(tiers, 'docker.io', 'library/nginx'), [
    'Secret ns/fallback docker.io hub',
    'anonymous',
  ]);
  assert.deepEqual(order(tiers, 'ghcr.io', 'o/a'), ['anonymous']);
  assert.deepEqual(order([], 'ghcr.io', 'o/a'), ['anonymous']);
});

test('the same login reached twice is tried once, at its first place', () => {
  const a = doc('a', { 'quay.io/team': 'shared' });
  const b = doc('b', { 'quay.io': 'shared', 'quay.io/team/app': 'other' });
  assert.deepEqual(order([[a], [b, a]], 'quay.io', 'team/app'), [
    'Secret ns/a quay.io/team shared',
    'Secret ns/b quay.io/team/app other',
    'anonymous',
  ]);
});
