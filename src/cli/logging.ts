/**
 * The process logger of `lifeboat run`/`uninstall`: pino JSON lines on stdout (one object per line,
 * for log pipelines), or `--log-format text` for people: `TIME LEVEL message key=value …` on the
 * same stream. Both carry the same fields; pino's redaction paths keep credentials out of either.
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname']);

/** Paths pino replaces with `[redacted]` wherever they appear in a log object. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'auth',
  '*.auth',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'data',
  '*.data',
  '*.*.data',
  'stringData',
  '*.stringData',
  '*.*.stringData',
];

/** An error as pino serialises it (`{type, message, stack, code, …}`) → its message and code, no stack. */
function errorText(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('message' in value) || !('stack' in value))
    return undefined;
  const { message, code } = value as { message: unknown; code?: unknown };
  return JSON.stringify(typeof code === 'string' ? `${String(message)} (${code})` : String(message));
}

/**
 * One JSON log line → one text line: level names, never pino's numbers; errors as their message
 * (people read text; the stack stays in the JSON format). Values that are not plain become JSON.
 */
export function textLine(json: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString() : '';
  const level = (LEVELS[Number(entry.level)] ?? String(entry.level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([k]) => !OMITTED.has(k))
    .map(
      ([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : (errorText(v) ?? JSON.stringify(v))}`,
    );
  return [time, level, typeof entry.msg === 'string' ? entry.msg : '', ...fields]
    .filter((s) => s !== '')
    .join(' ');
}

export function createProcessLogger(o: {
  format: 'json' | 'text';
  level: string;
  out?: NodeJS.WritableStream;
}): Logger {
  const out = o.out ?? process.stdout;
  const options = {
    level: o.level,
    base: undefined,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (o.format === 'json') return pino(options, out as unknown as pino.DestinationStream);
  const text = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line !== '') out.write(`${textLine(line)}\n`);
      done();
    },
  });
  return pino(options, text);
}
