import { matchesLabels, type LabelSelector } from '../../kube/index.ts';
import { IGNORE_LABEL } from './labels.ts';
import type { NamespaceObject } from './core-objects.ts';

/**
 * What every controller does with a namespace (one rule for all of them: pull secrets, backups,
 * rewrites):
 * - `active`: its workloads are backed up and rewritten, it gets the pull-secret copy and its
 *   service accounts the reference;
 * - `excluded`: listed, labelled `lifeboat.dev/ignore=true`, lifeboat's own, or outside
 *   `--namespace-selector`: nothing is backed up or rewritten there, and what lifeboat added there
 *   is removed, nothing else is touched;
 * - `terminating`: being deleted; left alone (writes would fail with 403 and the namespace's
 *   objects go away with it anyway).
 * Labels are read from the namespace as cached, so a namespace relabelled into or out of the
 * selector changes disposition at its next update event.
 */
export type NamespaceDisposition = 'active' | 'excluded' | 'terminating';

/** Why a namespace is excluded, for people (`lifeboat status`): by name, by label, by the selector. */
export type NamespaceExclusion = 'listed' | 'ignore-label' | 'outside-selector';

/**
 * `excluded`: the namespaces left alone by name (defaults, `--exclude-namespaces`, lifeboat's own).
 * `selector`: `--namespace-selector`; undefined selects every namespace.
 */
export function namespaceDisposition(
  ns: NamespaceObject,
  excluded: ReadonlySet<string>,
  selector?: LabelSelector,
): NamespaceDisposition {
  if (ns.metadata.deletionTimestamp !== undefined || ns.status?.phase === 'Terminating') return 'terminating';
  return namespaceExclusion(ns, excluded, selector) === undefined ? 'active' : 'excluded';
}

/** Why `ns` is excluded (the first reason that holds), or undefined when it is not. */
export function namespaceExclusion(
  ns: NamespaceObject,
  excluded: ReadonlySet<string>,
  selector?: LabelSelector,
): NamespaceExclusion | undefined {
  if (excluded.has(ns.metadata.name)) return 'listed';
  if (ns.metadata.labels?.[IGNORE_LABEL] === 'true') return 'ignore-label';
  if (selector !== undefined && !matchesLabels(selector, ns.metadata.labels)) return 'outside-selector';
  return undefined;
}
