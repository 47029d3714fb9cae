// Shape checks of manifest and index bodies: only the fields the engine relies on are checked, other
// fields are kept (the bytes are never re-serialised anyway). Hand-written rather than a schema library:
// this runs once per copied manifest, and loading zod alone cost ~60 ms of every `lifeboat copy`.
import { LifeboatError } from '../../common/errors.ts';
import type { Descriptor } from '../model/types.ts';
import { isVerifiedDigest } from './verified-digest.ts';

/** The first problem found: where (a dotted path, empty at the top) and what. */
export interface ShapeIssue {
  readonly path: string;
  readonly message: string;
}

type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issue: ShapeIssue };

/** Thrown inside the checks and turned into a `ShapeIssue` by `check`; it never escapes. */
class Issue extends LifeboatError {
  readonly code = 'MANIFEST_SHAPE';
  /** The same bytes fail the same way on every attempt. */
  readonly temporary = false;
  readonly path: string;
  constructor(path: string, message: string) {
    super(message);
    this.path = path;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function optionalString(o: Record<string, unknown>, key: string, path: string): void {
  if (o[key] !== undefined && typeof o[key] !== 'string')
    throw new Issue(`${path}.${key}`, 'expected string');
}

function descriptor(v: unknown, path: string): Descriptor {
  if (!isObject(v)) throw new Issue(path, 'expected object');
  if (typeof v['mediaType'] !== 'string' || v['mediaType'] === '')
    throw new Issue(`${path}.mediaType`, 'expected a non-empty string');
  if (typeof v['digest'] !== 'string' || !isVerifiedDigest(v['digest']))
    throw new Issue(`${path}.digest`, 'expected sha256:<64 hex> or sha512:<128 hex>');
  const size = v['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw new Issue(`${path}.size`, 'expected a non-negative integer');
  const platform = v['platform'];
  if (platform !== undefined) {
    if (!isObject(platform)) throw new Issue(`${path}.platform`, 'expected object');
    for (const key of ['os', 'architecture'])
      if (typeof platform[key] !== 'string') throw new Issue(`${path}.platform.${key}`, 'expected string');
    optionalString(platform, 'variant', `${path}.platform`);
    optionalString(platform, 'os.version', `${path}.platform`);
  }
  const annotations = v['annotations'];
  if (annotations !== undefined) {
    if (!isObject(annotations)) throw new Issue(`${path}.annotations`, 'expected object');
    for (const key of Object.keys(annotations)) optionalString(annotations, key, `${path}.annotations`);
  }
  const urls = v['urls'];
  if (urls !== undefined && !(Array.isArray(urls) && urls.every((u) => typeof u === 'string')))
    throw new Issue(`${path}.urls`, 'expected an array of strings');
  return v as unknown as Descriptor;
}

function descriptors(v: unknown, path: string): Descriptor[] {
  if (!Array.isArray(v)) throw new Issue(path, 'expected array');
  return v.map((d, i) => descriptor(d, `${path}.${i}`));
}

function schemaVersion2(body: Record<string, unknown>): void {
  if (body['schemaVersion'] !== 2) throw new Issue('schemaVersion', 'expected 2');
}

function check<T>(fn: () => T): Result<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    if (error instanceof Issue) return { ok: false, issue: { path: error.path, message: error.message } };
    throw error;
  }
}

/** `schemaVersion: 2` and a `manifests` array of descriptors. */
export function checkIndexShape(body: Record<string, unknown>): Result<{ manifests: Descriptor[] }> {
  return check(() => {
    schemaVersion2(body);
    return { manifests: descriptors(body['manifests'], 'manifests') };
  });
}

/** `schemaVersion: 2`, a `config` descriptor and a `layers` array of descriptors. */
export function checkImageShape(
  body: Record<string, unknown>,
): Result<{ config: Descriptor; layers: Descriptor[] }> {
  return check(() => {
    schemaVersion2(body);
    return { config: descriptor(body['config'], 'config'), layers: descriptors(body['layers'], 'layers') };
  });
}
