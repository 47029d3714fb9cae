import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { perRegistry } from './metric-families.ts';

describe('perRegistry', () => {
  const requests = perRegistry(
    (registry) =>
      new Counter({
        name: 'test_requests_total',
        help: 'requests',
        labelNames: ['who'],
        registers: [registry],
      }),
  );

  it('creates the families once per Registry and hands the same ones to every later caller', async () => {
    const registry = new Registry();
    const first = requests(registry);
    // A second creation would throw: prom-client refuses a duplicate name in one Registry.
    const second = requests(registry);
    assert.equal(second, first);
    first.inc({ who: 'a' });
    second.inc({ who: 'b' }, 2);
    const text = await registry.metrics();
    assert.match(text, /test_requests_total\{who="a"\} 1/);
    assert.match(text, /test_requests_total\{who="b"\} 2/);
  });

  it('keeps Registries apart', async () => {
    const a = new Registry();
    const b = new Registry();
    assert.notEqual(requests(a), requests(b));
    requests(a).inc({ who: 'x' });
    assert.match(await a.metrics(), /who="x"\} 1/);
    assert.doesNotMatch(await b.metrics(), /who="x"/);
  });

  it('runs create once even when it returns undefined', () => {
    let runs = 0;
    const nothing = perRegistry(() => void runs++);
    const registry = new Registry();
    nothing(registry);
    nothing(registry);
    assert.equal(runs, 1);
  });
});
