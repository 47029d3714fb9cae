// `lifeboat ref`: explain image references the way the controller reads them (Docker normalisation)
// and, given a backup registry, where their copies go. One JSON line per reference; invalid ones are
// reported, not fatal (exit 0), so a whole cluster's image list can be piped through it.
import type { Readable, Writable } from 'node:stream';
import { Command, InvalidArgumentError } from 'commander';
import {
  describeReference,
  MappingError,
  mappingFromLocation,
  type BackupMapping,
} from '../reference/index.ts';
import { addFlags } from './config/commander.ts';
import { readConfigOrReport } from './read-config.ts';
import { REF_FLAGS, type RefConfig } from './config/ref-flags.ts';
import { messageOf, reportError } from './exit.ts';

/**
 * Lines are gathered into writes of about this size: one write per line would cost a syscall each
 * (100k lines → 100k writes), while 64 KiB matches the pipe buffer Linux gives by default.
 */
const OUTPUT_CHUNK_BYTES = 64 * 1024;

function mappingFrom(options: RefConfig, flatten: boolean): BackupMapping | undefined {
  if (options.backupRegistry !== undefined) {
    return mappingFromLocation({ backupRegistry: options.backupRegistry, prefix: options.prefix, flatten });
  }
  if (options.prefix !== undefined || flatten) {
    throw new InvalidArgumentError('--prefix and --flatten need --backup-registry');
  }
  return undefined;
}

/** Lines of `input`, without empty ones, read as they arrive. */
async function* nonEmptyLines(input: Readable): AsyncGenerator<string> {
  // Split at \n only (a trailing \r dropped): readline would also split at U+2028 and U+2029,
  // turning one (invalid) input into two lines of output.
  input.setEncoding('utf8');
  let rest = '';
  const lines = function* (text: string): Generator<string> {
    for (const raw of text.split('\n')) {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim() !== '') yield line;
    }
  };
  for await (const chunk of input as AsyncIterable<string>) {
    const text = rest + chunk;
    const end = text.lastIndexOf('\n');
    rest = text.slice(end + 1);
    yield* lines(text.slice(0, Math.max(end, 0)));
  }
  yield* lines(rest);
}

/**
 * Writes one JSON line per input to `out`, waiting for 'drain' whenever `out` is full, so memory
 * stays flat however long the input is. Stops early, without error, when the reader goes away
 * (EPIPE, e.g. `| head`); any other write error is thrown once the input loop stops.
 */
async function printDescriptions(
  inputs: Iterable<string> | AsyncIterable<string>,
  mapping: BackupMapping | undefined,
  out: Writable,
): Promise<void> {
  // The listener stays for the stream's life: a failed write may report its error after we return.
  let closed = false;
  let failure: Error | undefined;
  out.on('error', (error: NodeJS.ErrnoException) => {
    closed = true;
    if (error.code !== 'EPIPE') failure ??= error;
  });
  let pending = '';
  const flush = async (): Promise<void> => {
    const chunk = pending;
    pending = '';
    if (chunk !== '' && !closed && !out.write(chunk)) await writable(out);
  };
  for await (const input of inputs) {
    if (closed) break;
    pending += `${JSON.stringify(describeReference(input, mapping))}\n`;
    if (pending.length >= OUTPUT_CHUNK_BYTES) await flush();
  }
  await flush();
  if (failure !== undefined) throw failure;
}

/** Resolves when `out` can take more, or will never take more (closed or failed). */
function writable(out: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
}

export function refCommand(): Command {
  const command = new Command('ref')
    .description(
      'Parse image references as Kubernetes does and print one JSON line each: ' +
        '{input, valid, error?, normalized, familiar, dockerRef, domain, path, tag, digest, backup?}. ' +
        'Reads one reference per line from stdin when none are given; invalid references are reported ' +
        'and the exit status stays 0. With --backup-registry, "backup" is the image a workload would be ' +
        'rewritten to (before pinning the copied digest).',
    )
    .argument('[refs...]', 'image references (default: one per line on stdin)');
  addFlags(command, REF_FLAGS);
  return command.action(async (refs: string[], _flags: unknown, cmd: Command) => {
    // Unusable options exit 2: the references were not even read.
    const options = readConfigOrReport(cmd, REF_FLAGS);
    if (!options) return;
    let mapping: BackupMapping | undefined;
    try {
      mapping = mappingFrom(options, options.flatten);
    } catch (error) {
      if (error instanceof InvalidArgumentError || error instanceof MappingError) {
        cmd.error(`error: ${error.message}`, { exitCode: 2, code: 'lifeboat.invalidOption' });
      }
      throw error;
    }
    try {
      await printDescriptions(refs.length > 0 ? refs : nonEmptyLines(process.stdin), mapping, process.stdout);
    } catch (error) {
      // Invalid references are output, not errors; this is stdout or stdin failing (ENOSPC, EIO).
      reportError(messageOf(error));
    }
  });
}
