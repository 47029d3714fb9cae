import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupMapping } from '../reference/index.ts';
import {
  backupUsers,
  blockingText,
  LISTED_USERS,
  refusalText,
  type NamedWorkload,
} from './uninstall-check.ts';

const MAPPING = backupMapping({ backupRegistry: 'backup.example:5000', prefix: 'lifeboat' });
const BACKUP = 'backup.example:5000/lifeboat/docker.io/library/nginx@sha256:' + 'a'.repeat(64);

const deployment = (name: string, images: string[], init: string[] = []): NamedWorkload => ({
  metadata: { name, namespace: 'shop' },
  spec: {
    template: {
      spec: {
        initContainers: init.map((image, i) => ({ name: `init${i}`, image })),
        containers: images.map((image, i) => ({ name: `c${i}`, image })),
      },
    },
  },
});

describe('backupUsers', () => {
  it('finds the workloads running an image from the backup area, init containers included', () => {
    const users = backupUsers(
      'Deployment',
      [
        deployment('web', ['nginx:1.25', BACKUP]),
        deployment('job', ['busybox:1.37'], [BACKUP]),
        deployment('plain', ['nginx:1.25']),
        // The backup registry outside lifeboat's prefix, and another registry's lifeboat/ path.
        deployment('other', ['backup.example:5000/team/app:1', 'elsewhere.example/lifeboat/app:1']),
        deployment('broken', ['UPPER CASE']),
      ],
      MAPPING,
    );
    assert.deepEqual(users, [
      { kind: 'Deployment', namespace: 'shop', name: 'web', images: [BACKUP] },
      { kind: 'Deployment', namespace: 'shop', name: 'job', images: [BACKUP] },
    ]);
  });
});

describe('refusalText', () => {
  it('lists the workloads and says to restore first, or --force', () => {
    const text = refusalText(
      backupUsers('Deployment', [deployment('web', [BACKUP])], MAPPING),
      'lifeboat-pull',
    );
    assert.match(text, /1 workload still run/);
    assert.match(text, /lifeboat restore/);
    assert.match(text, /--force/);
    assert.match(text, /lifeboat-pull/);
    assert.ok(text.includes(`  Deployment shop/web: ${BACKUP}\n`), text);
  });

  it(`lists at most ${LISTED_USERS} and counts the rest`, () => {
    const many = Array.from({ length: LISTED_USERS + 5 }, (_, i) => deployment(`w${i}`, [BACKUP]));
    const text = refusalText(backupUsers('Deployment', many, MAPPING), 'lifeboat-pull');
    assert.equal(text.split('\n').filter((l) => l.startsWith('  Deployment')).length, LISTED_USERS);
    assert.match(text, /… and 5 more\n$/);
  });
});

describe('blockingText (--dry-run)', () => {
  it('lists every blocking workload, and says whether uninstall would refuse or --force remove anyway', () => {
    const many = Array.from({ length: LISTED_USERS + 5 }, (_, i) => deployment(`w${i}`, [BACKUP]));
    const users = backupUsers('Deployment', many, MAPPING);
    const refuse = blockingText(users, 'lifeboat-pull', false);
    assert.match(refuse, /^would refuse: 25 workloads still run images from the backup registry/);
    assert.equal(refuse.split('\n').filter((l) => l.startsWith('  Deployment')).length, LISTED_USERS + 5);
    assert.ok(refuse.includes(`  Deployment shop/w24: ${BACKUP}\n`), refuse);
    assert.match(
      blockingText(users.slice(0, 1), 'lifeboat-pull', true),
      /^--force: would remove the lifeboat-pull copies although 1 workload still run/,
    );
  });
});
