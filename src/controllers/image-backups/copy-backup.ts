/**
 * One copy of an ImageBackup's source to its target, with the source logins tried in order
 * (registry-access.ts: the pull Secrets of the workloads that run it, `--source-credentials`,
 * anonymous): a login the source refuses (401/403/404) passes to the next; the first that
 * reads it copies. The backup registry is written with the push login. Then whether the source is
 * private: a copy that needed a login asks whether anonymous access would have been refused.
 */
import type { Logger } from 'pino';
import { parseNormalizedNamed, type ImageReference } from '../../reference/index.ts';
import {
  copyImage,
  copyTargetReference,
  imageLocation,
  NotFoundError,
  UnauthorizedError,
  type CopyProgress,
  type CopyResult,
  type CopyScheduler,
  type ImageLocation,
  type PooledCredentials,
} from '../../registry/index.ts';
import type { CopyOutcome } from './copy-status.ts';
import { SourceAccessError, sourceRefused } from './copy-failure.ts';
import type { RegistryAccess, SecretRef } from './registry-access.ts';
import type { ImageBackupSpec } from '../api/image-backup-schema.ts';

export interface CopyBackupOptions {
  readonly access: RegistryAccess;
  /** What is copied: the spec's source, target and platforms. */
  readonly spec: Pick<ImageBackupSpec, 'source' | 'target' | 'platforms'>;
  /** The pull Secrets of the workloads that run the image (source-refs.ts), best first. */
  readonly sourceRefs: readonly SecretRef[];
  /** Shared by every copy of the process, so concurrent copies dedupe blobs and share limits. */
  readonly scheduler: CopyScheduler;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: CopyProgress) => void;
  readonly logger: Logger;
  /**
   * Read the source by this digest rather than by its tag (a recheck repairing the digest the
   * backup holds, or `--on-source-change=follow` copying the digest a check saw): what is copied is
   * exactly that digest even if the tag moves meanwhile. The target reference stays the spec's.
   */
  readonly pin?: string | undefined;
}

export type BackupCopy = CopyResult & CopyOutcome;

/** Copies `spec.source` to `spec.target`; throws SourceAccessError when every login is refused. */
export async function copyBackup(o: CopyBackupOptions): Promise<BackupCopy> {
  const source = parseNormalizedNamed(o.spec.source);
  const target = parseNormalizedNamed(o.spec.target);
  const choices = await o.access.sourceChoices(source, o.sourceRefs);
  const tried: string[] = [];
  let refusal: unknown;
  for (const login of choices) {
    try {
      const result = await login.use((sourceClient) =>
        o.access.withPushClient(target, (targetClient) =>
          copyImage({
            source: pinned(imageLocation(sourceClient, source), o.pin),
            target: {
              client: targetClient,
              repository: target.path,
              reference: copyTargetReference(source, target),
            },
            platforms: o.spec.platforms,
            // Every manifest a backup holds gets its lifeboat-sha256-<hex> tag (issue 15): a registry
            // GC that deletes untagged manifests never deletes what a workload may be pinned to.
            anchor: true,
            scheduler: o.scheduler,
            signal: o.signal,
            onProgress: o.onProgress,
            logger: o.logger,
          }),
        ),
      );
      const needsLogin = !login.anonymous && !(await anonymousReads(choices, source, o.signal));
      return { ...result, private: needsLogin };
    } catch (error) {
      if (o.signal.aborted || !sourceRefused(error, login.host)) throw error;
      o.logger.debug({ source: o.spec.source, login: login.source }, 'the source refused this login');
      tried.push(login.source);
      refusal = error;
    }
  }
  throw new SourceAccessError(o.spec.source, tried, refusal);
}

function pinned(location: ImageLocation, pin: string | undefined): ImageLocation {
  return pin === undefined ? location : { ...location, reference: pin };
}

/**
 * Whether an anonymous HEAD of the source manifest succeeds. Any doubt (a network error) counts as
 * "no": a backup wrongly marked private only costs a check before other namespaces are rewritten,
 * one wrongly marked public would let a namespace without credentials run an image it may not read.
 */
async function anonymousReads(
  choices: readonly PooledCredentials[],
  source: ImageReference,
  signal: AbortSignal,
): Promise<boolean> {
  const anonymous = choices.find((c) => c.anonymous);
  if (anonymous === undefined) return false;
  try {
    const head = await anonymous.use((client) => {
      const { repository, reference } = imageLocation(client, source);
      return client.headManifest(repository, reference, { signal });
    });
    return head !== undefined;
  } catch (error) {
    if (error instanceof UnauthorizedError || error instanceof NotFoundError) return false;
    if (signal.aborted) throw error;
    return false;
  }
}
