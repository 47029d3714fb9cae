/**
 * One copy of an ImageBackup's source to its target, with the source logins tried in order
 * (registry-access.ts): a login the source refuses (401/403/404) passes to the next; the first that
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
  type PooledCredentials,
} from '../../registry/index.ts';
import type { CopyOutcome } from './copy-status.ts';
import { SourceAccessError, sourceRefused } from './copy-failure.ts';
import type { RegistryAccess } from './registry-access.ts';
import type { ImageBackupSpec } from '../api/image-backup-schema.ts';

export interface CopyBackupOptions {
  readonly access: RegistryAccess;
  readonly spec: ImageBackupSpec;
  /** Shared by every copy of the process, so concurrent copies dedupe blobs and share limits. */
  readonly scheduler: CopyScheduler;
  readonly signal: AbortSignal;
  readonly onProgress: (progress: CopyProgress) => void;
  readonly logger: Logger;
}

export type BackupCopy = CopyResult & CopyOutcome;

/** Copies `spec.source` to `spec.target`; throws SourceAccessError when every login is refused. */
export async function copyBackup(o: CopyBackupOptions): Promise<BackupCopy> {
  const source = parseNormalizedNamed(o.spec.source);
  const target = parseNormalizedNamed(o.spec.target);
  const choices = await o.access.sourceChoices(source, []);
  const tried: string[] = [];
  let refusal: unknown;
  for (const login of choices) {
    try {
      const result = await login.use((sourceClient) =>
        o.access.withPushClient(target, (targetClient) =>
          copyImage({
            source: imageLocation(sourceClient, source),
            target: {
              client: targetClient,
              repository: target.path,
              reference: copyTargetReference(source, target),
            },
            platforms: o.spec.platforms,
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
