import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupMapping, parseNormalizedNamed, type BackupMapping } from '../../reference/index.ts';
import { desiredImageBackup, mergePullSecretRefs } from './desired-backup.ts';
import { imageBackupName } from '../api/image-backup-name.ts';
import { imageBackupSchema, type PullSecretRef } from '../api/image-backup-schema.ts';

const DIGEST = `sha256:${'a'.repeat(64)}`;
const NESTED = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const FLAT = backupMapping({ backupRegistry: 'backup.example.com', prefix: 'mirror', flatten: true });
const MANAGED = { 'app.kubernetes.io/managed-by': 'lifeboat' };

interface Case {
  readonly name: string;
  readonly image: string;
  readonly mapping: BackupMapping;
  readonly platforms?: string[];
  readonly source: string;
  readonly target: string;
  readonly platformsOut?: string[];
}

const CASES: Case[] = [
  {
    name: 'a tag source keeps its tag',
    image: 'nginx:1.25',
    mapping: NESTED,
    source: 'docker.io/library/nginx:1.25',
    target: 'backup.example.com:5000/lifeboat/docker.io/library/nginx:1.25',
  },
  {
    name: 'a docker.io short name without tag is latest',
    image: 'busybox',
    mapping: NESTED,
    source: 'docker.io/library/busybox:latest',
    target: 'backup.example.com:5000/lifeboat/docker.io/library/busybox:latest',
  },
  {
    name: 'a digest-only source is copied by digest, and whole',
    image: `nginx@${DIGEST}`,
    mapping: NESTED,
    platforms: ['linux/amd64'],
    source: `docker.io/library/nginx@${DIGEST}`,
    target: `backup.example.com:5000/lifeboat/docker.io/library/nginx@${DIGEST}`,
  },
  {
    name: 'a tag+digest source is pushed under its tag only, and whole',
    image: `nginx:1.25@${DIGEST}`,
    mapping: NESTED,
    platforms: ['linux/amd64'],
    source: `docker.io/library/nginx:1.25@${DIGEST}`,
    target: 'backup.example.com:5000/lifeboat/docker.io/library/nginx:1.25',
  },
  {
    name: 'a registry with a port, host lower-cased, platforms sorted and distinct',
    image: 'Registry.Example.com:5000/team/app:V2',
    mapping: NESTED,
    platforms: ['linux/arm64', 'linux/amd64', 'linux/arm64'],
    source: 'registry.example.com:5000/team/app:V2',
    target: 'backup.example.com:5000/lifeboat/registry.example.com_5000/team/app:V2',
    platformsOut: ['linux/amd64', 'linux/arm64'],
  },
  {
    name: 'flatten puts host and path in one component',
    image: 'ghcr.io/org/tool:3',
    mapping: FLAT,
    source: 'ghcr.io/org/tool:3',
    target: 'backup.example.com/mirror/ghcr.io-org-tool:3',
  },
];

describe('desiredImageBackup', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const ref = parseNormalizedNamed(c.image);
      const refs = [
        { namespace: 'b', name: 'pull' },
        { namespace: 'a', name: 'z' },
        { namespace: 'b', name: 'pull' },
        { namespace: 'a', name: 'y' },
      ];
      const backup = desiredImageBackup(ref, {
        mapping: c.mapping,
        platforms: c.platforms,
        pullSecretRefs: refs,
      });
      assert.deepEqual(backup, {
        metadata: { name: imageBackupName(ref), labels: MANAGED },
        spec: {
          source: c.source,
          target: c.target,
          ...(c.platformsOut === undefined ? {} : { platforms: c.platformsOut }),
          pullSecretRefs: [
            { namespace: 'a', name: 'y' },
            { namespace: 'a', name: 'z' },
            { namespace: 'b', name: 'pull' },
          ],
        },
      });
      assert.deepEqual(imageBackupSchema.parse(backup), backup);
      // The target must parse back to what it says: one tag or one digest, never both.
      const target = parseNormalizedNamed(backup.spec.target);
      assert.ok((target.tag === undefined) !== (target.digest === undefined), backup.spec.target);
    });
  }

  it('names the backup of equal sources alike, and passes the schema with no refs', () => {
    const a = desiredImageBackup(parseNormalizedNamed('nginx'), { mapping: NESTED, pullSecretRefs: [] });
    const b = desiredImageBackup(parseNormalizedNamed('docker.io/library/nginx:latest'), {
      mapping: NESTED,
      platforms: [],
      pullSecretRefs: [],
    });
    assert.deepEqual(a, b);
    assert.deepEqual(imageBackupSchema.parse(a), a);
  });
});

describe('mergePullSecretRefs', () => {
  const ref = (namespace: string, name: string): PullSecretRef => ({ namespace, name });
  const cases: [string, PullSecretRef[] | undefined, PullSecretRef[], PullSecretRef[]][] = [
    ['nothing stored yet', undefined, [ref('ns', 's')], [ref('ns', 's')]],
    ['nothing wanted', [ref('ns', 's')], [], [ref('ns', 's')]],
    ['a second workload adds its ref', [ref('b', 's')], [ref('a', 's')], [ref('a', 's'), ref('b', 's')]],
    [
      'a ref already there is not repeated',
      [ref('a', 's'), ref('b', 's')],
      [ref('b', 's')],
      [ref('a', 's'), ref('b', 's')],
    ],
    [
      'sorted by namespace, then name',
      [ref('b', 'a'), ref('a', 'b')],
      [ref('a', 'a')],
      [ref('a', 'a'), ref('a', 'b'), ref('b', 'a')],
    ],
    [
      'code-unit order, not locale',
      [ref('a', 'b')],
      [ref('a', 'B'), ref('a', 'a')],
      [ref('a', 'B'), ref('a', 'a'), ref('a', 'b')],
    ],
    [
      'the same name in two namespaces is two refs',
      [ref('x', 'pull')],
      [ref('y', 'pull')],
      [ref('x', 'pull'), ref('y', 'pull')],
    ],
  ];
  for (const [name, existing, wanted, expected] of cases) {
    it(name, () => {
      const before = JSON.stringify([existing, wanted]);
      assert.deepEqual(mergePullSecretRefs(existing, wanted), expected);
      // Order of the inputs does not matter, and the inputs are left as they were.
      assert.deepEqual(mergePullSecretRefs(wanted, existing ?? []), expected);
      assert.equal(JSON.stringify([existing, wanted]), before);
    });
  }

  it('drops fields other than namespace and name (the schema keeps only those)', () => {
    const extra = { namespace: 'a', name: 'b', uid: 'x' } as PullSecretRef;
    assert.deepEqual(mergePullSecretRefs([], [extra]), [ref('a', 'b')]);
  });
});
