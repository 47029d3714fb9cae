import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createProcessLogger } from './logging.ts';

/** A text logger at trace level and the lines it wrote. */
function textLogger() {
  const lines: string[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  return { logger: createProcessLogger({ format: 'text', level: 'trace', out }), lines };
}

describe('--log-format text', () => {
  it('prints level names, never numbers', () => {
    const { logger, lines } = textLogger();
    logger.trace('t');
    logger.debug('d');
    logger.info({ n: 1 }, 'i');
    logger.warn('w');
    logger.error('e');
    logger.fatal('f');
    logger.child({ controller: 'workloads' }).info('child');
    const levels = lines.map((l) => l.split(' ')[1]);
    assert.deepEqual(levels, ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'INFO']);
    for (const line of lines) assert.doesNotMatch(line, /level=|\b(10|20|30|40|50|60)\b/, line);
    assert.match(lines[6] ?? '', / child controller=workloads$/);
  });

  it('prints an error as its message and code on the same line, without a stack', () => {
    const { logger, lines } = textLogger();
    const err = Object.assign(new Error('reading kubeconfig /x', { cause: new Error('ENOENT') }), {
      code: 'KUBE_CONFIG_INVALID',
    });
    logger.error({ err }, 'cannot start');
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] ?? '',
      /ERROR cannot start err="reading kubeconfig \/x.* \(KUBE_CONFIG_INVALID\)"$/,
    );
    assert.doesNotMatch(lines[0] ?? '', /\bat |stack/);
  });

  it('json stays pino JSON, with the numeric level log pipelines expect', () => {
    const chunks: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    });
    createProcessLogger({ format: 'json', level: 'info', out }).info('x');
    assert.equal((JSON.parse(chunks.join('')) as { level: number }).level, 30);
  });
});
