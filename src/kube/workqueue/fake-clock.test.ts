import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeClock } from './fake-clock.ts';

describe('fake clock', () => {
  it('fires due timers in deadline order with now() at each deadline', () => {
    const clock = createFakeClock(1000);
    const fired: [string, number][] = [];
    clock.setTimeout(() => fired.push(['b', clock.now()]), 20);
    clock.setTimeout(() => fired.push(['a', clock.now()]), 10);
    clock.setTimeout(() => fired.push(['c', clock.now()]), 30);
    clock.step(25);
    assert.deepEqual(fired, [
      ['a', 1010],
      ['b', 1020],
    ]);
    assert.equal(clock.now(), 1025);
    assert.equal(clock.pendingTimers(), 1);
  });

  it('fires a timer set by a firing timer within the same step', () => {
    const clock = createFakeClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 5);
    }, 5);
    clock.step(10);
    assert.deepEqual(fired, [5, 10]);
  });

  it('never fires a cleared timer', () => {
    const clock = createFakeClock();
    let fired = false;
    const h = clock.setTimeout(() => (fired = true), 1);
    clock.clearTimeout(h);
    clock.step(10);
    assert.equal(fired, false);
  });
});
