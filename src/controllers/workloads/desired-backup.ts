// The ImageBackup the workload controller ensures for one source image: a pure builder, so the
// controller only compares and writes.
import {
  mapRepository,
  withDigest,
  withTag,
  type BackupMapping,
  type ImageReference,
} from '../../reference/index.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../api/labels.ts';
import { imageBackupName } from '../api/image-backup-name.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { backupSource } from '../api/backup-source.ts';

export interface DesiredImageBackupOptions {
  readonly mapping: BackupMapping;
  /** `--platforms` (os/arch[/variant]); every platform when absent or empty. */
  readonly platforms?: readonly string[] | undefined;
}

/**
 * The ImageBackup for `source` (normalised, from `parseNormalizedNamed`):
 * - name `imageBackupName(source)`, label `app.kubernetes.io/managed-by=lifeboat`;
 * - spec.source: `backupSource(source)` as a string (host lower-cased, `latest` when untagged);
 * - spec.target: the mapped repository with the source's tag (`{mapped}:{tag}`), or for a
 *   digest-only source its digest (`{mapped}@{digest}`). Never both: a copy target names one of them
 *   (`lifeboat copy` refuses both), and a tag+digest source is read by its digest anyway;
 * - spec.platforms only for a source without a digest: copying some platforms of an index writes
 *   a new index with another digest, and a source that pins a digest must find that very digest in
 *   the backup registry (the rewrite keeps it), so it is always copied whole.
 * Nothing in it depends on which workload asks: every workload of one image wants the same object,
 * so it is created once and never written again because another namespace uses it.
 * Throws MappingError when the source cannot be mapped (see `mapRepository`).
 */
export function desiredImageBackup(source: ImageReference, o: DesiredImageBackupOptions): ImageBackup {
  const key = backupSource(source);
  const repository = mapRepository(key, o.mapping);
  // backupSource gives a tag or a digest, so exactly one branch names the target.
  const target =
    key.tag === undefined ? withDigest(repository, key.digest ?? '') : withTag(repository, key.tag);
  const platforms =
    key.digest === undefined && o.platforms !== undefined ? [...new Set(o.platforms)].sort() : [];
  return {
    metadata: { name: imageBackupName(key), labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } },
    spec: {
      source: key.string(),
      target: target.string(),
      ...(platforms.length > 0 ? { platforms } : {}),
    },
  };
}
