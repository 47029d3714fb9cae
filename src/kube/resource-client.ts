/**
 * A typed client for one resource on plain JSON: what controllers call to read and write objects.
 *
 * - Built on `KubeRequester.requestJson`, so every call shares the API client's agent, token
 *   bucket, timeout and retry rules. Paths come from `resourcePath`; no caller builds one.
 * - Objects are the API server's JSON as is (times stay strings, MicroTime keeps its precision),
 *   typed by the caller's structural type `T`.
 * - Writes take a `fieldManager` (default `lifeboat`), so managedFields say who wrote what.
 * - Errors are `KubeApiError` / `KubeTransportError`; `isNotFound`, `isConflict`,
 *   `isAlreadyExists` and `isInvalid` classify them by status, never by message.
 */
import { KubeApiError } from './api-client-errors.ts';
import { listAllPages } from './list-pager.ts';
import type { KubeRequester, QueryValue } from './api-client.ts';
import { resourcePath, apiVersionOf } from './resource.ts';
import type { Resource } from './resource.ts';
import type { KubeObject } from './store.ts';

/** One RFC 6902 operation. `path` is a JSON pointer (`/spec/template/spec/containers/0/image`). */
export type JsonPatchOp =
  { op: 'test' | 'add' | 'replace'; path: string; value: unknown } | { op: 'remove'; path: string };

/** How one call is sent; the API client's defaults apply to what is left out. */
export interface SendOptions {
  signal?: AbortSignal | undefined;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  /** `false` bypasses the client's token bucket (lease renewals must not starve). */
  rateLimited?: boolean;
  /** `false`: one attempt, no retry (a caller with its own deadline, such as leader election). */
  retry?: boolean;
}

export interface CallOptions extends SendOptions {
  /** Required for a namespaced resource, refused for a cluster-scoped one. */
  namespace?: string | undefined;
}

export interface WriteOptions extends CallOptions {
  /** Server-side validation and admission only; nothing is persisted. */
  dryRun?: boolean;
  fieldManager?: string;
}

export interface ListOptions extends SendOptions {
  /** Omitted for a namespaced resource: every namespace. */
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  limit?: number | undefined;
  continueToken?: string | undefined;
}

export interface ObjectList<T> {
  items: T[];
  metadata: { resourceVersion?: string; continue?: string };
}

export interface DeleteOptions extends CallOptions {
  /** Delete only this incarnation / version of the object (409 Conflict otherwise). */
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  dryRun?: boolean;
}

/** What every object the client reads or writes has; callers give their own structural `T`. */
export interface NamedObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string };
}

export interface ResourceClient<T extends NamedObject> {
  readonly resource: Resource;
  get(name: string, o?: CallOptions): Promise<T>;
  /** `get` that answers `undefined` for 404 instead of throwing. */
  find(name: string, o?: CallOptions): Promise<T | undefined>;
  /** One page. */
  list(o?: ListOptions): Promise<ObjectList<T>>;
  /** Every page (client-go's pager: restarts once on an expired continue token). */
  listAll(o?: Omit<ListOptions, 'continueToken'>): Promise<T[]>;
  /** `apiVersion` and `kind` are filled in from the resource. */
  create(obj: T, o?: WriteOptions): Promise<T>;
  /** PUT: replaces the object; `metadata.resourceVersion` makes it conditional (409 on a race). */
  replace(obj: T, o?: WriteOptions): Promise<T>;
  /** RFC 6902: applied atomically; a failed `test` op is a 422 (`isInvalid`), nothing applied. */
  jsonPatch(name: string, ops: readonly JsonPatchOp[], o?: WriteOptions): Promise<T>;
  /** RFC 7386 merge patch (`null` deletes a key; lists are replaced whole). */
  mergePatch(name: string, patch: object, o?: WriteOptions): Promise<T>;
  /** Merge patch of the `status` subresource. */
  patchStatus(name: string, patch: object, o?: WriteOptions): Promise<T>;
  /** Resolves also when the object was already gone (404). */
  delete(name: string, o?: DeleteOptions): Promise<void>;
}

export const DEFAULT_FIELD_MANAGER = 'lifeboat';

/** client-go's pager default: 10k objects in 20 calls, no page big enough to strain the server. */
const DEFAULT_PAGE_SIZE = 500;

export function resourceClient<T extends NamedObject = KubeObject>(
  api: KubeRequester,
  resource: Resource,
  defaults: { fieldManager?: string } = {},
): ResourceClient<T> {
  const fieldManagerOf = (o: WriteOptions | undefined): string =>
    o?.fieldManager ?? defaults.fieldManager ?? DEFAULT_FIELD_MANAGER;
  const writeQuery = (o: WriteOptions | undefined): Record<string, QueryValue> => ({
    fieldManager: fieldManagerOf(o),
    dryRun: o?.dryRun ? 'All' : undefined,
  });
  const objectPath = (name: string, o: CallOptions | undefined, subresource?: string): string =>
    resourcePath(resource, {
      ...(o?.namespace !== undefined ? { namespace: o.namespace } : {}),
      name,
      ...(subresource !== undefined ? { subresource } : {}),
    });
  const collectionPath = (namespace: string | undefined): string =>
    resourcePath(resource, namespace !== undefined ? { namespace } : {});
  const send = (o: SendOptions | undefined): SendOptions => ({
    signal: o?.signal,
    ...(o?.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
    ...(o?.rateLimited !== undefined ? { rateLimited: o.rateLimited } : {}),
    ...(o?.retry !== undefined ? { retry: o.retry } : {}),
  });
  const typed = (obj: T): T => ({ ...obj, apiVersion: apiVersionOf(resource), kind: resource.kind });
  const patch = (
    name: string,
    body: unknown,
    contentType: string,
    o: WriteOptions | undefined,
    sub?: string,
  ) =>
    api.requestJson<T>({
      method: 'PATCH',
      path: objectPath(name, o, sub),
      query: writeQuery(o),
      body,
      contentType,
      ...send(o),
    });

  const client: ResourceClient<T> = {
    resource,
    get: (name, o) => api.requestJson<T>({ path: objectPath(name, o), ...send(o) }),
    async find(name, o) {
      try {
        return await client.get(name, o);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    },
    list: (o = {}) =>
      api.requestJson<ObjectList<T>>({
        path: collectionPath(o.namespace),
        query: {
          labelSelector: o.labelSelector,
          fieldSelector: o.fieldSelector,
          limit: o.limit,
          continue: o.continueToken,
        },
        ...send(o),
      }),
    async listAll(o = {}) {
      const all = await listAllPages(async (continueToken) => {
        const page = await client.list({ limit: DEFAULT_PAGE_SIZE, ...o, continueToken });
        return {
          items: page.items,
          resourceVersion: page.metadata.resourceVersion ?? '',
          continueToken: page.metadata.continue,
        };
      });
      return all.items;
    },
    create: (obj, o) =>
      api.requestJson<T>({
        method: 'POST',
        path: collectionPath(o?.namespace ?? (resource.namespaced ? obj.metadata.namespace : undefined)),
        query: writeQuery(o),
        body: typed(obj),
        ...send(o),
      }),
    replace: (obj, o) =>
      api.requestJson<T>({
        method: 'PUT',
        path: objectPath(obj.metadata.name, {
          namespace: o?.namespace ?? (resource.namespaced ? obj.metadata.namespace : undefined),
        }),
        query: writeQuery(o),
        body: typed(obj),
        ...send(o),
      }),
    jsonPatch: (name, ops, o) => patch(name, ops, 'application/json-patch+json', o),
    mergePatch: (name, body, o) => patch(name, body, 'application/merge-patch+json', o),
    patchStatus: (name, body, o) => patch(name, body, 'application/merge-patch+json', o, 'status'),
    async delete(name, o) {
      try {
        await api.requestJson({
          method: 'DELETE',
          path: objectPath(name, o),
          query: { dryRun: o?.dryRun ? 'All' : undefined },
          body: {
            apiVersion: 'v1',
            kind: 'DeleteOptions',
            ...(o?.preconditions ? { preconditions: o.preconditions } : {}),
            ...(o?.propagationPolicy ? { propagationPolicy: o.propagationPolicy } : {}),
          },
          ...send(o),
        });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
  return client;
}

const statusOf = (err: unknown): number | undefined => (err instanceof KubeApiError ? err.status : undefined);

/** 404: the object (or its namespace) does not exist. */
export const isNotFound = (err: unknown): boolean => statusOf(err) === 404;
/** 409 with reason Conflict: a resourceVersion precondition failed; re-read and try again. */
export const isConflict = (err: unknown): boolean =>
  statusOf(err) === 409 && (err as KubeApiError).reason !== 'AlreadyExists';
/** 409 with reason AlreadyExists: a create found the name taken. */
export const isAlreadyExists = (err: unknown): boolean =>
  statusOf(err) === 409 && (err as KubeApiError).reason === 'AlreadyExists';
/** 422: the request is invalid — including a JSON patch whose `test` op failed. */
export const isInvalid = (err: unknown): boolean => statusOf(err) === 422;
