import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MockAgent } from 'undici';
import { createRegistryClient } from '../client.ts';
import { RegistryError, TooManyRequestsError } from '../model/errors.ts';
import { createUploadRestartWait } from './upload-restarts.ts';

const fields = { registry: 'reg.example', repository: 'a', digest: `sha256:${'a'.repeat(64)}` };
const unavailable = (): RegistryError =>
  new RegistryError('PATCH answered 503', { ...fields, status: 503, temporary: true });

/** A restart wait whose sleeps are recorded, not slept; jitter 0 (the shortest backoff). */
function recorded() {
  const waits: number[] = [];
  const wait = createUploadRestartWait({
    random: () => 0,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  return { wait, waits };
}

describe('waitToRestartUpload', () => {
  it('waits out a Retry-After, then backs off on temporary errors, until four tries have failed', async () => {
    const { wait, waits } = recorded();
    const throttled = new TooManyRequestsError('PUT answered 429', {
      ...fields,
      status: 429,
      retryAfterMs: 120,
    });
    assert.equal(await wait(1, throttled), true);
    assert.equal(await wait(2, unavailable()), true);
    assert.equal(await wait(3, unavailable()), true);
    assert.equal(await wait(4, unavailable()), false);
    assert.deepEqual(waits, [120, 250, 500]);
  });

  it('does not wait after an error that is not temporary, but still counts the try', async () => {
    const { wait, waits } = recorded();
    const refused = new RegistryError('PUT answered 413', { ...fields, status: 413, temporary: false });
    assert.equal(await wait(1, refused), true);
    assert.equal(await wait(4, refused), false);
    assert.deepEqual(waits, []);
  });

  it('rejects with the signal’s reason once it has aborted', async () => {
    const { wait } = recorded();
    const reason = new Error('copy cancelled');
    await assert.rejects(wait(1, unavailable(), { signal: AbortSignal.abort(reason) }), (e) => e === reason);
  });

  it('is the client’s, waiting through the sleep the client was given', async (t) => {
    const agent = new MockAgent();
    agent.disableNetConnect();
    t.after(() => agent.close());
    const waits: number[] = [];
    const client = createRegistryClient({
      host: 'reg.example',
      dispatcher: agent,
      retry: { attempts: 1 },
      random: () => 0,
      sleep: (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    });
    // The `retry` option paces single requests; restarts keep their own budget.
    assert.equal(await client.waitToRestartUpload(1, unavailable()), true);
    assert.deepEqual(waits, [125]);
  });
});
