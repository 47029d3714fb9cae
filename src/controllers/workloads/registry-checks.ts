// The registry questions asked right before a patch (api/registry-probe.ts), answered from memory
// when they were answered lately, so a burst of workloads of one image costs one HEAD, not one
// per workload, and a workload whose backups are Ready is rewritten without waiting on the network.
//
// Invariants:
// - "Present" is remembered for `presentTtlMs` per (repository, digest); "missing" is never
//   remembered: a Ready backup whose manifest the registry lacks is asked again every time, so no
//   workload is pointed at it on the strength of an old answer. A manifest deleted from the backup
//   registry after a "present" goes unnoticed for at most `presentTtlMs`.
// - "Readable" is remembered for `readableTtlMs` per (source, the namespace's refs in order);
//   "refused" for the shorter `refusedTtlMs`, so rechecks of a denied namespace with backoff cost at
//   most one HEAD per that interval, and a fixed Secret is noticed soon.
// - Concurrent askers of one question share one request; a request that fails (the registry could
//   not answer) is remembered by nobody and thrown to every asker.
// - At most `maxEntries` answers are kept; the oldest go first.
import { realClock, type Clock } from '../../kube/index.ts';
import type { PullSecretRef } from '../api/image-backup-schema.ts';
import type { RegistryProbe } from '../api/registry-probe.ts';

export interface RegistryChecks {
  /** As RegistryProbe's, remembered when true. */
  backupManifestPresent(repository: string, digest: string, signal?: AbortSignal): Promise<boolean>;
  /** As RegistryProbe's, remembered both ways (refusals more briefly). */
  sourceReadable(source: string, refs: readonly PullSecretRef[], signal?: AbortSignal): Promise<boolean>;
}

export interface RegistryChecksOptions {
  presentTtlMs?: number;
  readableTtlMs?: number;
  refusedTtlMs?: number;
  maxEntries?: number;
  clock?: Clock;
}

export const REGISTRY_CHECKS_DEFAULTS = Object.freeze({
  /** A backup manifest is removed only by someone deleting it by hand: 10 min of trust is cheap. */
  presentTtlMs: 600_000,
  /** Credentials that read a source keep doing so; revoking them shows within 10 min. */
  readableTtlMs: 600_000,
  /** A refusal is rechecked after 10 s at most: the fix (a Secret) should be seen soon. */
  refusedTtlMs: 10_000,
  /** Two entries per image at the 10,000-workload benchmark's 2,000 images, with room. */
  maxEntries: 10_000,
});

interface Answer {
  readonly value: Promise<boolean>;
  /** Infinity while in flight. */
  expiresAt: number;
}

export function createRegistryChecks(probe: RegistryProbe, o: RegistryChecksOptions = {}): RegistryChecks {
  const d = REGISTRY_CHECKS_DEFAULTS;
  const clock = o.clock ?? realClock;
  const maxEntries = o.maxEntries ?? d.maxEntries;
  const answers = new Map<string, Answer>();

  /** `ask` once for `key`; the answer is kept for `ttl(answer)` ms (0: not kept). */
  function remembered(
    key: string,
    ask: () => Promise<boolean>,
    ttl: (ok: boolean) => number,
  ): Promise<boolean> {
    const known = answers.get(key);
    if (known !== undefined && known.expiresAt > clock.now()) return known.value;
    answers.delete(key);
    const answer: Answer = { value: ask(), expiresAt: Infinity };
    answers.set(key, answer);
    if (answers.size > maxEntries) answers.delete(answers.keys().next().value as string);
    answer.value.then(
      (ok) => {
        const ms = ttl(ok);
        if (ms > 0) answer.expiresAt = clock.now() + ms;
        else if (answers.get(key) === answer) answers.delete(key);
      },
      () => {
        if (answers.get(key) === answer) answers.delete(key);
      },
    );
    return answer.value;
  }

  return {
    backupManifestPresent: (repository, digest, signal) =>
      remembered(
        JSON.stringify(['manifest', repository, digest]),
        () => probe.backupManifestPresent(repository, digest, signal),
        (present) => (present ? (o.presentTtlMs ?? d.presentTtlMs) : 0),
      ),
    sourceReadable: (source, refs, signal) =>
      remembered(
        JSON.stringify(['source', source, refs.map((r) => [r.namespace, r.name])]),
        () => probe.sourceReadable(source, refs, signal),
        (readable) => (readable ? (o.readableTtlMs ?? d.readableTtlMs) : (o.refusedTtlMs ?? d.refusedTtlMs)),
      ),
  };
}
