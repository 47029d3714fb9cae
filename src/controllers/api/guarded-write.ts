/**
 * Writes that race other writers, as every controller of lifeboat makes them: a write planned from a
 * cached read is guarded (JSON-patch `test` ops, a resourceVersion, a create that finds the name
 * taken), and losing the race is normal, not an error. The loser plans again on fresh state: soon at
 * first (the winner's event is already on its way), then, when the same key keeps losing, with the
 * controller's backoff — a 422 can also be an admission policy refusing the write for good, which
 * must not be retried twice a second.
 */
import type { Logger } from 'pino';
import { LifeboatError } from '../../common/errors.ts';
import {
  isAlreadyExists,
  isConflict,
  isInvalid,
  isNotFound,
  KubeApiError,
  type ReconcileResult,
} from '../../kube/index.ts';

/** A lost race is not worth the rate limiter's backoff: the winner's event is already on its way. */
const REQUEUE_AFTER_RACE_MS = 500;
/** Races in a row after which a key goes back to the rate limiter's backoff. */
const MAX_QUICK_RACES = 3;

/** A write lost to other writers several times in a row: retried with backoff, and logged. */
export class RepeatedRaceError extends LifeboatError {
  readonly code: string;
  readonly temporary = true;
  constructor(code: string, what: string, cause?: unknown) {
    super(`${what}: ${MAX_QUICK_RACES} writes in a row were refused (409/422/404)`, { cause });
    this.name = 'RepeatedRaceError';
    this.code = code;
  }
}

/**
 * Runs a write and classifies a lost race (another writer won, or the cache was behind: 409, or a
 * failed `test` op: 422), an object that vanished meanwhile (404) and a namespace that started
 * terminating (403) as `race`, to be planned again on fresh state. Any other error is thrown to the
 * controller's error policy.
 */
export async function guarded<R>(write: () => Promise<R>): Promise<R | 'race'> {
  try {
    return await write();
  } catch (err) {
    if (isConflict(err) || isAlreadyExists(err) || isInvalid(err) || isNotFound(err)) return 'race';
    if (err instanceof KubeApiError && err.status === 403 && /being terminated/.test(err.message))
      return 'race';
    throw err;
  }
}

export interface RaceRetry {
  /** A lost race on `key`: planned again soon, or thrown (RepeatedRaceError) to the backoff once it keeps happening. */
  raced(key: string): ReconcileResult;
  /** `key` was reconciled without a lost race: its count starts over. */
  settled(key: string): void;
}

/** Per-key counting of lost races; `code` names the RepeatedRaceError, `what` the key's kind in its message. */
export function raceRetry(o: { code: string; what: string; logger: Logger }): RaceRetry {
  const quickRaces = new Map<string, number>();
  return {
    raced(key) {
      const n = (quickRaces.get(key) ?? 0) + 1;
      quickRaces.set(key, n);
      o.logger.debug({ [o.what]: key, races: n }, 'write lost to another writer: planning again');
      if (n > MAX_QUICK_RACES) {
        quickRaces.delete(key);
        throw new RepeatedRaceError(o.code, `${o.what} ${key}`);
      }
      return { requeueAfter: REQUEUE_AFTER_RACE_MS };
    },
    settled: (key) => void quickRaces.delete(key),
  };
}
