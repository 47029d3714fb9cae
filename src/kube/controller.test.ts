import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import {
  ControllerAlreadyStartedError,
  createController,
  type ControllerOptions,
  type Reconciler,
} from './controller.ts';
import { createFakeClock } from './workqueue/fake-clock.ts';
import { createExponentialRateLimiter } from './workqueue/rate-limiters.ts';
import { LifeboatError } from '../common/errors.ts';

class FixtureError extends LifeboatError {
  readonly code = 'FIXTURE';
  readonly temporary: boolean;
  constructor(temporary: boolean) {
    super(temporary ? 'try again' : 'bad input');
    this.temporary = temporary;
  }
}

interface LogLine {
  level: number;
  msg: string;
  key?: string;
  outcome?: string;
  durationMs?: number;
  err?: { message?: string; type?: string } | string;
}

/** A debug-level logger that keeps each JSON line. */
function captureLogs(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) },
  );
  return { logger, lines };
}

/** Yields to the event loop until `cond` holds; fails after a bounded number of turns. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (cond()) return;
    await yieldToLoop();
  }
  assert.fail(`timed out waiting for ${what}`);
}

/** Lets every queued callback and promise continuation run (a bounded number of loop turns). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await yieldToLoop();
}

/** Starts a controller on a fake clock and stops it when the test ends. */
function start(t: TestContext, options: Omit<ControllerOptions, 'name'> & { name?: string }) {
  const clock = createFakeClock();
  const { logger, lines } = captureLogs();
  const registry = new Registry();
  const controller = createController({ name: 'test', clock, logger, registry, ...options });
  const abort = new AbortController();
  const running = controller.run(abort.signal);
  const stop = async (): Promise<void> => {
    abort.abort();
    await running;
  };
  t.after(stop);
  return { controller, clock, lines, registry, stop, running };
}

describe('controller', () => {
  it('logs an exception with its key, retries the key with backoff, and keeps working', async (t) => {
    const calls: string[] = [];
    const reconcile: Reconciler = (key) => {
      calls.push(key);
      if (key === 'ns/bad' && calls.filter((k) => k === key).length === 1) {
        throw new Error('registry unreachable');
      }
    };
    const { controller, clock, lines } = start(t, { reconcile, workers: 1 });
    controller.enqueue('ns/bad');
    await until(() => calls.length === 1, 'first attempt');
    controller.enqueue('ns/good');
    await until(() => calls.length === 2, 'the next key');

    const failure = lines.find((l) => l.msg === 'reconcile failed');
    assert.ok(failure, 'a failure line was logged');
    assert.equal(failure.key, 'ns/bad');
    assert.equal(failure.outcome, 'error');
    assert.equal(typeof failure.err === 'object' && failure.err.message, 'registry unreachable');
    assert.equal(failure.level, 50, 'logged at error level');

    clock.step(5);
    await until(() => calls.length === 3, 'the retry');
    assert.deepEqual(calls, ['ns/bad', 'ns/good', 'ns/bad']);
    const ok = lines.filter((l) => l.msg === 'reconciled').map((l) => [l.key, l.level]);
    assert.deepEqual(ok, [
      ['ns/good', 20],
      ['ns/bad', 20],
    ]);
  });

  it('survives a rejected promise and a thrown non-Error, retrying both', async (t) => {
    const attempts = new Map<string, number>();
    const reconcile: Reconciler = async (key) => {
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      await yieldToLoop();
      if (n > 2) return;
      if (key === 'rejects') return Promise.reject(new TypeError('bad payload'));
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a careless reconciler
      throw 'plain string';
    };
    const { controller, clock, lines } = start(t, { reconcile, workers: 2 });
    controller.enqueue('rejects');
    controller.enqueue('throws-string');
    for (let i = 0; i < 2; i++) {
      await until(
        () => [...attempts.values()].every((n) => n >= i + 1) && attempts.size === 2,
        `attempt ${i + 1}`,
      );
      await until(
        () => lines.filter((l) => l.msg === 'reconcile failed').length === 2 * (i + 1),
        `failure ${i + 1} logged`,
      );
      clock.step(1000);
    }
    await until(() => attempts.get('rejects') === 3 && attempts.get('throws-string') === 3, 'success');
    const failedKeys = lines.filter((l) => l.msg === 'reconcile failed').map((l) => l.key);
    assert.deepEqual(failedKeys.sort(), ['rejects', 'rejects', 'throws-string', 'throws-string']);
  });

  it('backs a failing key off exponentially', async (t) => {
    let attempts = 0;
    const { controller, clock } = start(t, {
      reconcile: () => {
        attempts++;
        throw new Error('always');
      },
    });
    controller.enqueue('k');
    await until(() => attempts === 1, 'first attempt');
    // Retries after 5, 10, 20 and 40 ms.
    for (const [wait, expected] of [
      [4, 1],
      [1, 2],
      [9, 2],
      [1, 3],
      [19, 3],
      [1, 4],
      [39, 4],
      [1, 5],
    ] as const) {
      clock.step(wait);
      await until(() => attempts === expected, `attempt ${expected}`);
      // Give a premature retry every chance to run before checking it did not.
      await settle();
      assert.equal(attempts, expected, `${clock.now()} ms after the first attempt`);
    }
  });

  it('reconciles again after requeueAfter and forgets earlier failures', async (t) => {
    let attempts = 0;
    const { controller, clock, lines } = start(t, {
      reconcile: () => {
        attempts++;
        if (attempts === 1) throw new Error('once');
        return attempts === 2 ? { requeueAfter: 60_000 } : undefined;
      },
    });
    controller.enqueue('k');
    await until(() => attempts === 1, 'first attempt');
    clock.step(5);
    await until(() => attempts === 2, 'retry');
    clock.step(59_999);
    await yieldToLoop();
    assert.equal(attempts, 2, 'not before requeueAfter');
    clock.step(1);
    await until(() => attempts === 3, 'requeue');
    assert.ok(lines.some((l) => l.msg === 'reconciled' && l.outcome === 'requeue_after'));
  });

  it("requeue 'rateLimited' comes back after the limiter's growing delay, until a plain success forgets it", async (t) => {
    let attempts = 0;
    const { controller, clock, lines, registry } = start(t, {
      rateLimiter: createExponentialRateLimiter<string>({ baseDelayMs: 100, maxDelayMs: 1_000 }),
      reconcile: () => (++attempts <= 3 ? { requeue: 'rateLimited' } : undefined),
    });
    controller.enqueue('k');
    await until(() => attempts === 1, 'first attempt');
    // 100, then 200, then 400 ms: the backoff is kept between rate-limited requeues.
    for (const [wait, expected] of [
      [99, 1],
      [1, 2],
      [199, 2],
      [1, 3],
      [399, 3],
      [1, 4],
    ] as const) {
      clock.step(wait);
      await until(() => attempts === expected, `attempt ${expected}`);
      await settle();
      assert.equal(attempts, expected, `${clock.now()} ms after the first attempt`);
    }
    // The fourth reconcile succeeded: forgotten, so the next rate-limited requeue starts over at 100 ms.
    attempts = 0;
    controller.enqueue('k');
    await until(() => attempts === 1, 'attempt after success');
    clock.step(100);
    await until(() => attempts === 2, 'backoff started over');
    assert.ok(lines.some((l) => l.msg === 'reconciled' && l.outcome === 'requeue'));
    const total = await registry.getSingleMetric('controller_runtime_reconcile_total')!.get();
    const requeued = total.values.find((v) => v.labels.result === 'requeue');
    assert.ok(requeued !== undefined && requeued.value >= 3, JSON.stringify(total.values));
  });

  it('runs N workers in parallel on different keys', async (t) => {
    let active = 0;
    let peak = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { controller } = start(t, {
      workers: 3,
      reconcile: async () => {
        active++;
        peak = Math.max(peak, active);
        await gate;
        active--;
      },
    });
    for (const k of ['a', 'b', 'c', 'd']) controller.enqueue(k);
    await until(() => active === 3, 'three keys in flight');
    assert.equal(peak, 3, 'the fourth key waits for a free worker');
    release();
    await until(() => active === 0, 'all done');
  });

  it('never reconciles one key in two workers, even when it is enqueued mid-flight', async (t) => {
    const inFlight = new Set<string>();
    let overlaps = 0;
    let runs = 0;
    const { controller } = start(t, {
      workers: 4,
      reconcile: async (key) => {
        if (inFlight.has(key)) overlaps++;
        inFlight.add(key);
        runs++;
        await yieldToLoop();
        inFlight.delete(key);
      },
    });
    for (let i = 0; i < 20; i++) {
      controller.enqueue('same');
      await yieldToLoop();
    }
    await until(() => inFlight.size === 0 && runs > 1, 'quiet');
    assert.equal(overlaps, 0);
  });

  it('stops on abort after in-flight reconciles return, and signals them', async (t) => {
    let seenSignal: AbortSignal | undefined;
    let finished = false;
    const reconciled: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { controller, stop } = start(t, {
      reconcile: async (key, signal) => {
        reconciled.push(key);
        seenSignal = signal;
        await gate;
        finished = true;
      },
    });
    controller.enqueue('k');
    await until(() => seenSignal !== undefined, 'reconcile started');
    let stopped = false;
    const stopping = stop().then(() => (stopped = true));
    await yieldToLoop();
    assert.equal(seenSignal?.aborted, true);
    assert.equal(stopped, false, 'run waits for the reconcile in flight');
    release();
    await stopping;
    assert.equal(finished, true);
    controller.enqueue('after');
    await yieldToLoop();
    assert.deepEqual(reconciled, ['k'], 'a stopped controller takes no more keys');
  });

  it('counts reconciles by result in controller-runtime metrics', async (t) => {
    let n = 0;
    const { controller, clock, registry } = start(t, {
      name: 'images',
      reconcile: () => {
        n++;
        if (n === 1) throw new Error('x');
      },
    });
    controller.enqueue('k');
    await until(() => n === 1, 'first');
    clock.step(5);
    await until(() => n === 2, 'second');
    await yieldToLoop();
    const text = await registry.metrics();
    assert.match(text, /controller_runtime_reconcile_total\{controller="images",result="success"\} 1/);
    assert.match(text, /controller_runtime_reconcile_total\{controller="images",result="error"\} 1/);
    assert.match(text, /controller_runtime_reconcile_errors_total\{controller="images"\} 1/);
    assert.match(text, /controller_runtime_reconcile_time_seconds_count\{controller="images"\} 2/);
    assert.match(text, /workqueue_adds_total\{name="images"\} 2/);
  });

  it('forgets a key whose error is permanent, reports it once, and retries temporary ones', async (t) => {
    const calls: string[] = [];
    const reported: [string, string][] = [];
    const { controller, clock, lines, registry } = start(t, {
      name: 'policy',
      workers: 1,
      reconcile: (key) => {
        calls.push(key);
        throw new FixtureError(key === 'ns/flaky');
      },
      onPermanentError: (key, err) => reported.push([key, err.code]),
    });
    controller.enqueue('ns/bad');
    controller.enqueue('ns/flaky');
    await until(() => calls.length === 2, 'both keys');
    for (let i = 0; i < 5; i++) {
      clock.step(1000);
      await settle();
    }
    assert.equal(calls.filter((k) => k === 'ns/bad').length, 1, 'a permanent error is not retried');
    assert.ok(calls.filter((k) => k === 'ns/flaky').length >= 3, 'a temporary error is retried');
    assert.deepEqual(reported, [['ns/bad', 'FIXTURE']]);
    const warn = lines.find((l) => l.key === 'ns/bad' && l.outcome === 'permanent_error');
    assert.equal(warn?.level, 40, 'logged once at warn');
    const text = await registry.metrics();
    assert.match(text, /controller_runtime_terminal_reconcile_errors_total\{controller="policy"\} 1\n/);
    // A new event for the object brings the key back.
    controller.enqueue('ns/bad');
    await until(() => calls.filter((k) => k === 'ns/bad').length === 2, 'the re-enqueued key');
  });

  it('runs only once', async (t) => {
    const { controller } = start(t, { reconcile: () => undefined });
    await assert.rejects(controller.run(new AbortController().signal), ControllerAlreadyStartedError);
  });

  it('rejects a worker count that is not a positive integer', () => {
    assert.throws(() => createController({ name: 'x', workers: 0, reconcile: () => undefined }), RangeError);
  });
});
