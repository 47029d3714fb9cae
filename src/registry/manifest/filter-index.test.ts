import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { InvalidManifestError, PlatformNotFoundError } from './errors.ts';
import { filterIndex } from './filter-index.ts';
import { DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from './media-types.ts';
import { parsePlatform } from './platform.ts';

const d = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

const entry = (n: number, platform: string, extra: object = {}): object => {
  const [os, architecture, variant] = platform.split('/');
  return {
    mediaType: OCI_MANIFEST,
    digest: d(n),
    size: 100 + n,
    platform: { os, architecture, ...(variant ? { variant } : {}) },
    ...extra,
  };
};

const indexBytes = Buffer.from(
  JSON.stringify(
    {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        entry(1, 'linux/amd64'),
        entry(2, 'linux/arm64/v8'),
        entry(3, 'linux/arm/v7'),
        entry(4, 'unknown/unknown', {
          annotations: {
            'vnd.docker.reference.type': 'attestation-manifest',
            'vnd.docker.reference.digest': d(2),
          },
        }),
      ],
      annotations: { 'org.opencontainers.image.source': 'https://example.invalid' },
    },
    null,
    3,
  ),
);

describe('filterIndex', () => {
  it('writes a new index with only the requested platforms, and its digest is the sha256 of the new bytes', () => {
    const out = filterIndex(indexBytes, [parsePlatform('linux/amd64')]);
    assert.equal(out.changed, true);
    assert.equal(out.digest, sha(out.bytes));
    assert.notEqual(out.digest, sha(indexBytes));
    const body = JSON.parse(out.bytes.toString()) as {
      manifests: { digest: string }[];
      annotations: object;
      mediaType: string;
    };
    assert.deepEqual(
      body.manifests.map((m) => m.digest),
      [d(1)],
    );
    assert.deepEqual(body.annotations, { 'org.opencontainers.image.source': 'https://example.invalid' });
    assert.equal(body.mediaType, OCI_INDEX);
    assert.deepEqual(
      out.manifests.map((m) => m.digest),
      [d(1)],
    );
  });

  it('keeps an attestation together with the image it describes', () => {
    const out = filterIndex(indexBytes, [parsePlatform('linux/arm64')]);
    assert.deepEqual(
      out.manifests.map((m) => m.digest),
      [d(2), d(4)],
    );
  });

  it('keeps several platforms in their original order', () => {
    const out = filterIndex(indexBytes, [parsePlatform('linux/arm/v7'), parsePlatform('linux/amd64')]);
    assert.deepEqual(
      out.manifests.map((m) => m.digest),
      [d(1), d(3)],
    );
  });

  it('returns the original bytes and digest when every entry matches', () => {
    const all = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: DOCKER_MANIFEST_LIST,
        manifests: [entry(1, 'linux/amd64')],
      }),
    );
    const out = filterIndex(all, [parsePlatform('linux/amd64')]);
    assert.equal(out.changed, false);
    assert.equal(out.bytes, all);
    assert.equal(out.digest, sha(all));
  });

  it('refuses a filter that matches nothing, listing what the index has', () => {
    assert.throws(
      () => filterIndex(indexBytes, [parsePlatform('windows/amd64')]),
      (e: unknown) =>
        e instanceof PlatformNotFoundError &&
        e.available.includes('linux/arm/v7') &&
        e.message.includes('windows/amd64'),
    );
  });

  it('refuses to filter an image manifest', () => {
    const image = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'x', digest: d(1), size: 1 },
        layers: [],
      }),
    );
    assert.throws(() => filterIndex(image, [parsePlatform('linux/amd64')]), InvalidManifestError);
  });
});
