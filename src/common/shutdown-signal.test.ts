import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { setImmediate as yieldToLoop, setTimeout as sleep } from 'node:timers/promises';
import { onShutdownSignal, type SignalSource } from './shutdown-signal.ts';

function fakeProcess(): SignalSource & { emit(s: string): boolean; exits: number[] } {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  return {
    on: (e, l) => emitter.on(e, l),
    off: (e, l) => emitter.off(e, l),
    emit: (s) => emitter.emit(s),
    exit: (code) => void exits.push(code),
    exits,
  };
}

/** Yields to the event loop until `cond` holds; fails after a bounded number of turns. */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (cond()) return;
    await yieldToLoop();
  }
  assert.fail(`never saw ${what}`);
}

describe('onShutdownSignal', () => {
  it('runs the handler once on SIGTERM, however many signals follow, and exits on the second', async (t) => {
    const proc = fakeProcess();
    let runs = 0;
    const dispose = onShutdownSignal(() => void runs++, { process: proc });
    t.after(dispose);
    proc.emit('SIGTERM');
    await until(() => runs === 1, 'the handler to run');
    assert.deepEqual(proc.exits, [], 'the first signal does not exit');
    proc.emit('SIGINT');
    assert.deepEqual(proc.exits, [1], 'the second signal exits at once');
    proc.emit('SIGTERM');
    assert.equal(runs, 1, 'later signals never run the handler again');
  });

  it('forces exit 1 when the handler outlives the timeout', async (t) => {
    const proc = fakeProcess();
    const dispose = onShutdownSignal(() => new Promise<void>(() => undefined), {
      process: proc,
      timeoutMs: 2,
    });
    t.after(dispose);
    proc.emit('SIGINT');
    // The forced exit is a real timer: poll it, bounded.
    for (let i = 0; i < 500 && proc.exits.length === 0; i++) await sleep(2);
    assert.deepEqual(proc.exits, [1]);
  });

  it('never forces an exit with timeoutMs Infinity, and the second signal still exits at once', async (t) => {
    const proc = fakeProcess();
    let runs = 0;
    const dispose = onShutdownSignal(
      () => {
        runs++;
        return new Promise<void>(() => undefined);
      },
      { process: proc, timeoutMs: Infinity },
    );
    t.after(dispose);
    proc.emit('SIGINT');
    // Node fires a setTimeout of Infinity after 1 ms: give such a timer many times that to show up.
    await sleep(50);
    assert.equal(runs, 1);
    assert.deepEqual(proc.exits, [], 'a person interrupting a command decides when to give up');
    proc.emit('SIGINT');
    assert.deepEqual(proc.exits, [1]);
  });

  it('exits 1 when the handler fails', async (t) => {
    const proc = fakeProcess();
    const dispose = onShutdownSignal(() => Promise.reject(new Error('lease release failed')), {
      process: proc,
    });
    t.after(dispose);
    proc.emit('SIGTERM');
    await until(() => proc.exits.length > 0, 'an exit');
    assert.deepEqual(proc.exits, [1]);
  });

  it('stops listening once disposed', () => {
    const proc = fakeProcess();
    let runs = 0;
    onShutdownSignal(() => void runs++, { process: proc })();
    assert.equal(proc.emit('SIGTERM'), false, 'no listener left');
    assert.equal(runs, 0);
  });
});
