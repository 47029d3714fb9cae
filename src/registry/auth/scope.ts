// Token scopes (distribution `scope.md`): `repository:<name>:<actions>` or `registry:catalog:*`. The
// name may itself contain `host:port`, so a scope is split at its first and last colon only.

export interface Scope {
  readonly type: string;
  readonly name: string;
  readonly actions: readonly string[];
}

/** `repository:<repo>:pull`: what every read needs. */
export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

/** `repository:<repo>:pull,push`: what every write needs (registries check pull on push too). */
export function pushScope(repository: string): string {
  return `repository:${repository}:pull,push`;
}

export function parseScope(scope: string): Scope | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter((a) => a !== ''),
  };
}

/**
 * Merges the scopes a server asked for (`insufficient_scope`) with the ones already requested. The new
 * ones come first, because some token servers only honour the first scope (ggcr does the same); exact
 * duplicates are dropped, order otherwise kept.
 */
export function mergeScopes(wanted: readonly string[], current: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const s of [...wanted, ...current]) {
    if (s === '' || seen.has(s)) continue;
    seen.add(s);
    out.push(s);
  }
  return out;
}

/** A cache key for a set of scopes: order and duplicates do not change what a token grants. */
export function scopeKey(scopes: readonly string[]): string {
  return [...new Set(scopes)].sort().join(' ');
}

/** True when every scope in `needed` is granted by a scope in `held` (same resource, superset of actions). */
export function scopesCover(held: readonly string[], needed: readonly string[]): boolean {
  const parsedHeld = held.map(parseScope).filter((s): s is Scope => s !== undefined);
  return needed.every((n) => {
    const want = parseScope(n);
    if (want === undefined) return held.includes(n);
    return parsedHeld.some(
      (h) =>
        h.type === want.type &&
        h.name === want.name &&
        (h.actions.includes('*') || want.actions.every((a) => h.actions.includes(a))),
    );
  });
}
