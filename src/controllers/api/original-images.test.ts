import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backupMapping } from '../../reference/index.ts';
import { ORIGINAL_IMAGES_ANNOTATION } from './labels.ts';
import { isReverted, originalImagesOf } from './original-images.ts';
import type { ContainerLike, Workload } from './workload-types.ts';

const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const DIGEST = `sha256:${'a'.repeat(64)}`;
const BACKUP_NGINX = `backup.example.com:5000/lifeboat/docker.io/library/nginx:1.25@${DIGEST}`;
const BACKUP_BUSYBOX = `backup.example.com:5000/lifeboat/docker.io/library/busybox:1@${DIGEST}`;

function deployment(
  containers: ContainerLike[],
  annotation: string | undefined,
  initContainers: ContainerLike[] = [],
): Workload {
  return {
    metadata: {
      name: 'web',
      annotations: annotation === undefined ? {} : { [ORIGINAL_IMAGES_ANNOTATION]: annotation },
    },
    spec: { template: { spec: { containers, initContainers } } },
  };
}

const ORIGINALS = JSON.stringify({ init: 'busybox:1', app: 'nginx:1.25' });

test('a revert is every listed container on its original again, and no backup image anywhere', () => {
  const cases: [why: string, workload: Workload, reverted: boolean][] = [
    [
      'originals back, init container included',
      deployment([{ name: 'app', image: 'nginx:1.25' }], ORIGINALS, [{ name: 'init', image: 'busybox:1' }]),
      true,
    ],
    [
      'still on the backups (lifeboat rewrote it): no revert',
      deployment([{ name: 'app', image: BACKUP_NGINX }], ORIGINALS, [
        { name: 'init', image: BACKUP_BUSYBOX },
      ]),
      false,
    ],
    [
      'one container back, one still on its backup: not a revert',
      deployment([{ name: 'app', image: 'nginx:1.25' }], ORIGINALS, [
        { name: 'init', image: BACKUP_BUSYBOX },
      ]),
      false,
    ],
    [
      'images changed to something else (a new release): not a revert',
      deployment([{ name: 'app', image: 'nginx:1.27' }], ORIGINALS, [{ name: 'init', image: 'busybox:1' }]),
      false,
    ],
    ['no annotation: never rewritten', deployment([{ name: 'app', image: 'nginx:1.25' }], undefined), false],
    [
      'a listed container gone from the manifest does not count',
      deployment([{ name: 'app', image: 'nginx:1.25' }], ORIGINALS),
      true,
    ],
    [
      'no listed container left: nothing says it was reverted',
      deployment([{ name: 'other', image: 'nginx:1.25' }], ORIGINALS),
      false,
    ],
    [
      'unreadable annotation vouches for nothing',
      deployment([{ name: 'app', image: 'nginx:1.25' }], '{nope'),
      false,
    ],
    [
      'the original compared as written (nginx:1.25 is not docker.io/library/nginx:1.25)',
      deployment(
        [{ name: 'app', image: 'docker.io/library/nginx:1.25' }],
        JSON.stringify({ app: 'nginx:1.25' }),
      ),
      false,
    ],
  ];
  for (const [why, workload, reverted] of cases) {
    assert.equal(isReverted('Deployment', workload, mapping), reverted, why);
  }
});

test('the annotation reads as container → image, or undefined when it is not that', () => {
  const read = (a: string | undefined) => originalImagesOf(deployment([], a));
  assert.deepEqual(read(ORIGINALS), { init: 'busybox:1', app: 'nginx:1.25' });
  assert.equal(read(undefined), undefined);
  assert.equal(read('not json'), undefined);
  assert.equal(read('["nginx"]'), undefined);
  assert.equal(read('null'), undefined);
  assert.equal(read(JSON.stringify({ app: 1 })), undefined);
  assert.deepEqual(read('{}'), {});
});
