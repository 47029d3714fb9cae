// The metadata.name of the ImageBackup of a source reference (SPEC §1.4: "readable DNS-1123 form of
// the reference plus a short hash").
import { createHash } from 'node:crypto';
import type { ImageReference } from '../../reference/index.ts';
import { backupSource } from './backup-source.ts';

/**
 * 63, not the 253 of a DNS-1123 subdomain (what an object name must be): a name this short is also a
 * valid label value, so other objects can point at their backup with a label selector.
 */
export const IMAGE_BACKUP_NAME_MAX_LENGTH = 63;

/**
 * Hex characters of sha256 kept: 48 bits, so a chance collision among n distinct sources is about
 * n²/2⁴⁹ (under 10⁻⁶ for 20 000 images). The hash, not the readable part, makes names distinct.
 */
const HASH_LENGTH = 12;

const READABLE_MAX_LENGTH = IMAGE_BACKUP_NAME_MAX_LENGTH - HASH_LENGTH - 1;

/**
 * `{readable}-{hash}`: the same reference always gets the same name, different references (after
 * `backupSource`: host case and a missing `:latest` do not count) get different ones.
 * - readable: the backup source lower-cased, each run of other characters than `[a-z0-9]` made one
 *   "." when it is a lone "." and one "-" otherwise, cut to fit; so it is alphanumerics joined by
 *   single separators, starting and ending alphanumeric (`docker.io-library-nginx-1.25`).
 * - hash: sha256 of the whole backup source as written (tag case and digest included).
 * The result is a DNS-1123 subdomain and a label value, at most 63 characters.
 * Throws MappingError for a source `mapRepository` refuses (see `backupSource`).
 */
export function imageBackupName(source: ImageReference): string {
  const reference = backupSource(source).string();
  const hash = createHash('sha256').update(reference).digest('hex').slice(0, HASH_LENGTH);
  const readable = trimSeparators(
    trimSeparators(reference.toLowerCase().replace(/[^a-z0-9]+/g, (run) => (run === '.' ? '.' : '-'))).slice(
      0,
      READABLE_MAX_LENGTH,
    ),
  );
  return readable === '' ? hash : `${readable}-${hash}`;
}

function trimSeparators(s: string): string {
  return s.replace(/^[-.]+|[-.]+$/g, '');
}
