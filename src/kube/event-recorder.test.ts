import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Registry } from 'prom-client';
import { KubeApiError } from './api-client-errors.ts';
import type { KubeRequester, RawRequestOptions } from './api-client.ts';
import type { EventBody } from './event-body.ts';
import { createEventRecorder, type EventRecorderOptions } from './event-recorder.ts';
import type { KubeObject } from './store.ts';
import { createFakeClock } from './workqueue/fake-clock.ts';

type Call = RawRequestOptions & { body?: unknown };

/** Records every call; `answer` decides each one (default: success). */
function fakeApi(answer: (req: Call) => unknown = () => ({})) {
  const calls: Call[] = [];
  const api: KubeRequester = {
    request: () => Promise.reject(new Error('no streams here')),
    requestJson: <T>(req: Call) => {
      calls.push(req);
      return Promise.resolve(answer(req)) as Promise<T>;
    },
  };
  return { api, calls, posts: () => calls.filter((c) => c.method === 'POST') };
}

/** Lets queued promise continuations run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await yieldToLoop();
}

const WALL = Date.UTC(2026, 11, 2, 4, 42, 10) + 123.456;
const cm: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cm', namespace: 'ns', uid: 'u-1', resourceVersion: '7' },
};
const started = { type: 'Normal', reason: 'BackupStarted', action: 'Backup', note: 'copying' } as const;

function setup(api: KubeRequester, extra: Partial<EventRecorderOptions> = {}) {
  const clock = createFakeClock();
  const registry = new Registry();
  const recorder = createEventRecorder({
    api,
    identity: 'pod-a',
    clock,
    wallClock: () => WALL + clock.now(),
    registry,
    ...extra,
  });
  const dropped = async (reason: string) =>
    (await registry.getSingleMetric('lifeboat_events_dropped_total')?.get())?.values.find(
      (v) => v.labels.reason === reason,
    )?.value ?? 0;
  return { clock, recorder, dropped };
}

describe('event recorder', () => {
  it('creates an events.k8s.io/v1 Event in the regarding object namespace with the API fields', async () => {
    const f = fakeApi();
    const { recorder } = setup(f.api);
    recorder.record(cm, started);
    await settle();
    assert.equal(f.calls.length, 1);
    const call = f.calls[0]!;
    assert.equal(call.method, 'POST');
    assert.equal(call.path, '/apis/events.k8s.io/v1/namespaces/ns/events');
    const body = call.body as EventBody;
    assert.match(body.metadata.name, /^cm\.[0-9a-f]+$/);
    assert.deepEqual(
      { ...body, metadata: { namespace: body.metadata.namespace } },
      {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { namespace: 'ns' },
        eventTime: '2026-12-02T04:42:10.123456Z',
        reportingController: 'lifeboat.dev/lifeboat',
        reportingInstance: 'pod-a',
        action: 'Backup',
        reason: 'BackupStarted',
        note: 'copying',
        type: 'Normal',
        regarding: {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          name: 'cm',
          namespace: 'ns',
          uid: 'u-1',
          resourceVersion: '7',
        },
      },
    );
  });

  it('puts Events of cluster-scoped objects in the default namespace', async () => {
    const f = fakeApi();
    const { recorder } = setup(f.api, { reportingController: 'example.com/other' });
    recorder.record({ apiVersion: 'v1', kind: 'Namespace', name: 'team-a' }, started);
    await settle();
    assert.equal(f.calls[0]?.path, '/apis/events.k8s.io/v1/namespaces/default/events');
    assert.equal((f.calls[0]?.body as EventBody).reportingController, 'example.com/other');
  });

  it('aggregates repeats into one series: the first repeat at once, later ones coalesced per interval', async () => {
    const f = fakeApi();
    const { clock, recorder } = setup(f.api, { seriesUpdateIntervalMs: 30_000 });
    recorder.record(cm, started);
    await settle();
    clock.step(1_000);
    recorder.record(cm, { ...started, related: undefined });
    clock.step(0);
    await settle();
    assert.equal(f.posts().length, 1, 'one Event object');
    const first = f.calls[1]!;
    const name = (f.calls[0]!.body as EventBody).metadata.name;
    assert.equal(first.method, 'PATCH');
    assert.equal(first.path, `/apis/events.k8s.io/v1/namespaces/ns/events/${name}`);
    assert.equal(first.contentType, 'application/merge-patch+json');
    assert.deepEqual(first.body, { series: { count: 2, lastObservedTime: '2026-12-02T04:42:11.123456Z' } });

    for (let i = 0; i < 5; i++) recorder.record(cm, started);
    clock.step(29_000);
    await settle();
    assert.equal(f.calls.length, 2, 'no PATCH before the interval has passed');
    clock.step(1_000);
    await settle();
    assert.equal(f.calls.length, 3);
    assert.deepEqual(f.calls[2]!.body, {
      series: { count: 7, lastObservedTime: '2026-12-02T04:42:11.123456Z' },
    });

    recorder.record(cm, started);
    await recorder.flush();
    assert.equal(f.calls.length, 4, 'flush sends the pending count at once');
    assert.equal((f.calls[3]!.body as { series: { count: number } }).series.count, 8);
    assert.equal(f.posts().length, 1);
  });

  it('starts a new Event after the series window, or for another note, type or object', async () => {
    const f = fakeApi();
    const { clock, recorder } = setup(f.api, { seriesWindowMs: 60_000 });
    recorder.record(cm, started);
    recorder.record(cm, { ...started, note: 'other' });
    recorder.record(cm, { ...started, type: 'Warning' });
    recorder.record({ ...cm, metadata: { ...cm.metadata, name: 'cm2', uid: 'u-2' } }, started);
    await settle();
    assert.equal(f.posts().length, 4);
    clock.step(60_001);
    recorder.record(cm, started);
    await recorder.flush();
    assert.equal(f.posts().length, 5, 'a repeat after the window is a new Event');
    assert.equal(f.calls.length, 5, 'and no series PATCH');
  });

  it('drops and counts new Events over the per-object burst, and admits more as the bucket refills', async () => {
    const f = fakeApi();
    const { clock, recorder, dropped } = setup(f.api, { perObject: { burst: 3, refillMs: 5_000 } });
    for (let i = 0; i < 5; i++) recorder.record(cm, { ...started, note: `n${i}` });
    await settle();
    assert.equal(f.posts().length, 3);
    assert.equal(await dropped('rate_limited'), 2);
    clock.step(5_000);
    recorder.record(cm, { ...started, note: 'later' });
    recorder.record(cm, { ...started, note: 'too soon' });
    await settle();
    assert.equal(f.posts().length, 4);
    assert.equal(await dropped('rate_limited'), 3);
  });

  it('caps new Events across all objects with the global bucket', async () => {
    const f = fakeApi();
    const { recorder, dropped } = setup(f.api, { global: { burst: 4, refillMs: 1_000 } });
    for (let i = 0; i < 6; i++) {
      recorder.record({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', name: `c${i}` }, started);
    }
    await settle();
    assert.equal(f.posts().length, 4);
    assert.equal(await dropped('rate_limited'), 2);
  });

  it('never throws when the API fails, and forgets a failed Event so the next occurrence creates it', async () => {
    let fail: 'reject' | 'throw' | undefined = 'reject';
    const calls: Call[] = [];
    const api: KubeRequester = {
      request: () => Promise.reject(new Error('unused')),
      requestJson: <T>(req: Call): Promise<T> => {
        calls.push(req);
        if (fail === 'throw') throw new Error('synchronous bug');
        if (fail === 'reject')
          return Promise.reject(new KubeApiError({ method: 'POST', path: req.path, status: 500 }));
        return Promise.resolve({} as T);
      },
    };
    const { recorder, dropped } = setup(api);
    recorder.record(cm, started);
    await settle();
    fail = 'throw';
    recorder.record(cm, started);
    await settle();
    fail = undefined;
    recorder.record(cm, started);
    await recorder.flush();
    assert.deepEqual(
      calls.map((c) => c.method),
      ['POST', 'POST', 'POST'],
      'each failure is forgotten; no PATCH of an Event that was never created',
    );
    assert.equal(await dropped('api_error'), 2);
    recorder.record({ metadata: { name: 'no-kind' } }, started);
    assert.equal(await dropped('invalid'), 1);
  });

  it('re-creates an Event with its series when the series PATCH finds it gone', async () => {
    const f = fakeApi((req) => {
      if (req.method === 'PATCH') throw new KubeApiError({ method: 'PATCH', path: req.path, status: 404 });
      return {};
    });
    const { recorder } = setup(f.api);
    recorder.record(cm, started);
    await settle();
    recorder.record(cm, started);
    await recorder.flush();
    assert.deepEqual(
      f.calls.map((c) => c.method),
      ['POST', 'PATCH', 'POST'],
    );
    const again = f.calls[2]!.body as EventBody;
    assert.equal(again.metadata.name, (f.calls[0]!.body as EventBody).metadata.name);
    assert.equal(again.series?.count, 2);
  });

  it('close sends pending counts, then drops later records and leaves no timer behind', async () => {
    const f = fakeApi();
    const { clock, recorder, dropped } = setup(f.api);
    recorder.record(cm, started);
    await settle();
    recorder.record(cm, started);
    recorder.record(cm, started);
    await settle();
    recorder.record(cm, started);
    assert.equal(clock.pendingTimers(), 1, 'the count 4 waits for its interval');
    await recorder.close();
    assert.equal(clock.pendingTimers(), 0);
    assert.equal((f.calls.at(-1)!.body as { series: { count: number } }).series.count, 4);
    const before = f.calls.length;
    recorder.record(cm, started);
    await settle();
    assert.equal(f.calls.length, before);
    assert.equal(await dropped('closed'), 1);
  });
});
