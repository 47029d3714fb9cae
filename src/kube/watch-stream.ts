/**
 * Parsing of a Kubernetes watch response: newline-delimited JSON, one `{type, object}` per line.
 * Unlike client-node's Watch, a line that is not a valid event is an error (`WatchError` reason
 * `parse`), never skipped: a skipped event is a silently stale cache. Blank lines carry nothing and
 * are ignored; a partial line at the end of the stream (a cut connection) is an error too.
 */
import { StringDecoder } from 'node:string_decoder';
import { WatchError } from './api-client-errors.ts';
import type { KubeStatus } from './api-client-errors.ts';
import type { KubeObject } from './store.ts';

export type WatchEvent =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED'; object: KubeObject }
  | { type: 'BOOKMARK'; object: { metadata: { resourceVersion: string } } }
  | { type: 'ERROR'; object: KubeStatus };

/** Lines longer than this are refused rather than buffered without bound (etcd caps objects at 1.5 MiB). */
export const MAX_WATCH_LINE_BYTES = 16 * 1024 * 1024;

/** Parses one line into an event, or throws `WatchError` (`parse`) naming what is wrong. Pure. */
export function parseWatchEvent(line: string, path: string): WatchEvent {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new WatchError({
      reason: 'parse',
      path,
      message: `invalid JSON in watch stream: ${snippet(line)}`,
      cause: err,
    });
  }
  const bad = (why: string): WatchError =>
    new WatchError({ reason: 'parse', path, message: `invalid watch event (${why}): ${snippet(line)}` });
  if (!isRecord(value)) throw bad('not an object');
  const { type, object } = value;
  if (!isRecord(object)) throw bad('no object');
  switch (type) {
    case 'ADDED':
    case 'MODIFIED':
    case 'DELETED': {
      const md = object.metadata;
      if (!isRecord(md) || typeof md.name !== 'string' || md.name === '')
        throw bad('object without metadata.name');
      return { type, object: object as KubeObject };
    }
    case 'BOOKMARK': {
      const md = object.metadata;
      if (!isRecord(md) || typeof md.resourceVersion !== 'string')
        throw bad('bookmark without resourceVersion');
      return { type, object: { metadata: { resourceVersion: md.resourceVersion } } };
    }
    case 'ERROR':
      return { type, object: object };
    default:
      throw bad(`unknown type ${JSON.stringify(type)}`);
  }
}

/** Splits a byte stream into lines (UTF-8 safe across chunk boundaries). */
export async function* readLines(
  source: AsyncIterable<Buffer | string>,
  path: string,
  maxLineBytes = MAX_WATCH_LINE_BYTES,
): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  for await (const chunk of source) {
    pending += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let start = 0;
    let nl: number;
    while ((nl = pending.indexOf('\n', start)) !== -1) {
      const line = pending.slice(start, nl);
      start = nl + 1;
      if (line.trim() !== '') yield line;
    }
    pending = pending.slice(start);
    if (pending.length > maxLineBytes) {
      throw new WatchError({
        reason: 'parse',
        path,
        message: `watch line longer than ${maxLineBytes} bytes`,
      });
    }
  }
  pending += decoder.end();
  if (pending.trim() !== '') {
    throw new WatchError({
      reason: 'parse',
      path,
      message: `watch stream ended inside a line: ${snippet(pending)}`,
    });
  }
}

/** The events of a watch response body, in order. */
export async function* watchEvents(
  source: AsyncIterable<Buffer | string>,
  path: string,
): AsyncGenerator<WatchEvent> {
  for await (const line of readLines(source, path)) yield parseWatchEvent(line, path);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function snippet(s: string): string {
  return JSON.stringify(s.length > 120 ? `${s.slice(0, 120)}…` : s);
}
