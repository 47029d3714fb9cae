// Parses a manifest or index from its exact bytes. The bytes are never re-serialised (their hash is
// the manifest's identity); parsing only tells what to copy underneath them.
//
// Contract: the type is the body's `mediaType`, else the response's Content-Type, else inferred from
// the shape (OCI allows omitting `mediaType`). A body and a Content-Type that disagree are refused, as
// are schema 1 and every type this engine does not copy, with an error naming the type.
import type { Descriptor } from '../model/types.ts';
import { InvalidManifestError, MediaTypeMismatchError, UnsupportedManifestError } from './errors.ts';
import {
  DOCKER_SCHEMA1,
  OCI_INDEX,
  OCI_MANIFEST,
  headerMediaType,
  isNonDistributable,
  isSchema1,
  manifestKind,
  type ManifestKind,
} from './media-types.ts';
import { checkImageShape, checkIndexShape } from './shape.ts';

export interface ParsedIndex {
  readonly kind: 'index';
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
}

export interface ParsedImage {
  readonly kind: 'image';
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

export type ParsedManifest = ParsedIndex | ParsedImage;

/** The manifest's type, decided as the module contract says; throws on disagreement or schema 1. */
function resolveMediaType(body: Record<string, unknown>, declared: string | undefined): string {
  const fromHeader = headerMediaType(declared);
  if (body['schemaVersion'] === 1)
    throw new UnsupportedManifestError(fromHeader ?? DOCKER_SCHEMA1, 'schema 1');
  const fromBody = typeof body['mediaType'] === 'string' ? body['mediaType'] : undefined;
  if (fromBody !== undefined && fromHeader !== undefined && fromBody !== fromHeader) {
    throw new MediaTypeMismatchError(fromHeader, fromBody);
  }
  const mediaType = fromBody ?? fromHeader ?? (Array.isArray(body['manifests']) ? OCI_INDEX : OCI_MANIFEST);
  if (isSchema1(mediaType)) throw new UnsupportedManifestError(mediaType, 'schema 1');
  return mediaType;
}

/** The JSON object `bytes` hold; throws `InvalidManifestError` for anything else. */
function jsonObject(bytes: Uint8Array, contentType: string | undefined): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new InvalidManifestError('manifest is not valid JSON', contentType, { cause: error });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidManifestError('manifest is not a JSON object', contentType);
  }
  return body as Record<string, unknown>;
}

/** The type of a manifest this engine copies, and its kind; throws as `manifestMediaType` says. */
function typeOf(
  body: Record<string, unknown>,
  contentType: string | undefined,
): { mediaType: string; kind: ManifestKind } {
  const mediaType = resolveMediaType(body, contentType);
  const kind = manifestKind(mediaType);
  if (kind === undefined) throw new UnsupportedManifestError(mediaType);
  return { mediaType, kind };
}

/**
 * The media type of the manifest in `bytes`, by the module contract, without checking its shape: what
 * a registry client tells of the manifest it fetched. Throws as `parseManifest` does, bar the shape.
 */
export function manifestMediaType(bytes: Uint8Array, contentType?: string): string {
  return typeOf(jsonObject(bytes, contentType), contentType).mediaType;
}

/**
 * Parses `bytes` as a manifest or index. `contentType` is what the registry sent (or the descriptor's
 * mediaType for a child). Throws `UnsupportedManifestError`, `MediaTypeMismatchError` or
 * `InvalidManifestError`.
 */
export function parseManifest(bytes: Uint8Array, contentType?: string): ParsedManifest {
  const body = jsonObject(bytes, contentType);
  const { mediaType, kind } = typeOf(body, contentType);
  const result = kind === 'index' ? checkIndexShape(body) : checkImageShape(body);
  if (!result.ok) {
    const where = result.issue.path === '' ? '' : ` at ${result.issue.path}`;
    throw new InvalidManifestError(`invalid ${mediaType}${where}: ${result.issue.message}`, mediaType);
  }
  if ('manifests' in result.value) return { kind: 'index', mediaType, manifests: result.value.manifests };
  return { kind: 'image', mediaType, config: result.value.config, layers: result.value.layers };
}

/** What an image references, split into child manifests (of an index) and blobs (of an image). */
export interface ManifestChildren {
  readonly manifests: readonly Descriptor[];
  readonly blobs: readonly Descriptor[];
}

/**
 * Lists what must exist before `manifest` may be pushed. Non-distributable layers that carry `urls`
 * live outside registries and are left out. Throws `UnsupportedManifestError` on an index entry whose
 * type is not a manifest this engine copies.
 */
export function listChildren(manifest: ParsedManifest): ManifestChildren {
  if (manifest.kind === 'image') {
    const layers = manifest.layers.filter((l) => !(isNonDistributable(l.mediaType) && hasUrls(l)));
    return { manifests: [], blobs: [manifest.config, ...layers] };
  }
  for (const child of manifest.manifests) {
    if (manifestKind(child.mediaType) === undefined) {
      throw new UnsupportedManifestError(child.mediaType, `index entry ${child.digest}`);
    }
  }
  return { manifests: manifest.manifests, blobs: [] };
}

function hasUrls(descriptor: Descriptor): boolean {
  const urls = (descriptor as { urls?: unknown }).urls;
  return Array.isArray(urls) && urls.length > 0;
}
