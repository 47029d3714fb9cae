import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkImageShape, checkIndexShape } from './shape.ts';

const digest = `sha256:${'a'.repeat(64)}`;
const desc = (extra: Record<string, unknown> = {}) => ({ mediaType: 'x', digest, size: 1, ...extra });

describe('checkImageShape', () => {
  it('accepts an image and keeps unknown fields of its descriptors', () => {
    const result = checkImageShape({ schemaVersion: 2, config: desc({ extra: 1 }), layers: [desc()] });
    assert.ok(result.ok);
    assert.equal((result.value.config as unknown as { extra: number }).extra, 1);
    assert.equal(result.value.layers.length, 1);
  });

  const invalid: [string, Record<string, unknown>, string][] = [
    ['schema version 3', { schemaVersion: 3, config: desc(), layers: [] }, 'schemaVersion'],
    ['no config', { schemaVersion: 2, layers: [] }, 'config'],
    ['layers not an array', { schemaVersion: 2, config: desc(), layers: {} }, 'layers'],
    [
      'an empty media type',
      { schemaVersion: 2, config: desc({ mediaType: '' }), layers: [] },
      'config.mediaType',
    ],
    [
      'an uppercase digest',
      { schemaVersion: 2, config: desc(), layers: [desc({ digest: digest.toUpperCase() })] },
      'layers.0.digest',
    ],
    ['a fractional size', { schemaVersion: 2, config: desc({ size: 1.5 }), layers: [] }, 'config.size'],
    [
      'a numeric annotation',
      { schemaVersion: 2, config: desc(), layers: [desc({ annotations: { a: 1 } })] },
      'layers.0.annotations.a',
    ],
    [
      'urls not strings',
      { schemaVersion: 2, config: desc(), layers: [desc({ urls: [1] })] },
      'layers.0.urls',
    ],
  ];
  for (const [name, body, path] of invalid) {
    it(`refuses ${name}, naming ${path}`, () => {
      const result = checkImageShape(body);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.issue.path, path);
    });
  }
});

describe('checkIndexShape', () => {
  it('accepts an index whose entries carry platforms', () => {
    const platform = { os: 'linux', architecture: 'arm', variant: 'v7' };
    const result = checkIndexShape({ schemaVersion: 2, manifests: [desc({ platform })] });
    assert.ok(result.ok);
    assert.deepEqual(result.value.manifests[0]?.platform, platform);
  });

  it('refuses a platform without an architecture, naming where', () => {
    const result = checkIndexShape({
      schemaVersion: 2,
      manifests: [desc(), desc({ platform: { os: 'linux' } })],
    });
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.issue.path, 'manifests.1.platform.architecture');
  });

  it('refuses an index without manifests', () => {
    const result = checkIndexShape({ schemaVersion: 2 });
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.issue.path, 'manifests');
  });
});
