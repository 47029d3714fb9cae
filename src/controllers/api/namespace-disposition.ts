import { IGNORE_LABEL } from './labels.ts';
import type { NamespaceObject } from './core-objects.ts';

/**
 * What pull-secret distribution does with a namespace:
 * - `active`: it gets the copy and its service accounts the reference;
 * - `excluded`: listed, labelled `lifeboat.dev/ignore=true`, or lifeboat's own: what lifeboat added
 *   there is removed, nothing else is touched;
 * - `terminating`: being deleted; left alone (writes would fail with 403 and the namespace's
 *   objects go away with it anyway).
 */
export type NamespaceDisposition = 'active' | 'excluded' | 'terminating';

export function namespaceDisposition(
  ns: NamespaceObject,
  excluded: ReadonlySet<string>,
): NamespaceDisposition {
  if (ns.metadata.deletionTimestamp !== undefined || ns.status?.phase === 'Terminating') return 'terminating';
  if (excluded.has(ns.metadata.name) || ns.metadata.labels?.[IGNORE_LABEL] === 'true') return 'excluded';
  return 'active';
}
