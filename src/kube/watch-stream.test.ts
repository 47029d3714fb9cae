import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { WatchError } from './api-client-errors.ts';
import { parseWatchEvent, readLines, watchEvents } from './watch-stream.ts';

async function collect<T>(gen: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of gen) out.push(v);
  return out;
}

function chunks(...parts: (string | Buffer)[]): AsyncIterable<Buffer> {
  return Readable.from(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : p)));
}

const cm = (name: string, rv: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'ns', resourceVersion: rv },
});
const line = (v: unknown) => `${JSON.stringify(v)}\n`;

describe('readLines', () => {
  it('splits lines across chunk boundaries and skips blank lines', async () => {
    const lines = await collect(readLines(chunks('{"a":', '1}\n\n{"b"', ':2}\n', '\n{"c":3}\n'), '/p'));
    assert.deepEqual(lines, ['{"a":1}', '{"b":2}', '{"c":3}']);
  });

  it('keeps a multi-byte UTF-8 character split between chunks intact', async () => {
    const bytes = Buffer.from('{"v":"ß→😀"}\n');
    const lines = await collect(
      readLines(chunks(bytes.subarray(0, 7), bytes.subarray(7, 9), bytes.subarray(9)), '/p'),
    );
    assert.deepEqual(lines, ['{"v":"ß→😀"}']);
  });

  it('fails when the stream ends inside a line (a cut connection)', async () => {
    await assert.rejects(collect(readLines(chunks('{"a":1}\n{"b":'), '/p')), (err: unknown) => {
      assert.ok(err instanceof WatchError);
      assert.equal(err.reason, 'parse');
      assert.match(err.message, /ended inside a line/);
      return true;
    });
  });

  it('refuses a line longer than the limit instead of buffering it', async () => {
    await assert.rejects(
      collect(readLines(chunks('x'.repeat(50), 'y'.repeat(60)), '/p', 100)),
      /longer than 100 bytes/,
    );
  });
});

describe('parseWatchEvent', () => {
  it('accepts the event types of the watch protocol', () => {
    assert.deepEqual(parseWatchEvent(JSON.stringify({ type: 'ADDED', object: cm('a', '1') }), '/p'), {
      type: 'ADDED',
      object: cm('a', '1'),
    });
    assert.equal(
      parseWatchEvent(JSON.stringify({ type: 'MODIFIED', object: cm('a', '2') }), '/p').type,
      'MODIFIED',
    );
    assert.equal(
      parseWatchEvent(JSON.stringify({ type: 'DELETED', object: cm('a', '3') }), '/p').type,
      'DELETED',
    );
    assert.deepEqual(
      parseWatchEvent(
        JSON.stringify({
          type: 'BOOKMARK',
          object: { kind: 'ConfigMap', metadata: { resourceVersion: '9', annotations: {} } },
        }),
        '/p',
      ),
      { type: 'BOOKMARK', object: { metadata: { resourceVersion: '9' } } },
    );
    const err = parseWatchEvent(
      JSON.stringify({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } }),
      '/p',
    );
    assert.deepEqual(err, { type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  const bad: [string, string][] = [
    ['not JSON', '{"type":"ADDED",'],
    ['an array', '[1,2]'],
    ['no object', '{"type":"ADDED"}'],
    ['unknown type', JSON.stringify({ type: 'UPSERTED', object: cm('a', '1') })],
    ['object without a name', JSON.stringify({ type: 'ADDED', object: { metadata: {} } })],
    ['bookmark without resourceVersion', JSON.stringify({ type: 'BOOKMARK', object: { metadata: {} } })],
  ];
  for (const [what, text] of bad) {
    it(`rejects ${what} with a parse error naming the path`, () => {
      assert.throws(
        () => parseWatchEvent(text, '/api/v1/configmaps'),
        (err: unknown) =>
          err instanceof WatchError && err.reason === 'parse' && err.message.includes('/api/v1/configmaps'),
      );
    });
  }
});

describe('watchEvents', () => {
  it('yields the events in order and stops at the first bad line', async () => {
    const seen: string[] = [];
    await assert.rejects(
      (async () => {
        for await (const ev of watchEvents(
          chunks(
            line({ type: 'ADDED', object: cm('a', '1') }),
            'garbage\n',
            line({ type: 'ADDED', object: cm('b', '2') }),
          ),
          '/p',
        )) {
          seen.push(ev.type === 'ADDED' ? ev.object.metadata.name : ev.type);
        }
      })(),
      (err: unknown) => err instanceof WatchError && err.reason === 'parse',
    );
    assert.deepEqual(seen, ['a'], 'nothing after the bad line is applied');
  });
});
