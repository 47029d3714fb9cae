// `lifeboat copy SRC DST`: copies one image (every platform of an index unless --platforms) between
// registries, byte for byte. Flags are spelled as skopeo spells them; each also reads LIFEBOAT_<FLAG>.
// Credentials given on the command line are never echoed: not in messages, not in errors, not in JSON.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { onShutdownSignal } from '../common/shutdown-signal.ts';
import { formatBytes } from '../common/format-bytes.ts';
import { addFlags } from './config/commander.ts';
import { readConfigOrReport } from './read-config.ts';
import { COPY_FLAGS, type CopyConfig } from './config/copy-flags.ts';
import { reportError } from './exit.ts';
import type { CopyProgress, CopyResult } from '../registry/copy/index.ts';

// The engine, the registry client and their dependencies are imported when the command runs, so that
// other commands do not pay for them in start-up time and memory (and this one does not pay for theirs).
async function loadEngine() {
  const [copy, manifest, registry, reference, { default: pino }] = await Promise.all([
    import('../registry/copy/index.ts'),
    import('../registry/manifest/index.ts'),
    import('../registry/index.ts'),
    import('../reference/index.ts'),
    import('pino'),
  ]);
  return { ...copy, ...manifest, ...registry, ...reference, pino };
}

/** Redraws of the progress line; faster is flicker, slower feels stuck. */
const PROGRESS_REDRAW_MS = 200;

/** Passwords shorter than this are not searched for in messages: they would mangle ordinary words. */
const MIN_REDACTED_PASSWORD = 4;

export function copyCommand(): Command {
  const command = new Command('copy')
    .description('Copy an image (all platforms of an index by default) from SRC to DST, byte for byte')
    .argument('<src>', 'source image reference (name[:tag][@digest])')
    .argument('<dst>', 'target image reference; without tag or digest it keeps the source tag');
  addFlags(command, COPY_FLAGS);
  return command.action(async (src: string, dst: string, _flags: unknown, cmd: Command) => {
    const flags = readConfigOrReport(cmd, COPY_FLAGS);
    if (!flags) return;
    const secrets = [flags.srcCreds, flags.dstCreds].flatMap((c) => {
      if (!c) return [];
      const password = c.slice(c.indexOf(':') + 1);
      return password.length >= MIN_REDACTED_PASSWORD ? [c, password] : [c];
    });
    const json = flags.json;
    try {
      await runCopy(src, dst, flags);
    } catch (error) {
      const message = redact(messageOf(error), secrets);
      // A script reading --json output gets a line for a failure too.
      if (json) process.stdout.write(`${JSON.stringify({ source: src, target: dst, error: message })}\n`);
      reportError(message, error instanceof UsageError ? 'usage' : 'failed');
    }
  });
}

async function runCopy(src: string, dst: string, flags: CopyConfig): Promise<void> {
  const {
    copyImage,
    copyTargetReference,
    credentialsFor,
    imageLocation,
    loadDefaultKeychain,
    parseCredentialsFlag,
    parseNormalizedNamed,
    parsePlatform,
    pino,
    registryClientFactory,
  } = await loadEngine();
  const source = naming(`SRC ${JSON.stringify(src)}`, () => parseNormalizedNamed(src), UsageError);
  const target = naming(`DST ${JSON.stringify(dst)}`, () => parseNormalizedNamed(dst), UsageError);
  if (target.tag !== undefined && target.digest !== undefined) {
    throw new UsageError('DST may name a tag or a digest, not both');
  }
  const platforms = naming('--platforms', () => (flags.platforms ?? []).map(parsePlatform), UsageError);
  if (
    platforms.length > 0 &&
    source.digest !== undefined &&
    source.tag === undefined &&
    target.tag === undefined &&
    target.digest === undefined
  ) {
    throw new UsageError(
      '--platforms writes a new index, whose digest is not the digest of a digest-only SRC: give DST a tag',
    );
  }
  const caPems = (flags.registryCa ?? []).map((file) =>
    naming(`--registry-ca ${file}`, () => readFileSync(file, 'utf8')),
  );
  const srcCreds =
    flags.srcCreds === undefined
      ? undefined
      : usage(() => parseCredentialsFlag(flags.srcCreds!, '--src-creds'));
  const dstCreds =
    flags.dstCreds === undefined
      ? undefined
      : usage(() => parseCredentialsFlag(flags.dstCreds!, '--dst-creds'));
  // The docker config is read only for a registry without credentials on the command line.
  const keychain =
    srcCreds !== undefined && dstCreds !== undefined
      ? undefined
      : await loadDefaultKeychain({ authfile: flags.authfile });
  const logger = pino({ level: flags.logLevel }, pino.destination(2));
  const newClient = registryClientFactory({ insecureRegistries: flags.insecureRegistries, caPems, logger });
  const sourceClient = newClient(source.domain, credentialsFor(source.domain, srcCreds, keychain));
  const targetClient = newClient(target.domain, credentialsFor(target.domain, dstCreds, keychain));
  const controller = new AbortController();
  // The first signal aborts the copy (it unwinds and closes its clients); a second exits at once.
  const stopListening = onShutdownSignal(() => controller.abort(new Error('interrupted')), {
    timeoutMs: Infinity,
  });
  const bar = process.stderr.isTTY && !flags.json ? progressBar() : undefined;
  try {
    const result = await copyImage({
      source: imageLocation(sourceClient, source),
      target: {
        client: targetClient,
        repository: target.path,
        reference: copyTargetReference(source, target),
      },
      platforms,
      jobs: flags.jobs,
      signal: controller.signal,
      onProgress: bar?.update,
      logger,
    });
    bar?.done();
    const targetRef = `${target.domain}/${target.path}@${result.targetDigest}`;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ source: src, target: dst, targetRef, ...result })}\n`);
    } else {
      process.stdout.write(`${summary(result, targetRef)}\n`);
    }
  } finally {
    bar?.done();
    stopListening();
    await Promise.allSettled([sourceClient.close(), targetClient.close()]);
  }
}

/** A SRC, DST or flag that cannot be used as given: exit 2, as any refused argument. */
class UsageError extends Error {}

/** Runs `fn`, prefixing its error with the flag or argument at fault. */
function naming<T>(
  what: string,
  fn: () => T,
  as: new (message: string, options?: ErrorOptions) => Error = Error,
): T {
  try {
    return fn();
  } catch (error) {
    throw new as(`${what}: ${messageOf(error)}`, { cause: error });
  }
}

/** Runs `fn`, whose error is about the invocation (a usage error). */
function usage<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw new UsageError(messageOf(error), { cause: error });
  }
}

function messageOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // One line: the wrapped message already carries the context of each layer.
  return error.message.replace(/\s*\n\s*/g, ' ');
}

/** Defence in depth: no message leaves with a secret in it, whatever layer wrote it. */
function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join('***');
  return out;
}

function summary(result: CopyResult, targetRef: string): string {
  if (result.skipped) return `${targetRef} already present`;
  const parts = [
    `${result.blobsCopied} copied`,
    `${result.blobsMounted} mounted`,
    `${result.blobsSkipped} present`,
  ];
  return `${targetRef} (${formatBytes(result.bytesCopied)} uploaded; blobs: ${parts.join(', ')})`;
}

/** A one-line progress display on stderr (only used when stderr is a terminal). */
function progressBar(): { update: (p: CopyProgress) => void; done: () => void } {
  const started = performance.now();
  let lastDraw = 0;
  let last: CopyProgress | undefined;
  let finished = false;
  const draw = (p: CopyProgress): void => {
    const seconds = Math.max((performance.now() - started) / 1000, 0.001);
    const width = 24;
    const filled = p.bytesTotal === 0 ? width : Math.round((p.bytesDone / p.bytesTotal) * width);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(Math.max(width - filled, 0))}`;
    process.stderr.write(
      `\r[${bar}] ${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)}  ` +
        `${p.blobsDone}/${p.blobsTotal} blobs  ${formatBytes(p.bytesDone / seconds)}/s\x1b[K`,
    );
  };
  return {
    update(p) {
      last = p;
      const now = performance.now();
      if (now - lastDraw < PROGRESS_REDRAW_MS) return;
      lastDraw = now;
      draw(p);
    },
    done() {
      if (finished) return;
      finished = true;
      if (last !== undefined) {
        draw(last);
        process.stderr.write('\n');
      }
    },
  };
}
