// The plain manifests of deploy/ (top level only: deploy/crd/ is applied first, on its own, and
// deploy/grafana/ holds a dashboard, not Kubernetes objects), in the order `kubectl apply -f deploy/`
// applies them: file names sort by their numeric prefix.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEPLOY_DIR = fileURLToPath(new URL('../../deploy/', import.meta.url));

export interface Manifest {
  readonly file: string;
  readonly object: KubeObject;
}

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

export function deployManifests(): Manifest[] {
  return readdirSync(DEPLOY_DIR, { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => entry.name)
    .sort()
    .map((file) => ({ file, object: JSON.parse(readFileSync(DEPLOY_DIR + file, 'utf8')) as KubeObject }));
}

/** The one object of `kind` (the manifests hold exactly one of each kind the tests look at). */
export function manifestOf<T = KubeObject>(kind: string): T {
  const found = deployManifests().filter((m) => m.object.kind === kind);
  if (found.length !== 1) throw new Error(`deploy/ holds ${found.length} ${kind} manifests, expected 1`);
  return found[0]!.object as T;
}
