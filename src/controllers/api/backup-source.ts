// The identity of an ImageBackup: which source references count as the same backup.
import {
  canonicalSource,
  DEFAULT_TAG,
  withDigest,
  withTag,
  type ImageReference,
} from '../../reference/index.ts';

/**
 * The source reference an ImageBackup is keyed by: `ref` (normalised, from `parseNormalizedNamed`)
 * with its host lower-cased (`canonicalSource`) and, when it names neither tag nor digest, the tag
 * `latest` that Docker pulls, so `nginx` and `nginx:latest` share one backup. Tag and digest are
 * otherwise kept as written: tags are case-sensitive, and `nginx:1.25`, `nginx@sha256:…` and
 * `nginx:1.25@sha256:…` are different requests. The result always has a tag or a digest.
 * Throws MappingError (MAPPING_INVALID_SOURCE) for a reference `mapRepository` would refuse too.
 */
export function backupSource(ref: ImageReference): ImageReference {
  let out = canonicalSource(ref);
  const tag = ref.tag ?? (ref.digest === undefined ? DEFAULT_TAG : undefined);
  if (tag !== undefined) out = withTag(out, tag);
  if (ref.digest !== undefined) out = withDigest(out, ref.digest);
  return out;
}
