import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupMapping, parseNormalizedNamed, type BackupMapping } from '../../reference/index.ts';
import { desiredImageBackup } from './desired-backup.ts';
import { imageBackupName } from '../api/image-backup-name.ts';
import { imageBackupSchema } from '../api/image-backup-schema.ts';

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
      const backup = desiredImageBackup(ref, { mapping: c.mapping, platforms: c.platforms });
      assert.deepEqual(backup, {
        metadata: { name: imageBackupName(ref), labels: MANAGED },
        spec: {
          source: c.source,
          target: c.target,
          ...(c.platformsOut === undefined ? {} : { platforms: c.platformsOut }),
        },
      });
      assert.deepEqual(imageBackupSchema.parse(backup), backup);
      // The target must parse back to what it says: one tag or one digest, never both.
      const target = parseNormalizedNamed(backup.spec.target);
      assert.ok((target.tag === undefined) !== (target.digest === undefined), backup.spec.target);
    });
  }

  it('names the backup of equal sources alike, and passes the schema', () => {
    const a = desiredImageBackup(parseNormalizedNamed('nginx'), { mapping: NESTED });
    const b = desiredImageBackup(parseNormalizedNamed('docker.io/library/nginx:latest'), {
      mapping: NESTED,
      platforms: [],
    });
    assert.deepEqual(a, b);
    assert.deepEqual(imageBackupSchema.parse(a), a);
  });
});
