/**
 * What to write for one namespace's pull-secret copy and service accounts: pure functions of the
 * objects as cached, so every rule is a table test. Writes are guarded: every JSON patch starts
 * with a `test` of the resourceVersion it was planned from, so a concurrent writer makes it fail
 * (422) and the namespace is planned again on fresh state, never applied over someone's change.
 */
import type { JsonPatchOp } from '../../kube/index.ts';
import {
  ADDED_PULL_SECRET_ANNOTATION,
  COPIED_FROM_ANNOTATION,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
} from '../api/labels.ts';
import { escapePointerToken } from '../api/workload-pointer.ts';
import type { SecretObject, ServiceAccountObject } from '../api/core-objects.ts';
import type { PullSecretContent } from './source-secret.ts';

export function isOwnedByLifeboat(obj: { metadata: { labels?: Record<string, string> } }): boolean {
  return obj.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

export type CopyPlan =
  | { readonly action: 'create'; readonly secret: SecretObject }
  | { readonly action: 'update'; readonly ops: JsonPatchOp[] }
  /** The type of a Secret is immutable: only delete (preconditioned on this uid) and create. */
  | { readonly action: 'replace-type'; readonly uid: string; readonly secret: SecretObject }
  | { readonly action: 'none' }
  /** A Secret of that name that lifeboat does not own: never touched. */
  | { readonly action: 'conflict' };

const rvTest = (obj: { metadata: { resourceVersion?: string } }): JsonPatchOp[] =>
  obj.metadata.resourceVersion === undefined
    ? []
    : [{ op: 'test', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion }];

function sameData(
  a: Readonly<Record<string, string>> | undefined,
  b: Readonly<Record<string, string>>,
): boolean {
  const ak = Object.keys(a ?? {});
  return ak.length === Object.keys(b).length && ak.every((k) => a?.[k] === b[k]);
}

export function planCopy(
  content: PullSecretContent,
  existing: SecretObject | undefined,
  target: { namespace: string; name: string; source: string },
): CopyPlan {
  const desired: SecretObject = {
    metadata: {
      name: target.name,
      namespace: target.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
      annotations: { [COPIED_FROM_ANNOTATION]: target.source },
    },
    type: content.type,
    data: { ...content.data },
  };
  if (!existing) return { action: 'create', secret: desired };
  if (!isOwnedByLifeboat(existing)) return { action: 'conflict' };
  if ((existing.type ?? 'Opaque') !== content.type) {
    return { action: 'replace-type', uid: existing.metadata.uid ?? '', secret: desired };
  }
  const ops: JsonPatchOp[] = [];
  if (!sameData(existing.data, content.data)) {
    ops.push({ op: existing.data ? 'replace' : 'add', path: '/data', value: { ...content.data } });
  }
  if (existing.metadata.annotations?.[COPIED_FROM_ANNOTATION] !== target.source) {
    ops.push(
      existing.metadata.annotations
        ? {
            op: 'add',
            path: `/metadata/annotations/${escapePointerToken(COPIED_FROM_ANNOTATION)}`,
            value: target.source,
          }
        : { op: 'add', path: '/metadata/annotations', value: { [COPIED_FROM_ANNOTATION]: target.source } },
    );
  }
  return ops.length === 0 ? { action: 'none' } : { action: 'update', ops: [...rvTest(existing), ...ops] };
}

/** Whether `sa` is one of the service accounts that get the pull secret. */
export function selectsServiceAccount(selection: readonly string[], sa: ServiceAccountObject): boolean {
  return selection.includes('*') || selection.includes(sa.metadata.name);
}

/** The pull secrets lifeboat's annotation says it added (comma-separated: one per configuration). */
function addedByLifeboat(sa: ServiceAccountObject): string[] {
  const value = sa.metadata.annotations?.[ADDED_PULL_SECRET_ANNOTATION];
  return value ? value.split(',').filter((n) => n !== '') : [];
}

/** Sets lifeboat's annotation to `names` (removes it when empty), creating `annotations` if needed. */
function annotationOp(sa: ServiceAccountObject, names: readonly string[]): JsonPatchOp {
  const path = `/metadata/annotations/${escapePointerToken(ADDED_PULL_SECRET_ANNOTATION)}`;
  if (names.length === 0) return { op: 'remove', path };
  if (!sa.metadata.annotations) {
    return {
      op: 'add',
      path: '/metadata/annotations',
      value: { [ADDED_PULL_SECRET_ANNOTATION]: names.join(',') },
    };
  }
  return { op: 'add', path, value: names.join(',') };
}

/**
 * Appends `secretName` to `imagePullSecrets` (creating the list when absent), keeping every other
 * entry and its order, and records the addition in lifeboat's annotation. `undefined`: already there.
 */
export function planServiceAccountAdd(
  sa: ServiceAccountObject,
  secretName: string,
): JsonPatchOp[] | undefined {
  if ((sa.imagePullSecrets ?? []).some((r) => r.name === secretName)) return undefined;
  return [
    ...rvTest(sa),
    sa.imagePullSecrets
      ? { op: 'add', path: '/imagePullSecrets/-', value: { name: secretName } }
      : { op: 'add', path: '/imagePullSecrets', value: [{ name: secretName }] },
    annotationOp(sa, [...addedByLifeboat(sa).filter((n) => n !== secretName), secretName]),
  ];
}

/**
 * Takes out exactly what `planServiceAccountAdd` put in: the entry lifeboat's annotation vouches
 * for, and its name in the annotation. `undefined`: lifeboat added nothing here.
 */
export function planServiceAccountRemove(
  sa: ServiceAccountObject,
  secretName: string,
): JsonPatchOp[] | undefined {
  const added = addedByLifeboat(sa);
  if (!added.includes(secretName)) return undefined;
  const ops: JsonPatchOp[] = [...rvTest(sa)];
  const index = (sa.imagePullSecrets ?? []).findIndex((r) => r.name === secretName);
  if (index !== -1) {
    ops.push({ op: 'test', path: `/imagePullSecrets/${index}`, value: { name: secretName } });
    ops.push({ op: 'remove', path: `/imagePullSecrets/${index}` });
  }
  ops.push(
    annotationOp(
      sa,
      added.filter((n) => n !== secretName),
    ),
  );
  return ops;
}
