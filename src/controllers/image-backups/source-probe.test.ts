// How one HEAD of a source is read, login by login: found, gone (NotFound / Unauthorized), a 429
// that is neither, anything else unreachable; every HEAD after the first is paced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  NotFoundError,
  RegistryError,
  TooManyRequestsError,
  UnauthorizedError,
  type PooledCredentials,
  type RegistryClient,
} from '../../registry/index.ts';
import { probeSource } from './source-probe.ts';

const D = `sha256:${'d'.repeat(64)}`;
const at = { registry: 'src.example' };

/** A login whose HEAD answers `answer` (a digest, undefined for 404, or an error to throw). */
type Answer = string | undefined | Error;

function access(answers: Answer[], heads: string[]) {
  const logins = answers.map(
    (answer, i) =>
      ({
        source: `login-${i}`,
        host: 'src.example',
        anonymous: i === answers.length - 1,
        use: <T>(fn: (client: RegistryClient) => Promise<T>): Promise<T> =>
          fn({
            host: 'src.example',
            headManifest: (repository: string, reference: string) => {
              heads.push(`${i}:${repository}:${reference}`);
              if (answer instanceof Error) return Promise.reject(answer);
              return Promise.resolve(
                answer === undefined ? undefined : { digest: answer, mediaType: 'm', size: 1 },
              );
            },
          } as unknown as RegistryClient),
      }) as unknown as PooledCredentials,
  );
  return { sourceChoices: () => Promise.resolve(logins) };
}

const signal = new AbortController().signal;

describe('probeSource', () => {
  const cases: [string, Answer[], string, number][] = [
    // name, answers per login, result kind/reason, HEADs sent
    ['the first login finds it', [D, D], `found:${D}`, 1],
    ['refused, then found by the next login', [new UnauthorizedError('401', at), D], `found:${D}`, 2],
    ['404 for every login: NotFound', [undefined, undefined], 'gone:NotFound', 2],
    [
      'refused by every login: Unauthorized',
      [new UnauthorizedError('401', at), new UnauthorizedError('403', at)],
      'gone:Unauthorized',
      2,
    ],
    [
      'refused by one, 404 for the other: NotFound',
      [new UnauthorizedError('401', at), new NotFoundError('404', at)],
      'gone:NotFound',
      2,
    ],
    [
      '429: throttled, never gone',
      [new TooManyRequestsError('429', { ...at, retryAfterMs: 5000 })],
      'throttled',
      1,
    ],
    [
      'a 503 after retries: unreachable',
      [new RegistryError('503', { ...at, status: 503 })],
      'unreachable',
      1,
    ],
  ];
  for (const [name, answers, want, count] of cases) {
    it(name, async () => {
      const heads: string[] = [];
      let paced = 0;
      const probe = await probeSource(access(answers, heads), 'src.example/app:1', [], signal, () => {
        paced++;
        return Promise.resolve();
      });
      const got =
        probe.kind === 'found'
          ? `found:${probe.digest}`
          : probe.kind === 'gone'
            ? `gone:${probe.reason}`
            : probe.kind;
      assert.equal(got, want);
      assert.equal(heads.length, count);
      assert.equal(paced, count - 1, 'every HEAD after the first waits for the budget');
      assert.ok(
        heads.every((h) => h.endsWith(':app:1')),
        'HEAD by the reference the backup was made from',
      );
      if (probe.kind === 'throttled') assert.equal(probe.retryAfterMs, 5000);
    });
  }
});
