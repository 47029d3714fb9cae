import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNormalizedNamed } from '../../reference/index.ts';
import { imageBackupName } from './image-backup-name.ts';
import { ORIGINAL_IMAGES_ANNOTATION } from './labels.ts';
import { backupNamesOf } from './backup-index.ts';
import { parseWorkloadKey, workloadKey } from './workload-resources.ts';
import { WORKLOAD_KINDS } from './workload-types.ts';

test('queue keys: Kind/namespace/name round-trips; anything else is refused', () => {
  for (const kind of WORKLOAD_KINDS) {
    assert.deepEqual(parseWorkloadKey(workloadKey(kind, 'team', 'web')), {
      kind,
      namespace: 'team',
      name: 'web',
    });
  }
  for (const bad of [
    'team/web',
    'Pod/team/web',
    'Deployment/team',
    'Deployment//web',
    'Deployment/a/b/c',
    '',
  ])
    assert.equal(parseWorkloadKey(bad), undefined, bad);
});

test('a workload is indexed under the backups of its images and of the originals it runs from backups', () => {
  const name = (image: string) => imageBackupName(parseNormalizedNamed(image));
  const workload = {
    metadata: {
      name: 'w',
      annotations: { [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({ app: 'redis:7' }) },
    },
    spec: {
      template: {
        spec: {
          initContainers: [{ name: 'init', image: 'busybox:1' }],
          containers: [
            { name: 'app', image: 'backup.example.com/lifeboat/docker.io/library/redis:7' },
            { name: 'bad', image: 'Not A Reference' },
          ],
        },
      },
    },
  };
  assert.deepEqual(backupNamesOf('Deployment', workload), [
    name('busybox:1'),
    name('backup.example.com/lifeboat/docker.io/library/redis:7'),
    name('redis:7'),
  ]);
  assert.deepEqual(backupNamesOf('CronJob', workload), [name('redis:7')], 'read at the kind’s pod spec');
});
