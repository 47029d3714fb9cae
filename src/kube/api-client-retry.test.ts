import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideRetry, isIdempotent } from './api-client-retry.ts';
import type { RetryInput } from './api-client-retry.ts';

const opts = { maxRetries: 3, initialMs: 100, maxMs: 1_000, maxRetryAfterMs: 5_000, random: () => 0 };
const NOW = Date.parse('2026-01-01T00:00:00Z');

describe('decideRetry', () => {
  const cases: [name: string, input: RetryInput, expected: ReturnType<typeof decideRetry>][] = [
    [
      '429 on POST waits Retry-After seconds',
      { method: 'POST', attempt: 0, status: 429, retryAfter: '2' },
      { retry: true, delayMs: 2_000 },
    ],
    [
      '429 without Retry-After backs off',
      { method: 'PATCH', attempt: 1, status: 429 },
      { retry: true, delayMs: 200 },
    ],
    [
      'Retry-After is capped',
      { method: 'GET', attempt: 0, status: 429, retryAfter: '3600' },
      { retry: true, delayMs: 5_000 },
    ],
    [
      'Retry-After as an HTTP date',
      { method: 'GET', attempt: 0, status: 503, retryAfter: 'Thu, 01 Jan 2026 00:00:03 GMT' },
      { retry: true, delayMs: 3_000 },
    ],
    ['503 on GET retries', { method: 'GET', attempt: 0, status: 503 }, { retry: true, delayMs: 100 }],
    ['500 on PUT retries', { method: 'PUT', attempt: 2, status: 500 }, { retry: true, delayMs: 400 }],
    ['500 on DELETE retries', { method: 'delete', attempt: 0, status: 500 }, { retry: true, delayMs: 100 }],
    [
      '500 on POST does not (it may have been applied)',
      { method: 'POST', attempt: 0, status: 500 },
      { retry: false },
    ],
    [
      '500 on merge PATCH does not',
      { method: 'PATCH', contentType: 'application/merge-patch+json', attempt: 0, status: 500 },
      { retry: false },
    ],
    [
      '500 on server-side apply does',
      { method: 'PATCH', contentType: 'application/apply-patch+yaml', attempt: 0, status: 502 },
      { retry: true, delayMs: 100 },
    ],
    ['501 never', { method: 'GET', attempt: 0, status: 501 }, { retry: false }],
    ['404 never', { method: 'GET', attempt: 0, status: 404 }, { retry: false }],
    ['409 never', { method: 'PUT', attempt: 0, status: 409 }, { retry: false }],
    ['401/403 never', { method: 'GET', attempt: 0, status: 403 }, { retry: false }],
    ['no retries left', { method: 'GET', attempt: 3, status: 503 }, { retry: false }],
    [
      'refused connection on POST (nothing sent)',
      { method: 'POST', attempt: 0, transportCode: 'ECONNREFUSED' },
      { retry: true, delayMs: 100 },
    ],
    [
      'reset on GET',
      { method: 'GET', attempt: 0, transportCode: 'ECONNRESET' },
      { retry: true, delayMs: 100 },
    ],
    ['reset on POST does not', { method: 'POST', attempt: 0, transportCode: 'ECONNRESET' }, { retry: false }],
    [
      'own timeout on GET',
      { method: 'GET', attempt: 1, transportCode: 'TimeoutError' },
      { retry: true, delayMs: 200 },
    ],
    ['success never', { method: 'GET', attempt: 0 }, { retry: false }],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => assert.deepEqual(decideRetry(input, opts, NOW), expected));
  }
});

describe('isIdempotent', () => {
  it('treats GET/PUT/DELETE and server-side apply as idempotent, POST and other PATCHes not', () => {
    assert.equal(isIdempotent('GET'), true);
    assert.equal(isIdempotent('put'), true);
    assert.equal(isIdempotent('DELETE'), true);
    assert.equal(isIdempotent('POST'), false);
    assert.equal(isIdempotent('PATCH', 'application/strategic-merge-patch+json'), false);
    assert.equal(isIdempotent('PATCH', 'application/apply-patch+yaml'), true);
  });
});
