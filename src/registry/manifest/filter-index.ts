// Platform filtering: writes a NEW index holding only the requested platforms. The new index is new
// content with its own digest; everything else in the original (annotations, unknown fields, entry
// order, the entries' own fields) is kept as it was.
import type { Descriptor, Platform } from '../model/types.ts';
import { digestOf } from '../../reference/index.ts';
import { InvalidManifestError, PlatformNotFoundError } from './errors.ts';
import { parseManifest } from './parse.ts';
import { formatPlatform, platformMatches } from './platform.ts';

/** buildx attestations point at the image they describe; they follow that image in or out. */
const REFERENCE_TYPE = 'vnd.docker.reference.type';
const REFERENCE_DIGEST = 'vnd.docker.reference.digest';

export interface FilteredIndex {
  /** The exact bytes to push: the original bytes when nothing was filtered out. */
  readonly bytes: Buffer;
  /** sha256 of `bytes`. */
  readonly digest: string;
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
  /** False when every entry matched, so the original index (and digest) is kept. */
  readonly changed: boolean;
}

/** Which entries of `manifests` to keep for `platforms`; pure, shared by `filterIndex` and planning. */
export function selectPlatforms(manifests: readonly Descriptor[], platforms: readonly Platform[]): boolean[] {
  const keep = manifests.map((m) => platforms.some((p) => platformMatches(m.platform, p)));
  const kept = new Set(manifests.filter((_, i) => keep[i]).map((m) => m.digest));
  return manifests.map((m, i) => {
    if (keep[i]) return true;
    const ref = m.annotations?.[REFERENCE_DIGEST];
    return m.annotations?.[REFERENCE_TYPE] === 'attestation-manifest' && ref !== undefined && kept.has(ref);
  });
}

/**
 * Keeps only the entries of the index in `indexBytes` that match one of `platforms` (plus their
 * attestations). Throws `PlatformNotFoundError` when no platform matches and `InvalidManifestError`
 * when the bytes are not an index.
 */
export function filterIndex(
  indexBytes: Buffer,
  platforms: readonly Platform[],
  contentType?: string,
): FilteredIndex {
  const parsed = parseManifest(indexBytes, contentType);
  if (parsed.kind !== 'index')
    throw new InvalidManifestError('platform filter needs an index', parsed.mediaType);
  const keep = selectPlatforms(parsed.manifests, platforms);
  const manifests = parsed.manifests.filter((_, i) => keep[i]);
  const matchedPlatform = manifests.some((m) => m.annotations?.[REFERENCE_TYPE] !== 'attestation-manifest');
  if (!matchedPlatform) {
    const available = parsed.manifests.flatMap((m) => (m.platform ? [formatPlatform(m.platform)] : []));
    throw new PlatformNotFoundError(platforms.map(formatPlatform), available);
  }
  if (manifests.length === parsed.manifests.length) {
    return {
      bytes: indexBytes,
      digest: digestOf(indexBytes),
      mediaType: parsed.mediaType,
      manifests,
      changed: false,
    };
  }
  // Re-read the raw JSON so that every field we do not model survives byte-for-byte in meaning.
  const raw = JSON.parse(indexBytes.toString('utf8')) as { manifests: unknown[] };
  raw.manifests = raw.manifests.filter((_, i) => keep[i]);
  const bytes = Buffer.from(JSON.stringify(raw), 'utf8');
  return { bytes, digest: digestOf(bytes), mediaType: parsed.mediaType, manifests, changed: true };
}
