import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeClock } from '../../kube/workqueue/fake-clock.ts';
import { createCreationExpectations } from './creation-expectations.ts';

describe('creation expectations', () => {
  it('a name being created is expected until the cache shows it', () => {
    const e = createCreationExpectations({ clock: createFakeClock() });
    assert.equal(e.has('a'), false);
    e.expect('a');
    assert.equal(e.has('a'), true);
    assert.equal(e.has('b'), false);
    e.observed('a');
    assert.equal(e.has('a'), false);
  });

  it('an expectation the cache never meets ends after the ttl, so the name may be created again', () => {
    const clock = createFakeClock();
    const e = createCreationExpectations({ clock, ttlMs: 1_000 });
    e.expect('a');
    clock.step(500);
    e.expect('b');
    clock.step(499);
    assert.equal(e.has('a'), true);
    clock.step(1);
    assert.equal(e.has('a'), false);
    assert.equal(e.has('b'), true);
    clock.step(500);
    assert.equal(e.has('b'), false);
  });

  it('expecting a name again starts its ttl over', () => {
    const clock = createFakeClock();
    const e = createCreationExpectations({ clock, ttlMs: 1_000 });
    e.expect('a');
    clock.step(900);
    e.expect('a');
    clock.step(900);
    assert.equal(e.has('a'), true);
  });
});
