// The Events the workload controller records on a workload (SPEC §1.6), one builder each, so their
// wording lives in one place and the controller only decides when. Notes name containers, images
// and Secrets by name: never credentials.
import type { EventInput } from '../../kube/index.ts';
import { EventReasons } from '../api/event-reasons.ts';
import type { ImageBackup, PullSecretRef } from '../api/image-backup-schema.ts';
import type { InvalidImage } from './eligibility.ts';
import type { ImageRewrite } from './rewrite.ts';
import type { PrivateSource } from './decide.ts';

export function invalidImageEvent(invalid: readonly InvalidImage[]): EventInput {
  const list = invalid.map((i) => `${i.container}: ${JSON.stringify(i.image)} (${i.error})`);
  return {
    type: 'Warning',
    reason: EventReasons.InvalidImageReference,
    action: 'Backup',
    note: `not backed up: ${list.join('; ')}`,
  };
}

export function revertedEvent(): EventInput {
  return {
    type: 'Normal',
    reason: EventReasons.RewriteReverted,
    action: 'Rewrite',
    note: 'the original images were put back by another writer; lifeboat leaves them until they change again',
  };
}

export function accessDeniedEvent(
  container: string,
  source: string,
  refs: readonly PullSecretRef[],
): EventInput {
  const names = refs.map((ref) => ref.name).join(', ') || 'none';
  return {
    type: 'Warning',
    reason: EventReasons.BackupAccessDenied,
    action: 'Rewrite',
    note: `${container}: ${source} needed credentials to back up, and this namespace's pull secrets (${names}) cannot read it; not moved to the backup`,
  };
}

export function conflictEvent(): EventInput {
  return {
    type: 'Normal',
    reason: EventReasons.RewriteConflict,
    action: 'Rewrite',
    note: "the workload changed between lifeboat's read and its patch; nothing was written, planning again on the new state",
  };
}

/** `container: old → new; …` */
export function changesOf(
  rewrites: readonly ImageRewrite[],
  to: (r: ImageRewrite) => string | undefined,
): string[] {
  return rewrites.map((r) => `${r.container}: ${r.image} → ${to(r)}`);
}

export function movedEvent(rewrites: readonly ImageRewrite[]): EventInput {
  return {
    type: 'Normal',
    reason: EventReasons.ImagesMovedToBackup,
    action: 'Rewrite',
    note: changesOf(rewrites, (r) => r.target).join('; '),
  };
}

export function wouldBackUpEvent(backup: ImageBackup): EventInput {
  return {
    type: 'Normal',
    reason: EventReasons.WouldBackUp,
    action: 'Backup',
    note: `${backup.spec.source} → ${backup.spec.target}`,
  };
}

/** The targets without the digest a copy has yet to give. */
export function wouldRewriteEvent(rewrites: readonly ImageRewrite[]): EventInput {
  return {
    type: 'Normal',
    reason: EventReasons.WouldRewrite,
    action: 'Rewrite',
    note: changesOf(rewrites, (r) => r.preview).join('; '),
  };
}

/** `--private-images=skip`: the containers whose source refused an anonymous HEAD. */
export function privateSkippedEvent(sources: readonly PrivateSource[]): EventInput {
  const list = sources.map((s) => `${s.container}: ${s.source}`).join('; ');
  return {
    type: 'Warning',
    reason: EventReasons.PrivateSourceSkipped,
    action: 'Backup',
    note: `private source (an anonymous pull is refused) not backed up, --private-images=skip: ${list}; the workload is left as it is`,
  };
}
