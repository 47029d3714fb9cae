// What a user did, read from the kube-apiserver's audit log (JSON lines, level Metadata), set against
// what RBAC rules grant, both as `group/resource[/subresource] verb` keys.
import { readFileSync } from 'node:fs';

interface AuditEvent {
  readonly verb: string;
  readonly user: { readonly username: string };
  readonly objectRef?: {
    readonly apiGroup?: string;
    readonly resource?: string;
    readonly subresource?: string;
    readonly namespace?: string;
    readonly name?: string;
  };
  readonly requestReceivedTimestamp?: string;
  readonly responseStatus?: { readonly code?: number };
}

export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
}

const key = (group: string, resource: string, verb: string): string =>
  `${group || 'core'}/${resource} ${verb}`;

/** Every (group, resource, verb) the rules grant; no wildcard is expected (and none is expanded). */
export function granted(rules: readonly PolicyRule[]): Set<string> {
  const keys = new Set<string>();
  for (const r of rules)
    for (const g of r.apiGroups)
      for (const res of r.resources) for (const v of r.verbs) keys.add(key(g, res, v));
  return keys;
}

export interface Usage {
  /** Resource requests the user made, allowed or not. */
  readonly used: Set<string>;
  /** Requests refused (401/403), as `key → count`. */
  readonly denied: Map<string, number>;
  /**
   * Requests that named their object, as `key namespace/name` (`key /name` when cluster-scoped): a
   * get, or a list or watch with a `metadata.name` field selector (what `resourceNames` can grant).
   */
  readonly named: Set<string>;
}

/** `since`: only the requests the apiserver received at or after this time (ms since the epoch). */
export function usageOf(logPath: string, username: string, options: { readonly since?: number } = {}): Usage {
  const used = new Set<string>();
  const denied = new Map<string, number>();
  const named = new Set<string>();
  for (const line of readFileSync(logPath, 'utf8').split('\n')) {
    if (line === '') continue;
    const event = JSON.parse(line) as AuditEvent;
    const ref = event.objectRef;
    if (event.user.username !== username || ref?.resource === undefined) continue;
    const received = Date.parse(event.requestReceivedTimestamp ?? '');
    if (options.since !== undefined && !(received >= options.since)) continue;
    const k = key(
      ref.apiGroup ?? '',
      ref.subresource ? `${ref.resource}/${ref.subresource}` : ref.resource,
      event.verb,
    );
    used.add(k);
    if (ref.name !== undefined) named.add(`${k} ${ref.namespace ?? ''}/${ref.name}`);
    const code = event.responseStatus?.code ?? 0;
    if (code === 401 || code === 403) denied.set(k, (denied.get(k) ?? 0) + 1);
  }
  return { used, denied, named };
}
