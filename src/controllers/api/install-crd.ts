/**
 * `lifeboat run --install-crds`: creates the ImageBackup CRD, or upgrades an installed one to this
 * version's definition, then waits until the API server serves it (condition Established=True),
 * so the controllers' informers can list ImageBackups as soon as this returns.
 *
 * Invariants:
 * - The spec sent is exactly `imageBackupCrd()`'s; the installed object's labels and annotations
 *   (kubectl's last-applied, a GitOps tool's) are kept. A replace that changes nothing changes
 *   nothing on the server (same resourceVersion, same generation), so a second call is free.
 * - Every write is conditional on the resourceVersion just read: a concurrent writer (another
 *   replica starting, `kubectl apply`) makes it re-read and try again, a bounded number of times.
 * - A CRD being deleted (its instances still being removed) cannot be updated or re-created until
 *   it is gone: that is waited out within the same deadline, then it is created afresh.
 * - Bounded: everything happens within `timeoutMs`, else `CrdInstallError` (temporary).
 *
 * An upgrade can only add versions: a CRD whose stored versions this definition no longer lists is
 * refused by the API server (422), which is thrown as is.
 */
import { pino, type Logger } from 'pino';
import { LifeboatError } from '../../common/errors.ts';
import { sleep } from '../../common/sleep.ts';
import {
  isAlreadyExists,
  isConflict,
  isNotFound,
  RESOURCES,
  resourceClient,
  type KubeRequester,
} from '../../kube/index.ts';
import { imageBackupCrd, type CustomResourceDefinition } from './crd.ts';
import { IMAGE_BACKUPS } from './image-backup-resource.ts';

export interface InstallCrdOptions {
  logger?: Logger;
  /** Bound on the whole install (including the wait for Established); default 60 s. */
  timeoutMs?: number;
  /** Between reads while waiting; default 250 ms. */
  pollMs?: number;
  signal?: AbortSignal;
}

/** The API server did not accept or serve the CRD in time. */
export class CrdInstallError extends LifeboatError {
  readonly code = 'CRD_INSTALL_TIMEOUT';
  readonly temporary = true;
  constructor(message: string) {
    super(message);
    this.name = 'CrdInstallError';
  }
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface InstalledCrd extends CustomResourceDefinition {
  metadata: {
    name: string;
    resourceVersion?: string;
    deletionTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  status?: { conditions?: Condition[] };
}

const DEFAULT_TIMEOUT_MS = 60_000;
const DEFAULT_POLL_MS = 250;

const isEstablished = (crd: InstalledCrd | undefined): boolean =>
  crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') === true;

/** What the conditions say, for an error an operator can act on (e.g. NamesAccepted=False: why). */
const describeConditions = (crd: InstalledCrd | undefined): string =>
  crd === undefined
    ? 'the CRD is absent'
    : (crd.status?.conditions ?? [])
        .map((c) => `${c.type}=${c.status}${c.message ? ` (${c.message})` : ''}`)
        .join(', ') || 'no conditions yet';

/** Creates or upgrades the ImageBackup CRD and waits until it is Established. */
export async function installCrd(api: KubeRequester, options: InstallCrdOptions = {}): Promise<void> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const deadline = Date.now() + timeoutMs;
  const crds = resourceClient<InstalledCrd>(api, RESOURCES.customResourceDefinitions);
  const desired = imageBackupCrd();
  const name = desired.metadata.name;
  const timedOut = (what: string, last: InstalledCrd | undefined): CrdInstallError =>
    new CrdInstallError(`CRD ${name}: not ${what} within ${timeoutMs} ms: ${describeConditions(last)}`);

  // Write: each pass reads afresh, so a conflict or a vanished object is simply the next pass.
  let written: InstalledCrd | undefined;
  while (written === undefined) {
    if (Date.now() >= deadline) throw timedOut('written', await crds.find(name));
    const current = await crds.find(name, { signal: options.signal });
    try {
      if (current === undefined) {
        written = await crds.create(desired, { signal: options.signal });
        logger.info({ crd: name }, 'CRD created');
      } else if (current.metadata.deletionTimestamp !== undefined) {
        logger.info({ crd: name }, 'CRD is being deleted: waiting until it is gone to create it');
        await sleep(pollMs, options.signal);
      } else {
        const { resourceVersion, labels, annotations } = current.metadata;
        written = await crds.replace(
          {
            ...desired,
            metadata: {
              name,
              resourceVersion,
              ...(labels && { labels }),
              ...(annotations && { annotations }),
            },
          },
          { signal: options.signal },
        );
        if (written.metadata.resourceVersion !== resourceVersion) logger.info({ crd: name }, 'CRD upgraded');
      }
    } catch (err) {
      if (!(isConflict(err) || isAlreadyExists(err) || isNotFound(err))) throw err;
      logger.debug({ crd: name, err }, 'CRD changed under the write: reading it again');
      await sleep(pollMs, options.signal);
    }
  }

  // Established: the API server serves the resource (names accepted, storage ready).
  let last: InstalledCrd | undefined = written;
  while (!isEstablished(last)) {
    if (Date.now() >= deadline) throw timedOut('Established', last);
    await sleep(pollMs, options.signal);
    last = await crds.find(name, { signal: options.signal });
  }
  logger.debug({ crd: name }, 'CRD established');
}

/**
 * Whether the API server serves ImageBackups (the CRD is installed and Established): one list of at
 * most one object. Asked instead of reading the CRD itself, so the controller needs no access to
 * CustomResourceDefinitions unless it installs them (`--install-crds`).
 */
export async function imageBackupsServed(api: KubeRequester): Promise<boolean> {
  try {
    await resourceClient(api, IMAGE_BACKUPS).list({ limit: 1 });
    return true;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
}
