// An RFC 6902 applier that behaves as the API server's for the operations lifeboat sends, so unit
// tests can apply a planned patch to an object (and see a stale one refused) without a server.
import assert from 'node:assert/strict';
import type { JsonPatchOp } from '../api/workload-types.ts';

/**
 * Applies a JSON patch as the API server does (evanphx/json-patch v4): all or nothing; `test` of
 * `null` passes on a missing member; `add` on an existing member replaces it; `replace` and `remove`
 * need the member. Throws on the first failing operation.
 */
export function applyPatch<T>(doc: T, ops: readonly JsonPatchOp[]): T {
  const root = structuredClone(doc) as unknown;
  for (const op of ops) {
    const tokens = op.path
      .split('/')
      .slice(1)
      .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
    const key = tokens.pop();
    let parent: unknown = root;
    for (const token of tokens) parent = (parent as Record<string, unknown> | undefined)?.[token];
    if (key === undefined || parent === null || typeof parent !== 'object')
      throw new Error(`missing path ${op.path}`);
    const container = parent as Record<string, unknown>;
    const has = Object.hasOwn(container, key);
    switch (op.op) {
      case 'test':
        if (has ? !isDeepEqual(container[key], op.value) : op.value !== null)
          throw new Error(`test failed ${op.path}`);
        break;
      case 'add':
        if (Array.isArray(container) && key === '-') container.push(op.value);
        else container[key] = op.value;
        break;
      case 'replace':
        if (!has) throw new Error(`replace of missing ${op.path}`);
        container[key] = op.value;
        break;
      case 'remove':
        if (!has) throw new Error(`remove of missing ${op.path}`);
        delete container[key];
        break;
    }
  }
  return root as T;
}

function isDeepEqual(a: unknown, b: unknown): boolean {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}
