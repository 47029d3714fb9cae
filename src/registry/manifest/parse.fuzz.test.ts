// Property tests of the manifest and index decoders (issue 16 item 6): whatever bytes a registry
// sends, with whatever Content-Type, `parseManifest`, `listChildren`, `manifestMediaType` and
// `filterIndex` return a result or a ManifestError, never an untyped throw. Inputs are JSON of the
// right shape (OCI and Docker manifests and indexes), the same with up to two values replaced by
// any JSON value or dropped, byte-level edits of those documents, and arbitrary JSON.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters, mutated, resultOrTypedError } from '../../common/fuzz.test-support.ts';
import type { Platform } from '../model/types.ts';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_SCHEMA1,
  filterIndex,
  formatPlatform,
  listChildren,
  ManifestError,
  manifestMediaType,
  OCI_INDEX,
  OCI_MANIFEST,
  parseManifest,
  parsePlatform,
} from './index.ts';

const hex = (n: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...'0123456789abcdef'), { minLength: n, maxLength: n }).map((c) => c.join(''));
const digest = fc.oneof(
  { weight: 30, arbitrary: hex(64).map((h) => `sha256:${h}`) },
  { weight: 1, arbitrary: hex(128).map((h) => `sha512:${h}`) },
  { weight: 1, arbitrary: fc.constantFrom('sha256:', 'sha256:abc', 'md5:0', `sha256:${'A'.repeat(64)}`, '') },
);
const mediaType = fc.constantFrom(
  OCI_INDEX,
  OCI_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST,
  DOCKER_SCHEMA1,
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/json',
  '',
);
const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: mediaType },
  { weight: 1, arbitrary: mediaType.map((m) => `${m}; charset=utf-8`) },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

const platform = fc.record(
  {
    os: fc.constantFrom('linux', 'windows'),
    architecture: fc.constantFrom('amd64', 'arm64', 'arm'),
    variant: fc.constantFrom('v7', 'v8', 'v1'),
  },
  { requiredKeys: ['os', 'architecture'] },
);
const descriptor = fc.record(
  {
    mediaType,
    digest,
    size: fc.nat(),
    platform,
    annotations: fc.dictionary(
      fc.constantFrom('vnd.docker.reference.type', 'vnd.docker.reference.digest', '__proto__', 'x'),
      fc.oneof(fc.constant('attestation-manifest'), digest),
    ),
    urls: fc.array(fc.webUrl(), { maxLength: 2 }),
  },
  { requiredKeys: ['mediaType', 'digest', 'size'] },
);
const descriptors = fc.array(descriptor, { maxLength: 4 });
const image = fc.record(
  {
    schemaVersion: fc.constant(2),
    mediaType: fc.constantFrom(OCI_MANIFEST, DOCKER_MANIFEST),
    config: descriptor,
    layers: descriptors,
  },
  { requiredKeys: ['schemaVersion', 'config', 'layers'] },
);
const index = fc.record(
  {
    schemaVersion: fc.constant(2),
    mediaType: fc.constantFrom(OCI_INDEX, DOCKER_MANIFEST_LIST),
    manifests: descriptors,
  },
  { requiredKeys: ['schemaVersion', 'manifests'] },
);

type Json = unknown;
type Place = [Record<string, Json> | Json[], string | number];
/** Every place in `value` a mutation can hit: `[container, key]`. */
function places(value: Json, out: Place[] = []): Place[] {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      out.push([value, i]);
      places(v, out);
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      out.push([value as Record<string, Json>, k]);
      places(v, out);
    }
  }
  return out;
}
/** A valid document with up to 2 of its values replaced by any JSON value, or removed. */
const documentText = fc
  .tuple(
    fc.oneof(image, index),
    fc.oneof(
      { weight: 3, arbitrary: fc.constant([]) },
      {
        weight: 2,
        arbitrary: fc.array(
          fc.tuple(fc.nat(), fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined })),
          {
            minLength: 1,
            maxLength: 2,
          },
        ),
      },
    ),
  )
  .map(([doc, edits]) => {
    const copy = structuredClone(doc) as Json;
    for (const [at, replacement] of edits) {
      const all = places(copy);
      if (all.length === 0) break;
      const [container, key] = all[at % all.length]!;
      if (replacement === undefined && !Array.isArray(container)) delete container[key as string];
      else (container as Record<string | number, Json>)[key] = replacement ?? null;
    }
    return JSON.stringify(copy);
  });
const JSON_CHARS = [...'{}[]",:0123456789 -.e\\', 'null', 'true', '"schemaVersion"', '"manifests"', '\u0000'];
const bytes = fc
  .oneof(
    { weight: 6, arbitrary: documentText },
    { weight: 2, arbitrary: mutated(documentText, JSON_CHARS) },
    { weight: 1, arbitrary: fc.json({ maxDepth: 3 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  )
  .map((text) => Buffer.from(text, 'utf8'));

const PLATFORMS: readonly Platform[] = [
  { os: 'linux', architecture: 'amd64' },
  { os: 'linux', architecture: 'arm64', variant: 'v8' },
];

describe('manifest decoders, fuzzed', () => {
  it('parseManifest, listChildren and manifestMediaType: a result or a ManifestError', () => {
    fc.assert(
      fc.property(bytes, contentType, (body, type) => {
        const parsed = resultOrTypedError(() => parseManifest(body, type), ManifestError);
        const media = resultOrTypedError(() => manifestMediaType(body, type), ManifestError);
        if (!parsed.ok) return;
        assert.ok(media.ok, 'a manifest that parses has a media type');
        assert.equal(media.value, parsed.value.mediaType);
        const children = resultOrTypedError(() => listChildren(parsed.value), ManifestError);
        if (children.ok && parsed.value.kind === 'image')
          assert.ok(children.value.blobs.length >= 1, 'an image lists its config');
      }),
      fuzzParameters(),
    );
  });

  it('filterIndex: a result that parses as the index it says, or a ManifestError', () => {
    fc.assert(
      fc.property(bytes, contentType, fc.subarray([...PLATFORMS], { minLength: 1 }), (body, type, wanted) => {
        const filtered = resultOrTypedError(() => filterIndex(body, wanted, type), ManifestError);
        if (!filtered.ok) return;
        const again = parseManifest(filtered.value.bytes, filtered.value.mediaType);
        assert.equal(again.kind, 'index');
        assert.equal(again.kind === 'index' && again.manifests.length, filtered.value.manifests.length);
      }),
      fuzzParameters(),
    );
  });

  it('parsePlatform: a platform that formats back, or a ManifestError', () => {
    const PARTS = [...'abz09._-/ ', 'linux', 'amd64', 'arm64', 'v8', '//', 'Linux'];
    fc.assert(
      fc.property(
        mutated(fc.constantFrom('linux/amd64', 'linux/arm64/v8', 'windows/amd64'), PARTS),
        (text) => {
          const p = resultOrTypedError(() => parsePlatform(text), ManifestError);
          if (p.ok) assert.deepEqual(parsePlatform(formatPlatform(p.value)), p.value);
        },
      ),
      fuzzParameters(),
    );
  });
});
