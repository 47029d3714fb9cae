// Objects applied to the real API server as kubectl would: the resource found by discovery, a
// server-side dry run that must persist nothing, then the real create. Used for deploy/ and for the
// chart's rendering.
import assert from 'node:assert/strict';
import type { ControlPlane } from '../../../src/devenv/index.ts';

export interface ApplyObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

export interface Located {
  readonly object: ApplyObject;
  /** The collection the object is created in. */
  readonly collection: string;
  /** The object itself. */
  readonly path: string;
}

export function describeResponse(res: { status: number; body: unknown }): string {
  return `${res.status} ${JSON.stringify(res.body)}`;
}

/** Finds the resource of an object's kind by discovery, as kubectl does. */
export async function locate(cp: ControlPlane, object: ApplyObject): Promise<Located> {
  const base = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
  const discovery = await cp.request('GET', base);
  assert.equal(discovery.status, 200, `discovery of ${object.apiVersion}`);
  const resources = (discovery.body as { resources: { name: string; kind: string; namespaced: boolean }[] })
    .resources;
  const resource = resources.find((r) => r.kind === object.kind && !r.name.includes('/'));
  assert.ok(resource, `the API server serves ${object.kind} in ${object.apiVersion}`);
  const ns = object.metadata.namespace;
  assert.equal(resource.namespaced, ns !== undefined, `${object.kind}: namespace set iff namespaced`);
  const collection = `${base}${ns === undefined ? '' : `/namespaces/${ns}`}/${resource.name}`;
  return { object, collection, path: `${collection}/${object.metadata.name}` };
}

/**
 * Dry run then create, strict field validation. The namespace must exist before a namespaced
 * object's dry run (admission checks it), so the cluster-scoped objects go first: dry run, then
 * created, then the namespaced ones the same way. Each created object is pushed onto `created` at
 * once, so a caller deletes what exists even when a later one fails.
 */
export async function dryRunThenCreate(
  cp: ControlPlane,
  objects: readonly ApplyObject[],
  created: Located[],
): Promise<void> {
  const located = await Promise.all(objects.map((o) => locate(cp, o)));
  const clusterScoped = located.filter((l) => l.object.metadata.namespace === undefined);
  const namespaced = located.filter((l) => l.object.metadata.namespace !== undefined);
  for (const group of [clusterScoped, namespaced]) {
    for (const l of group) {
      const res = await cp.request('POST', `${l.collection}?dryRun=All&fieldValidation=Strict`, l.object);
      assert.equal(res.status, 201, `dry run of ${l.object.kind}: ${describeResponse(res)}`);
      assert.equal((await cp.request('GET', l.path)).status, 404, `${l.object.kind} persisted by a dry run`);
    }
    for (const l of group) {
      const res = await cp.request('POST', `${l.collection}?fieldValidation=Strict`, l.object);
      assert.equal(res.status, 201, `create ${l.object.kind}: ${describeResponse(res)}`);
      created.push(l);
    }
  }
}

/**
 * An upgrade (as `helm upgrade` makes it): each object that exists is replaced (PUT, strict field
 * validation, at the resourceVersion read), the others are created as dryRunThenCreate does,
 * cluster-scoped first; the created ones are pushed onto `created`.
 */
export async function createOrReplace(
  cp: ControlPlane,
  objects: readonly ApplyObject[],
  created: Located[],
): Promise<void> {
  const located = await Promise.all(objects.map((o) => locate(cp, o)));
  const missing: ApplyObject[] = [];
  for (const l of located) {
    const current = await cp.request('GET', l.path);
    if (current.status === 404) {
      missing.push(l.object);
      continue;
    }
    assert.equal(current.status, 200, `GET ${l.path}: ${describeResponse(current)}`);
    const { resourceVersion } = (current.body as { metadata: { resourceVersion: string } }).metadata;
    const body = { ...l.object, metadata: { ...l.object.metadata, resourceVersion } };
    const res = await cp.request('PUT', `${l.path}?fieldValidation=Strict`, body);
    assert.equal(res.status, 200, `replace ${l.object.kind}: ${describeResponse(res)}`);
  }
  await dryRunThenCreate(cp, missing, created);
}

/** Deletes in reverse order; a namespace takes its objects with it (in the background). */
export async function deleteCreated(cp: ControlPlane, created: readonly Located[]): Promise<void> {
  for (const { path } of [...created].reverse()) {
    const res = await cp.request('DELETE', path);
    assert.ok([200, 202, 404].includes(res.status), `DELETE ${path}: ${describeResponse(res)}`);
  }
}
