/**
 * Lease leader election with client-go semantics (`k8s.io/client-go/tools/leaderelection`):
 * - candidates try every `retryPeriodMs` (jittered ×1.2) to acquire the Lease; they take it when it
 *   is absent, free (released), or unchanged for its duration as observed on the local clock;
 * - the leader renews every `retryPeriodMs`; if no renewal succeeds for `renewDeadlineMs`, or the
 *   lease shows another holder, leadership is lost;
 * - writes are optimistic: a PUT with the resourceVersion read; 409 means another candidate won;
 * - `onStartedLeading(signal)` runs while leading; `signal` aborts the moment leadership ends, and
 *   its returned promise (if any) is awaited before the lease is released, and the lease is still
 *   renewed while that work drains, so no other instance leads before it has finished;
 * - on `run`'s signal the leader releases the lease (empty holder) so another instance takes over at
 *   once instead of after the lease duration; `releaseOnCancel: false` models a crash.
 * `run()` returns when leadership is lost or the signal aborts: a controller then exits (its
 * Deployment restarts it), which is how client-go users handle lost leadership too.
 *
 * Lease requests bypass the API client's shared rate limiter, so a busy controller cannot starve
 * renewals. One round (GET, then PUT) shares one deadline: each request gets what is left of it, so
 * a slow API server cannot stretch a round past the renew deadline and into another leader's time.
 */
import type { Logger } from 'pino';
import { pino } from 'pino';
import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { LifeboatError } from '../common/errors.ts';
import { perRegistry } from '../common/metric-families.ts';
import { sleep } from '../common/sleep.ts';
import type { KubeRequester } from './api-client.ts';
import { RESOURCES } from './resource.ts';
import { isAlreadyExists, isConflict, resourceClient } from './resource-client.ts';
import { decideLease, observe, releasedSpec } from './leader-election-decision.ts';
import type { Lease, LeaseSpec, Observation } from './leader-election-decision.ts';

export interface LeaderElectionOptions {
  api: KubeRequester;
  namespace: string;
  /** Lease name, e.g. `lifeboat-controller`. */
  name: string;
  /** Unique per instance (pod name + random suffix). */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Release the lease when `run`'s signal aborts (default true). */
  releaseOnCancel?: boolean;
  onStartedLeading?: (signal: AbortSignal) => void | Promise<void>;
  onStoppedLeading?: () => void;
  /** Called whenever a different holder is observed (including ourselves). */
  onNewLeader?: (identity: string) => void;
  logger?: Logger;
  registry?: Registry;
  now?: () => number;
  random?: () => number;
}

export interface LeaderElector {
  /** Campaigns, leads, and returns when leadership ends or `signal` aborts. Never rejects. */
  run(signal: AbortSignal): Promise<void>;
  /**
   * Ends `run` as its signal would: stops leading (aborting the leading signal), gives the lease up
   * when held and `releaseOnCancel` is on, and resolves once `run` has returned.
   */
  release(): Promise<void>;
  isLeader(): boolean;
  /** The holder last observed (possibly ourselves), or undefined before the first read. */
  leader(): string | undefined;
}

export const LEADER_ELECTION_DEFAULTS = Object.freeze({
  // client-go's defaults: a dead leader is replaced within ~15 s; a leader that cannot renew for
  // 10 s stops before anyone else can take over (10 s < 15 s), so two leaders never overlap.
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
  releaseOnCancel: true,
});

const JITTER = 1.2;

export function createLeaderElector(options: LeaderElectionOptions): LeaderElector {
  const o = { ...options, ...withDefaults(options) };
  if (!o.identity) throw new TypeError('leader election needs a non-empty identity');
  if (!(o.leaseDurationMs > o.renewDeadlineMs && o.renewDeadlineMs > o.retryPeriodMs * JITTER)) {
    throw new RangeError('leader election needs leaseDurationMs > renewDeadlineMs > retryPeriodMs × 1.2');
  }
  const logger = (options.logger ?? pino({ level: 'silent' })).child({ lease: `${o.namespace}/${o.name}` });
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const leases = leaseClient(o.api, o.namespace, o.name);
  const leaseSeconds = Math.max(1, Math.ceil(o.leaseDurationMs / 1000));
  const gauge = leaderGauge(options.registry);
  gauge?.set({ lease: `${o.namespace}/${o.name}` }, 0);
  let observation: Observation | undefined;
  let holder: string | undefined;
  let leading = false;
  let lastLease: Lease | undefined;

  function noteHolder(lease: Lease | undefined): void {
    const h = lease?.spec?.holderIdentity ?? '';
    if (h !== '' && h !== holder) {
      holder = h;
      try {
        options.onNewLeader?.(h);
      } catch (err) {
        logger.error({ err }, 'onNewLeader threw');
      }
    }
  }

  /** What is left until `deadline`, for one request's timeout; throws once nothing is. */
  function budget(deadline: number): number {
    const left = deadline - now();
    if (left <= 0) throw new RenewDeadlineError();
    return left;
  }

  /**
   * One read-decide-write round, finished by `deadline`. True when we hold the lease afterwards;
   * when `renewing` a lease we held, another holder throws LostLeaseError.
   */
  async function tryAcquireOrRenew(deadline: number, renewing: boolean): Promise<boolean> {
    const lease = await leases.get(budget(deadline));
    const t = now();
    if (lease) observation = observe(observation, lease, t);
    noteHolder(lease);
    const decision = decideLease({
      lease,
      identity: o.identity,
      now: t,
      observation,
      leaseDurationSeconds: leaseSeconds,
    });
    if (decision.action === 'wait') {
      if (renewing) throw new LostLeaseError(decision.holder);
      return false;
    }
    try {
      const written =
        decision.action === 'create'
          ? await leases.create(decision.spec, budget(deadline))
          : await leases.replace(lease as Lease, decision.spec, budget(deadline));
      lastLease = written;
      observation = observe(observation, written, now());
      noteHolder(written);
      if (decision.action === 'update' && decision.transition) logger.info('acquired the lease');
      return true;
    } catch (err) {
      if (isConflict(err) || isAlreadyExists(err)) {
        logger.debug('lost the race for the lease (409)');
        return false;
      }
      throw err;
    }
  }

  async function acquire(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      try {
        if (await tryAcquireOrRenew(now() + o.renewDeadlineMs, false)) return true;
      } catch (err) {
        logger.warn({ err }, 'could not read or write the lease; retrying');
      }
      await sleep(o.retryPeriodMs * (1 + (JITTER - 1) * random()), signal).catch(() => undefined);
    }
    return false;
  }

  /** Renews until the renew deadline passes without success. False when leadership is lost. */
  async function renew(signal: AbortSignal): Promise<boolean> {
    const deadline = now() + o.renewDeadlineMs;
    while (!signal.aborted) {
      if (deadline - now() <= 0) return false;
      try {
        if (await tryAcquireOrRenew(deadline, true)) return true;
      } catch (err) {
        if (err instanceof LostLeaseError) {
          logger.warn({ holder: err.holder }, 'the lease shows another holder');
          return false;
        }
        logger.warn({ err }, 'renewing the lease failed');
      }
      await sleep(Math.min(o.retryPeriodMs, Math.max(0, deadline - now())), signal).catch(() => undefined);
    }
    return true;
  }

  /** Keeps renewing until `work` settles. False when the lease was lost meanwhile. */
  async function renewUntilSettled(work: Promise<void>): Promise<boolean> {
    const settled = new AbortController();
    void work.then(() => settled.abort());
    while (!settled.signal.aborted) {
      await sleep(o.retryPeriodMs, settled.signal).catch(() => undefined);
      if (settled.signal.aborted) break;
      if (!(await renew(settled.signal))) {
        logger.error('lost the lease while stopping; in-flight work is still draining');
        await work;
        return false;
      }
    }
    return true;
  }

  async function release(): Promise<void> {
    if (!lastLease) return;
    try {
      await leases.replace(lastLease, releasedSpec(lastLease.spec ?? {}, now()), o.renewDeadlineMs);
      logger.info('released the lease');
    } catch (err) {
      logger.warn({ err }, 'could not release the lease; others take over when it expires');
    }
  }

  const released = new AbortController();
  let running: Promise<void> = Promise.resolve();

  function run(signal: AbortSignal): Promise<void> {
    running = campaign(AbortSignal.any([signal, released.signal]));
    return running;
  }

  async function campaign(signal: AbortSignal): Promise<void> {
    if (!(await acquire(signal))) return;
    leading = true;
    gauge?.set({ lease: `${o.namespace}/${o.name}` }, 1);
    const leadership = new AbortController();
    let work: Promise<void> = Promise.resolve();
    try {
      work = Promise.resolve(options.onStartedLeading?.(leadership.signal)).catch((err: unknown) => {
        logger.error({ err }, 'onStartedLeading failed');
      });
    } catch (err) {
      logger.error({ err }, 'onStartedLeading threw');
    }
    let lost = false;
    while (!signal.aborted) {
      await sleep(o.retryPeriodMs, signal).catch(() => undefined);
      if (signal.aborted) break;
      if (!(await renew(signal))) {
        lost = true;
        break;
      }
    }
    leading = false;
    gauge?.set({ lease: `${o.namespace}/${o.name}` }, 0);
    leadership.abort(new Error(lost ? 'leadership lost' : 'leader election stopped'));
    if (lost) {
      logger.error('lost the lease; stopping work');
      await work;
    } else {
      // Stopping (SIGTERM): in-flight work may take a while to abort; hold the lease meanwhile.
      lost = !(await renewUntilSettled(work));
    }
    if (!lost && o.releaseOnCancel) await release();
    try {
      options.onStoppedLeading?.();
    } catch (err) {
      logger.error({ err }, 'onStoppedLeading threw');
    }
  }

  return {
    run,
    async release() {
      released.abort(new Error('leader election released'));
      await running;
    },
    isLeader: () => leading,
    leader: () => holder,
  };
}

class LostLeaseError extends LifeboatError {
  readonly code = 'LEASE_LOST';
  /** Renewing cannot win the lease back from another holder: leadership ends. */
  readonly temporary = false;
  readonly holder: string;
  constructor(holder: string) {
    super(`lease is held by ${holder}`);
    this.name = 'LostLeaseError';
    this.holder = holder;
  }
}

class RenewDeadlineError extends LifeboatError {
  readonly code = 'RENEW_DEADLINE';
  /** A slow API server: the next round (while campaigning) may well make it in time. */
  readonly temporary = true;
  constructor() {
    super('the renew deadline passed before the lease round finished');
    this.name = 'RenewDeadlineError';
  }
}

interface LeaseClient {
  get(timeoutMs: number): Promise<Lease | undefined>;
  create(spec: LeaseSpec, timeoutMs: number): Promise<Lease>;
  replace(current: Lease, spec: LeaseSpec, timeoutMs: number): Promise<Lease>;
}

/**
 * Lease calls on plain JSON (resource-client.ts): the typed client's MicroTime becomes a `Date`
 * with three fractional digits, which the API server's MicroTime parser rejects. Renewals skip the
 * shared token bucket and the client's retries: the lease round has its own deadline.
 */
function leaseClient(api: KubeRequester, namespace: string, name: string): LeaseClient {
  const leases = resourceClient<Lease>(api, RESOURCES.leases);
  const common = { namespace, rateLimited: false, retry: false } as const;
  return {
    get: (timeoutMs) => leases.find(name, { ...common, timeoutMs }),
    create: (spec, timeoutMs) =>
      leases.create({ metadata: { name, namespace }, spec }, { ...common, timeoutMs }),
    replace: (current, spec, timeoutMs) => leases.replace({ ...current, spec }, { ...common, timeoutMs }),
  };
}

const leaderGauges = perRegistry(
  (registry) =>
    new Gauge({
      name: 'lifeboat_leader',
      help: '1 while this instance holds the leader-election lease, else 0',
      labelNames: ['lease'],
      registers: [registry],
    }),
);

function leaderGauge(registry: Registry | undefined): Gauge<'lease'> | undefined {
  return registry === undefined ? undefined : leaderGauges(registry);
}

function withDefaults(options: LeaderElectionOptions): {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  releaseOnCancel: boolean;
} {
  const d = LEADER_ELECTION_DEFAULTS;
  return {
    leaseDurationMs: options.leaseDurationMs ?? d.leaseDurationMs,
    renewDeadlineMs: options.renewDeadlineMs ?? d.renewDeadlineMs,
    retryPeriodMs: options.retryPeriodMs ?? d.retryPeriodMs,
    releaseOnCancel: options.releaseOnCancel ?? d.releaseOnCancel,
  };
}
