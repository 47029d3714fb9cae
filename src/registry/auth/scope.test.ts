import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeScopes, parseScope, pullScope, pushScope, scopeKey, scopesCover } from './scope.ts';

test('parseScope splits at the first and last colon so names with host:port survive', () => {
  const table = [
    {
      scope: 'repository:library/nginx:pull',
      want: { type: 'repository', name: 'library/nginx', actions: ['pull'] },
    },
    {
      scope: 'repository:localhost:5000/foo/bar:pull,push',
      want: { type: 'repository', name: 'localhost:5000/foo/bar', actions: ['pull', 'push'] },
    },
    { scope: 'registry:catalog:*', want: { type: 'registry', name: 'catalog', actions: ['*'] } },
    { scope: 'nonsense', want: undefined },
    { scope: 'a:b', want: undefined },
  ];
  for (const { scope, want } of table) assert.deepEqual(parseScope(scope), want, scope);
});

test('mergeScopes puts the scopes a server asked for first and drops duplicates', () => {
  const table = [
    {
      wanted: ['repository:src:pull'],
      current: ['repository:dst:pull,push'],
      want: ['repository:src:pull', 'repository:dst:pull,push'],
    },
    {
      wanted: ['repository:dst:pull,push', 'repository:src:pull'],
      current: ['repository:dst:pull,push'],
      want: ['repository:dst:pull,push', 'repository:src:pull'],
    },
    { wanted: [], current: ['a:b:pull'], want: ['a:b:pull'] },
    { wanted: ['', 'a:b:pull', 'a:b:pull'], current: [], want: ['a:b:pull'] },
  ];
  for (const { wanted, current, want } of table) assert.deepEqual(mergeScopes(wanted, current), want);
});

test('scopeKey ignores order and duplicates', () => {
  assert.equal(scopeKey(['b:x:pull', 'a:y:push', 'b:x:pull']), scopeKey(['a:y:push', 'b:x:pull']));
  assert.notEqual(scopeKey(['a:y:push']), scopeKey(['a:y:pull']));
});

test('scopesCover accepts supersets of actions on the same resource only', () => {
  assert.equal(scopesCover([pushScope('a')], [pullScope('a')]), true);
  assert.equal(scopesCover([pullScope('a')], [pushScope('a')]), false);
  assert.equal(scopesCover([pushScope('a')], [pullScope('b')]), false);
  assert.equal(scopesCover(['registry:catalog:*'], ['registry:catalog:list']), true);
});
