/**
 * Pull-secret distribution's effects: carries out what decide.ts decided, and nothing else. Every
 * write is guarded (decide.ts puts the resourceVersion `test` in each patch, deletes are
 * preconditioned on a uid); a lost race comes back as `race`, for the namespace to be decided again
 * on fresh state. Credentials never reach a log line or an Event: only names do.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { objectReference, RESOURCES, type EventRecorder, type ResourceClient } from '../../kube/index.ts';
import type { SecretObject, ServiceAccountObject } from '../api/core-objects.ts';
import { EventReasons } from '../api/event-reasons.ts';
import { guarded } from '../api/guarded-write.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../api/labels.ts';
import { PULL_KEY_BYTES, PULL_KEY_DATA_KEY } from '../api/namespace-credential.ts';
import { syncResultOf, type NamespaceStep, type Removal } from './decide.ts';
import type { PullSecretMetrics } from './metrics.ts';
import type { SourceSecretError } from './source-secret.ts';

/** The clients the writes go through. */
export interface PullSecretWriters {
  readonly secrets: ResourceClient<SecretObject>;
  readonly accounts: ResourceClient<ServiceAccountObject>;
}

export interface PullSecretEffects extends PullSecretWriters {
  /** `--pull-secret-name`. */
  readonly secretName: string;
  readonly events: Pick<EventRecorder, 'record'>;
  readonly metrics: PullSecretMetrics;
  readonly logger: Logger;
}

/**
 * Carries out `step` for namespace `namespace`: `race` when a write lost to another writer (or
 * found its object gone), to be decided again; other errors are thrown to the controller's policy.
 */
export async function applyNamespaceStep(
  namespace: string,
  step: NamespaceStep,
  fx: PullSecretEffects,
): Promise<'race' | undefined> {
  switch (step.kind) {
    case 'leave':
      return undefined;
    case 'wait-for-source':
      // The source's own handler reports the problem once; here it is only counted.
      fx.metrics.sync('source_invalid');
      return undefined;
    case 'conflict':
      fx.metrics.sync('conflict');
      fx.events.record(objectReference(step.copy, RESOURCES.secrets), {
        type: 'Warning',
        reason: EventReasons.PullSecretConflict,
        action: 'Distribute',
        note: `Secret ${namespace}/${fx.secretName} is not managed by lifeboat (no app.kubernetes.io/managed-by=lifeboat label): lifeboat leaves it and this namespace's service accounts alone`,
      });
      return undefined;
    case 'remove':
    case 'distribute': {
      const write = await guarded(() =>
        step.kind === 'remove' ? applyRemoval(fx, namespace, step.removal) : distribute(fx, namespace, step),
      );
      if (write === 'race') {
        fx.logger.debug({ namespace }, 'write lost to another writer: deciding again');
        return 'race';
      }
      const result = syncResultOf(step);
      if (result !== undefined) fx.metrics.sync(result);
      if (result === 'created' || result === 'updated')
        fx.logger.info({ namespace, result }, 'pull secret distributed');
      return undefined;
    }
  }
}

/** The copy first, then the service accounts: a reference is only added once its Secret exists. */
async function distribute(
  fx: PullSecretWriters & { readonly secretName: string },
  namespace: string,
  step: Extract<NamespaceStep, { kind: 'distribute' }>,
): Promise<void> {
  const change = step.copy;
  if (change.action === 'create') {
    await fx.secrets.create(change.secret, { namespace });
  } else if (change.action === 'update') {
    await fx.secrets.jsonPatch(fx.secretName, change.ops, { namespace });
  } else if (change.action === 'replace-type') {
    await fx.secrets.delete(fx.secretName, { namespace, preconditions: { uid: change.uid } });
    await fx.secrets.create(change.secret, { namespace });
  }
  for (const sa of step.accounts) await fx.accounts.jsonPatch(sa.name, sa.ops, { namespace });
}

/**
 * Takes out what lifeboat added to `namespace` (decide.ts's `removalOf`): the service-account
 * entries first, then the copy, so no account is left naming a Secret that is already gone.
 */
export async function applyRemoval(
  fx: PullSecretWriters,
  namespace: string,
  removal: Removal,
  signal?: AbortSignal,
): Promise<void> {
  for (const sa of removal.accounts) await fx.accounts.jsonPatch(sa.name, sa.ops, { namespace, signal });
  if (removal.copy) {
    await fx.secrets.delete(removal.copy.name, {
      namespace,
      ...(removal.copy.uid ? { preconditions: { uid: removal.copy.uid } } : {}),
      signal,
    });
  }
}

/** One log line and one Warning Event on the source Secret (or where it should be), naming the problem. */
export function reportSourceProblem(
  problem: SourceSecretError,
  source: SecretObject | undefined,
  ref: { readonly namespace: string; readonly name: string },
  fx: Pick<PullSecretEffects, 'events' | 'logger'>,
): void {
  fx.logger.error({ secret: problem.secret, problem: problem.problem }, problem.message);
  fx.events.record(
    objectReference(source ?? { metadata: { namespace: ref.namespace, name: ref.name } }, RESOURCES.secrets),
    {
      type: 'Warning',
      reason: EventReasons.PullSecretSourceInvalid,
      action: 'Validate',
      note: problem.message,
    },
  );
}

/**
 * `--private-images=isolated`: creates the key Secret the namespaces' credentials are derived under
 * when it does not exist (32 random bytes; its own add event then distributes every copy). Never
 * replaces one: a key that exists is the operator's (or an earlier lifeboat's), and replacing it is
 * how they rotate every password. Another replica creating it first is a lost race, not an error.
 */
export async function ensurePullKey(
  ref: { readonly namespace: string; readonly name: string },
  fx: Pick<PullSecretEffects, 'secrets' | 'logger'>,
): Promise<void> {
  const secret: SecretObject = {
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
    },
    type: 'Opaque',
    data: { [PULL_KEY_DATA_KEY]: randomBytes(PULL_KEY_BYTES).toString('base64') },
  };
  if ((await guarded(() => fx.secrets.create(secret, { namespace: ref.namespace }))) !== 'race')
    fx.logger.info(
      { secret: `${ref.namespace}/${ref.name}` },
      "created the key of the namespaces' pull credentials",
    );
}
