/**
 * Pull-secret distribution's decisions (SPEC §1.5): pure functions of the objects as cached, so
 * every rule is a table test. `decideNamespace` reads one namespace's snapshot and says the next
 * step; apply.ts carries it out. Writes are guarded: every JSON patch starts with a `test` of the
 * resourceVersion it was decided from, so a concurrent writer makes it fail (422) and the namespace
 * is decided again on fresh state, never applied over someone's change.
 */
import type { JsonPatchOp, LabelSelector } from '../../kube/index.ts';
import { namespaceDisposition } from '../api/namespace-disposition.ts';
import {
  ADDED_PULL_SECRET_ANNOTATION,
  COPIED_FROM_ANNOTATION,
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
} from '../api/labels.ts';
import { escapePointerToken } from '../api/workload-pointer.ts';
import type { NamespaceObject, SecretObject, ServiceAccountObject } from '../api/core-objects.ts';
import type { NamespaceState, SyncResult } from './metrics.ts';
import { SourceSecretError, type PullSecretContent } from './source-secret.ts';

/** The configuration of distribution: the flags, as read once at start. */
export interface DistributionRules {
  /** `--backup-pull-secret`. */
  readonly source: { readonly namespace: string; readonly name: string };
  /** `--pull-secret-name`. */
  readonly secretName: string;
  /** `--pull-secret-service-accounts` (`*`: all). */
  readonly serviceAccounts: readonly string[];
  /** Every excluded namespace by name (defaults, flags, lifeboat's own); labels are read per object. */
  readonly excludedNamespaces: ReadonlySet<string>;
  /** `--namespace-selector`: a namespace it does not select is excluded too. Undefined: every one. */
  readonly namespaceSelector?: LabelSelector | undefined;
}

/** One namespace as the caches show it, with the source Secret already validated. */
export interface NamespaceSnapshot {
  readonly name: string;
  readonly namespace: NamespaceObject | undefined;
  /** The Secret named `--pull-secret-name` in it, whoever owns it. */
  readonly copy: SecretObject | undefined;
  readonly serviceAccounts: readonly ServiceAccountObject[];
  readonly source: PullSecretContent | SourceSecretError;
}

/** The next step for one namespace. */
export type NamespaceStep =
  /**
   * Nothing to do: the namespace is gone or being deleted (its objects go with it), or it is the
   * source's namespace and the copy would be the source itself (never written, nor removed as an
   * excluded namespace's copy: that would delete the source).
   */
  | { readonly kind: 'leave'; readonly why: 'gone' | 'terminating' | 'source-itself' }
  /** Excluded: take out what lifeboat added there, nothing else. */
  | { readonly kind: 'remove'; readonly removal: Removal }
  /** The source is missing or unusable: nothing changes anywhere until it is fixed (its event says when). */
  | { readonly kind: 'wait-for-source'; readonly problem: SourceSecretError }
  /** A Secret of that name that lifeboat does not own: nothing is written here, not even the accounts. */
  | { readonly kind: 'conflict'; readonly copy: SecretObject }
  /** Bring the copy and the chosen service accounts in line (both may be no-ops: in sync). */
  | {
      readonly kind: 'distribute';
      readonly copy: Exclude<PullSecretCopyChange, { action: 'conflict' }>;
      readonly accounts: readonly AccountPatch[];
    };

export function decideNamespace(s: NamespaceSnapshot, rules: DistributionRules): NamespaceStep {
  if (!s.namespace) return { kind: 'leave', why: 'gone' };
  if (s.name === rules.source.namespace && rules.secretName === rules.source.name)
    return { kind: 'leave', why: 'source-itself' };
  const disposition = namespaceDisposition(s.namespace, rules.excludedNamespaces, rules.namespaceSelector);
  if (disposition === 'terminating') return { kind: 'leave', why: 'terminating' };
  if (disposition === 'excluded')
    return { kind: 'remove', removal: removalOf(s.copy, s.serviceAccounts, rules.secretName) };
  if (s.source instanceof SourceSecretError) return { kind: 'wait-for-source', problem: s.source };
  const copy = pullSecretCopyChange(s.source, s.copy, {
    namespace: s.name,
    name: rules.secretName,
    source: `${rules.source.namespace}/${rules.source.name}`,
  });
  if (copy.action === 'conflict') return { kind: 'conflict', copy: s.copy! };
  const accounts: AccountPatch[] = [];
  for (const sa of s.serviceAccounts) {
    if (!selectsServiceAccount(rules.serviceAccounts, sa)) continue;
    const ops = planServiceAccountAdd(sa, rules.secretName);
    if (ops) accounts.push({ name: sa.metadata.name, ops });
  }
  return { kind: 'distribute', copy, accounts };
}

/** What a reconcile that carries out `step` does, for `lifeboat_pull_secret_syncs_total{result}` (none: not counted). */
export function syncResultOf(step: NamespaceStep): SyncResult | undefined {
  switch (step.kind) {
    case 'leave':
      return undefined;
    case 'remove':
      return isEmptyRemoval(step.removal) ? undefined : 'removed';
    case 'wait-for-source':
      return 'source_invalid';
    case 'conflict':
      return 'conflict';
    case 'distribute':
      if (step.copy.action === 'create') return 'created';
      return step.copy.action === 'none' && step.accounts.length === 0 ? 'unchanged' : 'updated';
  }
}

/**
 * Where a namespace stands, for `lifeboat_pull_secret_namespaces{state}`: `synced` once nothing is
 * left to write, `excluded` and `conflict` as decided; a namespace with writes pending, one left
 * alone and any while the source is unusable are not counted.
 */
export function namespaceStateOf(step: NamespaceStep): NamespaceState | undefined {
  switch (step.kind) {
    case 'remove':
      return 'excluded';
    case 'conflict':
      return 'conflict';
    case 'distribute':
      return syncResultOf(step) === 'unchanged' ? 'synced' : undefined;
    default:
      return undefined;
  }
}

export function isOwnedByLifeboat(obj: { metadata: { labels?: Record<string, string> } }): boolean {
  return obj.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE;
}

/** What to write to a namespace's copy of the pull secret to make it the source's. */
export type PullSecretCopyChange =
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

export function pullSecretCopyChange(
  content: PullSecretContent,
  existing: SecretObject | undefined,
  target: { namespace: string; name: string; source: string },
): PullSecretCopyChange {
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

/** One service account's guarded patch. */
export interface AccountPatch {
  readonly name: string;
  readonly ops: readonly JsonPatchOp[];
}

/** What lifeboat added to a namespace, to take out again (empty: nothing of lifeboat's is left). */
export interface Removal {
  readonly accounts: readonly AccountPatch[];
  /** lifeboat's own copy (it carries lifeboat's label), deleted only in this incarnation (its uid). */
  readonly copy?: { readonly name: string; readonly uid?: string };
}

/**
 * Takes out exactly what distribution put in: the service-account entries lifeboat's annotation
 * vouches for, and the copy only when it carries lifeboat's label.
 */
export function removalOf(
  copy: SecretObject | undefined,
  serviceAccounts: readonly ServiceAccountObject[],
  secretName: string,
): Removal {
  const accounts: AccountPatch[] = [];
  for (const sa of serviceAccounts) {
    const ops = planServiceAccountRemove(sa, secretName);
    if (ops) accounts.push({ name: sa.metadata.name, ops });
  }
  if (!copy || !isOwnedByLifeboat(copy)) return { accounts };
  return {
    accounts,
    copy: { name: copy.metadata.name, ...(copy.metadata.uid ? { uid: copy.metadata.uid } : {}) },
  };
}

export const isEmptyRemoval = (r: Removal): boolean => r.accounts.length === 0 && r.copy === undefined;
