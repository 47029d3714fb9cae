/**
 * Paginated LIST (`limit` + `continue`), as client-go's pager: the pages of one list share one
 * snapshot, whose resourceVersion is where the following watch starts. If a continue token expires
 * (410 while paging a large list slowly), the whole list starts over once; a second expiry is an
 * error for the caller's backoff.
 */
import { isGone } from './api-client-errors.ts';
import type { KubeRequester, QueryValue } from './api-client.ts';
import type { KubeObject } from './store.ts';

export interface ListPage<T> {
  items: T[];
  resourceVersion: string;
  /** Token for the next page; empty or absent on the last one. */
  continueToken?: string | undefined;
}

export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
  pages: number;
}

/** Bounds a misbehaving server that never stops handing out continue tokens. */
export const MAX_LIST_PAGES = 100_000;

/** Collects every page that `fetchPage` returns, restarting once on an expired continue token. */
export async function listAllPages<T>(
  fetchPage: (continueToken: string | undefined) => Promise<ListPage<T>>,
  maxPages = MAX_LIST_PAGES,
): Promise<ListResult<T>> {
  for (let round = 0; ; round++) {
    const items: T[] = [];
    let token: string | undefined;
    let pages = 0;
    try {
      for (;;) {
        const page = await fetchPage(token);
        pages++;
        for (const item of page.items) items.push(item);
        token = page.continueToken || undefined;
        if (token === undefined) return { items, resourceVersion: page.resourceVersion, pages };
        if (pages >= maxPages) throw new Error(`list did not end after ${maxPages} pages`);
      }
    } catch (err) {
      if (round === 0 && token !== undefined && isGone(err)) continue;
      throw err;
    }
  }
}

export interface KubeListOptions<T> {
  path: string;
  /**
   * Applied to each item as its page arrives (an informer's transform): the raw page is garbage once
   * mapped, so a large list never holds every object as served at once (at 10,000 Deployments the
   * fields a transform drops are about two thirds of the bytes: docs/informer-memory.md).
   */
  prepare: (obj: KubeObject) => T;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  limit: number;
  signal?: AbortSignal | undefined;
}

interface KubeListBody {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: KubeObject[] | null;
}

/**
 * Lists a collection through `api`, page by page. `resourceVersion` is left unset: a consistent
 * (quorum) read, so a relist after 410 never goes back in time.
 */
export function listKubeObjects<T>(api: KubeRequester, o: KubeListOptions<T>): Promise<ListResult<T>> {
  return listAllPages(async (continueToken) => {
    const query: Record<string, QueryValue> = {
      limit: o.limit,
      continue: continueToken,
      labelSelector: o.labelSelector,
      fieldSelector: o.fieldSelector,
    };
    const body = await api.requestJson<KubeListBody>({ path: o.path, query, signal: o.signal });
    const resourceVersion = body.metadata?.resourceVersion;
    if (typeof resourceVersion !== 'string' || resourceVersion === '') {
      throw new Error(`list ${o.path} returned no metadata.resourceVersion`);
    }
    const items = body.items ?? [];
    // List items come without apiVersion/kind while watch events carry them: fill them in so cached
    // objects look the same whichever way they arrived.
    const kind = body.kind?.endsWith('List') ? body.kind.slice(0, -'List'.length) : undefined;
    if (kind && body.apiVersion) {
      for (const item of items) {
        item.apiVersion ??= body.apiVersion;
        item.kind ??= kind;
      }
    }
    return { items: items.map(o.prepare), resourceVersion, continueToken: body.metadata?.continue };
  });
}
