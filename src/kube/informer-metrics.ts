/**
 * Prometheus metrics of informers, shared by every informer registered into the same registry
 * (prom-client refuses a second metric of the same name, so the first informer creates them and
 * later ones reuse them). All series carry `informer` = the informer's name.
 */
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import { perRegistry } from '../common/metric-families.ts';

export interface InformerMetrics {
  listed(): void;
  watchFailed(reason: string): void;
  /** Registers the callbacks the gauges read at scrape time; returns the unregister function. */
  track(sources: {
    lastEventAt: () => number | undefined;
    size: () => number;
    now: () => number;
  }): () => void;
}

interface Shared {
  lists: Counter<'informer'>;
  failures: Counter<'informer' | 'reason'>;
  sources: Map<string, { lastEventAt: () => number | undefined; size: () => number; now: () => number }>;
}

const sharedFor = perRegistry((registry): Shared => {
  const sources: Shared['sources'] = new Map();
  const shared: Shared = {
    sources,
    lists: new Counter({
      name: 'lifeboat_informer_lists_total',
      help: 'Full LISTs made by the informer (initial sync and relists after 410 Gone)',
      labelNames: ['informer'],
      registers: [registry],
    }),
    failures: new Counter({
      name: 'lifeboat_informer_failures_total',
      help: 'List or watch failures after which the informer backed off and restarted, by reason',
      labelNames: ['informer', 'reason'],
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'lifeboat_informer_seconds_since_last_event',
    help: 'Seconds since the informer last received a watch event (bookmarks included) or list',
    labelNames: ['informer'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, s] of sources) {
        const at = s.lastEventAt();
        if (at !== undefined) this.set({ informer: name }, (s.now() - at) / 1000);
      }
    },
  });
  new Gauge({
    name: 'lifeboat_informer_objects',
    help: 'Objects in the informer cache',
    labelNames: ['informer'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [name, s] of sources) this.set({ informer: name }, s.size());
    },
  });
  return shared;
});

export function informerMetrics(registry: Registry | undefined, informer: string): InformerMetrics {
  if (registry === undefined) return { listed() {}, watchFailed() {}, track: () => () => {} };
  const s = sharedFor(registry);
  return {
    listed: () => s.lists.inc({ informer }),
    watchFailed: (reason) => s.failures.inc({ informer, reason }),
    track(sources) {
      s.sources.set(informer, sources);
      return () => {
        if (s.sources.get(informer) === sources) s.sources.delete(informer);
      };
    },
  };
}
