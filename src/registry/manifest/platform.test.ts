import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidPlatformError } from './errors.ts';
import { formatPlatform, parsePlatform, platformMatches } from './platform.ts';

describe('parsePlatform', () => {
  const good: [string, object][] = [
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm64/v8', { os: 'linux', architecture: 'arm64', variant: 'v8' }],
    [' windows/amd64 ', { os: 'windows', architecture: 'amd64' }],
  ];
  for (const [text, platform] of good) {
    it(`reads ${JSON.stringify(text)}`, () => assert.deepEqual(parsePlatform(text), platform));
  }
  for (const text of ['linux', 'linux/', '/amd64', 'linux/arm/v7/extra', 'Linux/AMD64', '']) {
    it(`refuses ${JSON.stringify(text)}`, () =>
      assert.throws(() => parsePlatform(text), InvalidPlatformError));
  }
  it('formats back to the os/arch[/variant] form', () => {
    assert.equal(formatPlatform(parsePlatform('linux/arm/v7')), 'linux/arm/v7');
    assert.equal(formatPlatform(parsePlatform('linux/s390x')), 'linux/s390x');
  });
});

describe('platformMatches', () => {
  const cases: [string, object | undefined, string, boolean][] = [
    ['same os and arch', { os: 'linux', architecture: 'amd64' }, 'linux/amd64', true],
    ['different arch', { os: 'linux', architecture: 'arm64' }, 'linux/amd64', false],
    ['different os', { os: 'windows', architecture: 'amd64' }, 'linux/amd64', false],
    [
      'any variant when none is asked',
      { os: 'linux', architecture: 'arm', variant: 'v6' },
      'linux/arm',
      true,
    ],
    ['the asked variant', { os: 'linux', architecture: 'arm', variant: 'v7' }, 'linux/arm/v7', true],
    ['not another variant', { os: 'linux', architecture: 'arm', variant: 'v6' }, 'linux/arm/v7', false],
    ['arm64 without variant as v8', { os: 'linux', architecture: 'arm64' }, 'linux/arm64/v8', true],
    ['an entry without platform never', undefined, 'linux/amd64', false],
  ];
  for (const [name, candidate, wanted, expected] of cases) {
    it(`matches ${name}: ${expected}`, () => {
      assert.equal(platformMatches(candidate as never, parsePlatform(wanted)), expected);
    });
  }
});
