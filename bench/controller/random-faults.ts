// A share of a fault proxy's requests, drawn at random (seeded, so a run can be repeated), get a 503
// or a connection reset before anything is forwarded: half of `rate` each. test/e2e's fault proxy
// matches a rule's `path` with `RegExp.prototype.test`, so a RegExp whose `test` is a coin toss makes
// a random rule of it without changing the proxy.
import type { FaultAction, FaultProxy } from '../../test/e2e/registry/fault-proxy.ts';

/** mulberry32: a small seeded generator, uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Matches a request with probability `p`, whatever its path. */
export class Chance extends RegExp {
  readonly #p: number;
  readonly #random: () => number;
  constructor(p: number, random: () => number) {
    super('');
    this.#p = p;
    this.#random = random;
  }
  override test(_input: string): boolean {
    return this.#random() < this.#p;
  }
}

export interface RandomRule {
  /** Which registry's proxy (`source`, `backup`). */
  readonly proxy: string;
  readonly action: FaultAction['kind'];
  hits(): number;
}

/**
 * Adds two rules: 503 with probability rate/2, else a reset with probability (rate/2)/(1 - rate/2),
 * so each request is faulted with probability `rate` overall (the proxy tries rules in order).
 */
export function randomFaultRules(name: string, proxy: FaultProxy, rate: number, seed: number): RandomRule[] {
  const random = seededRandom(seed);
  const half = rate / 2;
  const unavailable = proxy.addRule({
    path: new Chance(half, random),
    action: { kind: 'status', status: 503 },
  });
  const reset = proxy.addRule({ path: new Chance(half / (1 - half), random), action: { kind: 'reset' } });
  return [
    { proxy: name, action: 'status', hits: () => unavailable.hits() },
    { proxy: name, action: 'reset', hits: () => reset.hits() },
  ];
}
