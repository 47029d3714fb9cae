import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidManifestError, MediaTypeMismatchError, UnsupportedManifestError } from './errors.ts';
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  MANIFEST_MEDIA_TYPES,
  OCI_INDEX,
  OCI_MANIFEST,
  headerMediaType,
  manifestKind,
} from './media-types.ts';
import { listChildren, manifestMediaType, parseManifest } from './parse.ts';

const d = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

const image = (mediaType: string | undefined, extra: Record<string, unknown> = {}): Buffer =>
  json({
    schemaVersion: 2,
    ...(mediaType ? { mediaType } : {}),
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: d(1), size: 10 },
    layers: [
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(2), size: 200 },
      { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: d(3), size: 300 },
    ],
    ...extra,
  });

const index = (mediaType: string | undefined): Buffer =>
  json({
    schemaVersion: 2,
    ...(mediaType ? { mediaType } : {}),
    manifests: [
      { mediaType: OCI_MANIFEST, digest: d(10), size: 500, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: OCI_MANIFEST, digest: d(11), size: 501, platform: { os: 'linux', architecture: 'arm64' } },
    ],
  });

describe('parseManifest', () => {
  const accepted: [string, Buffer, string | undefined, string, 'index' | 'image'][] = [
    ['OCI image with matching Content-Type', image(OCI_MANIFEST), OCI_MANIFEST, OCI_MANIFEST, 'image'],
    ['Docker v2 image', image(DOCKER_MANIFEST), DOCKER_MANIFEST, DOCKER_MANIFEST, 'image'],
    ['OCI index', index(OCI_INDEX), OCI_INDEX, OCI_INDEX, 'index'],
    [
      'Docker manifest list',
      index(DOCKER_MANIFEST_LIST),
      DOCKER_MANIFEST_LIST,
      DOCKER_MANIFEST_LIST,
      'index',
    ],
    [
      'OCI image without mediaType in body takes the Content-Type',
      image(undefined),
      OCI_MANIFEST,
      OCI_MANIFEST,
      'image',
    ],
    [
      'Content-Type parameters are ignored',
      image(OCI_MANIFEST),
      `${OCI_MANIFEST}; charset=utf-8`,
      OCI_MANIFEST,
      'image',
    ],
    [
      'a generic Content-Type defers to the body',
      index(DOCKER_MANIFEST_LIST),
      'application/json',
      DOCKER_MANIFEST_LIST,
      'index',
    ],
    [
      'no type anywhere: an index is inferred from its shape',
      index(undefined),
      undefined,
      OCI_INDEX,
      'index',
    ],
    [
      'no type anywhere: an image is inferred from its shape',
      image(undefined),
      undefined,
      OCI_MANIFEST,
      'image',
    ],
  ];
  for (const [name, bytes, contentType, mediaType, kind] of accepted) {
    it(`accepts ${name}`, () => {
      const parsed = parseManifest(bytes, contentType);
      assert.equal(parsed.mediaType, mediaType);
      assert.equal(parsed.kind, kind);
      assert.equal(manifestMediaType(bytes, contentType), mediaType, 'manifestMediaType decides alike');
    });
  }

  it('refuses a body whose mediaType disagrees with the Content-Type', () => {
    assert.throws(
      () => parseManifest(image(DOCKER_MANIFEST), OCI_MANIFEST),
      (e: unknown) =>
        e instanceof MediaTypeMismatchError && e.declared === OCI_MANIFEST && e.body === DOCKER_MANIFEST,
    );
  });

  const unsupported: [string, Buffer, string | undefined, string][] = [
    [
      'schema 1 signed',
      json({ schemaVersion: 1, name: 'x', fsLayers: [] }),
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
      'application/vnd.docker.distribution.manifest.v1+prettyjws',
    ],
    [
      'schema 1 without Content-Type',
      json({ schemaVersion: 1 }),
      undefined,
      'application/vnd.docker.distribution.manifest.v1+json',
    ],
    [
      'an unknown type',
      image('application/vnd.example.thing+json'),
      undefined,
      'application/vnd.example.thing+json',
    ],
  ];
  for (const [name, bytes, contentType, named] of unsupported) {
    it(`refuses ${name}, naming the type`, () => {
      for (const decide of [parseManifest, manifestMediaType]) {
        assert.throws(
          () => decide(bytes, contentType),
          (e: unknown) =>
            e instanceof UnsupportedManifestError &&
            e.code === 'MANIFEST_UNSUPPORTED' &&
            e.mediaType === named &&
            e.message.includes(named),
        );
      }
    });
  }

  it('manifestMediaType tells the type without checking the shape', () => {
    const noLayers = json({ schemaVersion: 2, mediaType: OCI_MANIFEST });
    assert.equal(manifestMediaType(noLayers, 'application/octet-stream'), OCI_MANIFEST);
    assert.throws(() => parseManifest(noLayers), InvalidManifestError);
    assert.throws(() => manifestMediaType(image(DOCKER_MANIFEST), OCI_MANIFEST), MediaTypeMismatchError);
  });

  const invalid: [string, Buffer][] = [
    ['non-JSON bytes', Buffer.from('not json')],
    ['a JSON array', json([1])],
    [
      'a layer with a malformed digest',
      image(OCI_MANIFEST, { layers: [{ mediaType: 'x', digest: 'sha256:zz', size: 1 }] }),
    ],
    ['a negative size', image(OCI_MANIFEST, { config: { mediaType: 'x', digest: d(1), size: -1 } })],
    [
      'an image without layers',
      json({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'x', digest: d(1), size: 1 } }),
    ],
  ];
  for (const [name, bytes] of invalid) {
    it(`reports ${name} as an invalid manifest`, () => {
      assert.throws(() => parseManifest(bytes, OCI_MANIFEST), InvalidManifestError);
    });
  }
});

describe('media types', () => {
  it('accepts, in order of preference, exactly the types it gives a kind', () => {
    assert.deepEqual(MANIFEST_MEDIA_TYPES, [OCI_INDEX, OCI_MANIFEST, DOCKER_MANIFEST_LIST, DOCKER_MANIFEST]);
    for (const type of MANIFEST_MEDIA_TYPES) assert.notEqual(manifestKind(type), undefined);
  });

  const headers: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ['', undefined],
    ['application/json; charset=utf-8', undefined],
    ['application/octet-stream', undefined],
    ['text/plain', undefined],
    [`${OCI_MANIFEST}; charset=utf-8`, OCI_MANIFEST],
    [DOCKER_MANIFEST_LIST.toUpperCase(), DOCKER_MANIFEST_LIST],
  ];
  for (const [header, expected] of headers) {
    it(`reads Content-Type ${JSON.stringify(header)} as ${String(expected)}`, () =>
      assert.equal(headerMediaType(header), expected));
  }
});

describe('listChildren', () => {
  it('lists the config and layers of an image as blobs', () => {
    const children = listChildren(parseManifest(image(OCI_MANIFEST)));
    assert.deepEqual(
      children.blobs.map((b) => b.digest),
      [d(1), d(2), d(3)],
    );
    assert.equal(children.manifests.length, 0);
  });

  it('lists the entries of an index as child manifests', () => {
    const children = listChildren(parseManifest(index(OCI_INDEX)));
    assert.deepEqual(
      children.manifests.map((m) => m.digest),
      [d(10), d(11)],
    );
    assert.equal(children.blobs.length, 0);
  });

  it('leaves out foreign layers that live outside registries', () => {
    const bytes = image(DOCKER_MANIFEST, {
      layers: [
        {
          mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
          digest: d(4),
          size: 4,
          urls: ['https://example.invalid/layer'],
        },
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: d(5), size: 5 },
      ],
    });
    assert.deepEqual(
      listChildren(parseManifest(bytes)).blobs.map((b) => b.digest),
      [d(1), d(5)],
    );
  });

  it('refuses an index entry of a schema 1 type, naming it', () => {
    const bytes = json({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST_LIST,
      manifests: [
        { mediaType: 'application/vnd.docker.distribution.manifest.v1+json', digest: d(1), size: 1 },
      ],
    });
    assert.throws(
      () => listChildren(parseManifest(bytes)),
      (e: unknown) =>
        e instanceof UnsupportedManifestError &&
        e.mediaType === 'application/vnd.docker.distribution.manifest.v1+json',
    );
  });
});
