// Property tests of the `lifeboat.dev/original-images` decoder (issue 16 item 6). Anyone who may
// edit a workload may write this annotation, so whatever it holds the decoder answers "a map of
// container → image" or "vouches for nothing" (undefined), and the revert check built on it answers
// true or false: never a throw, which would stop the workload's reconcile.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParameters, mutated, over } from '../../common/fuzz.test-support.ts';
import { backupMapping } from '../../reference/index.ts';
import { ORIGINAL_IMAGES_ANNOTATION } from './labels.ts';
import { isReverted, originalImagesOf, runsBackupImage } from './original-images.ts';
import { WORKLOAD_KINDS, type Workload } from './workload-types.ts';

const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const container = fc.constantFrom('app', 'init', 'side', '__proto__', 'constructor', 'toString', '');
const image = fc.oneof(
  fc.constantFrom(
    'nginx:1.25',
    'busybox:1',
    `backup.example.com:5000/lifeboat/docker.io/library/nginx:1.25@sha256:${'a'.repeat(64)}`,
    'backup.example.com:5000/other/x:1',
    'NGINX',
    '',
  ),
  over([...'abc:/@.-_', 'sha256:', 'backup.example.com:5000/lifeboat/'], 12),
);
/** What lifeboat writes (a JSON object of strings), what others may write instead, and edits of both. */
const originals = fc.dictionary(container, image, { maxKeys: 3 });
const annotation = fc.oneof(
  { weight: 4, arbitrary: originals.map((o) => JSON.stringify(o)) },
  {
    weight: 3,
    arbitrary: mutated(
      originals.map((o) => JSON.stringify(o)),
      [...'{}[]":,\\ ', 'null', '1'],
    ),
  },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);
const containers = fc.array(fc.record({ name: container, image }), { maxLength: 3 });

function workload(
  kind: (typeof WORKLOAD_KINDS)[number],
  text: string,
  main: unknown[],
  init: unknown[],
): Workload {
  const spec = { containers: main, initContainers: init };
  return {
    metadata: { name: 'w', annotations: { [ORIGINAL_IMAGES_ANNOTATION]: text } },
    spec: kind === 'CronJob' ? { jobTemplate: { spec: { template: { spec } } } } : { template: { spec } },
  } as Workload;
}

describe('original-images annotation, fuzzed', () => {
  it('decodes to a map of strings or to nothing; the revert check answers true or false', () => {
    fc.assert(
      fc.property(
        annotation,
        fc.constantFrom(...WORKLOAD_KINDS),
        containers,
        containers,
        (text, kind, main, init) => {
          const w = workload(kind, text, main, init);
          const decoded = originalImagesOf(w);
          if (decoded !== undefined) {
            for (const [name, value] of Object.entries(decoded)) assert.equal(typeof value, 'string', name);
            assert.deepEqual(decoded, JSON.parse(text), 'exactly what the annotation says');
          }
          assert.equal(typeof isReverted(kind, w, mapping), 'boolean');
        },
      ),
      fuzzParameters(),
    );
  });

  it('what lifeboat writes reads back as written, whatever the container names', () => {
    fc.assert(
      fc.property(originals, (o) => {
        assert.deepEqual(originalImagesOf(workload('Deployment', JSON.stringify(o), [], [])), { ...o });
      }),
      fuzzParameters(),
    );
  });

  it('runsBackupImage answers for any text', () => {
    fc.assert(
      fc.property(fc.oneof(image, fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
        assert.equal(typeof runsBackupImage(text, mapping), 'boolean');
      }),
      fuzzParameters(),
    );
  });
});
