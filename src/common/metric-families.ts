import type { Registry } from 'prom-client';

/**
 * Memoises metric families per prom-client Registry: `create` runs once for each Registry, and every
 * later call with the same Registry returns what it made then.
 *
 * prom-client refuses a second metric of the same name in one Registry, while lifeboat makes many
 * informers, queues, controllers and electors that report into the same families (told apart by a
 * label). So the first component to report into a Registry creates the families and the others reuse
 * them. The cache holds Registries weakly: a Registry dropped by its owner (a test's) takes its
 * families with it.
 *
 * Only a type is imported from prom-client: modules that never record metrics do not load it.
 */
export function perRegistry<T>(create: (registry: Registry) => T): (registry: Registry) => T {
  const cache = new WeakMap<Registry, T>();
  return (registry) => {
    if (cache.has(registry)) return cache.get(registry) as T;
    const families = create(registry);
    cache.set(registry, families);
    return families;
  };
}
