import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { onShutdownSignal, type SignalSource } from './shutdown.ts';

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

describe('onShutdownSignal', () => {
  it('runs the handler once on SIGTERM, however many signals follow, and exits on the second', async () => {
    const proc = fakeProcess();
    let runs = 0;
    const dispose = onShutdownSignal(() => void runs++, { process: proc });
    proc.emit('SIGTERM');
    await sleep(1);
    assert.equal(runs, 1);
    assert.deepEqual(proc.exits, []);
    proc.emit('SIGINT');
    assert.equal(runs, 1);
    assert.deepEqual(proc.exits, [1]);
    dispose();
  });

  it('forces exit 1 when the handler outlives the timeout', async () => {
    const proc = fakeProcess();
    const dispose = onShutdownSignal(() => new Promise<void>(() => undefined), {
      process: proc,
      timeoutMs: 2,
    });
    proc.emit('SIGINT');
    for (let i = 0; i < 100 && proc.exits.length === 0; i++) await sleep(2);
    assert.deepEqual(proc.exits, [1]);
    dispose();
  });

  it('exits 1 when the handler fails', async () => {
    const proc = fakeProcess();
    const dispose = onShutdownSignal(() => Promise.reject(new Error('lease release failed')), {
      process: proc,
    });
    proc.emit('SIGTERM');
    await sleep(1);
    assert.deepEqual(proc.exits, [1]);
    dispose();
  });

  it('stops listening once disposed', () => {
    const proc = fakeProcess();
    let runs = 0;
    onShutdownSignal(() => void runs++, { process: proc })();
    assert.equal(proc.emit('SIGTERM'), false, 'no listener left');
    assert.equal(runs, 0);
  });
});
