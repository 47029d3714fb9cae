import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sleep } from './sleep.ts';

describe('sleep', () => {
  it('rejects with the abort reason and clears its timer when the signal aborts', async () => {
    const ac = new AbortController();
    const p = sleep(60_000, ac.signal);
    const reason = new Error('stop');
    ac.abort(reason);
    await assert.rejects(p, (err) => err === reason);
    await assert.rejects(sleep(1, ac.signal), (err) => err === reason);
    await sleep(1);
  });
});
