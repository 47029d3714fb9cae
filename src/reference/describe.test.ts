import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupMapping, describeReference } from './index.ts';

const D = 'sha256:e6693c20186f837fc393390135d8a598a96a833917917789d63766cab6c59582';
const mapping = backupMapping({ backupRegistry: 'backup.example.com', prefix: 'lifeboat' });

describe('describeReference', () => {
  it('gives the normalised, familiar and Docker forms of a valid reference', () => {
    assert.deepEqual(describeReference('nginx:1.25'), {
      input: 'nginx:1.25',
      valid: true,
      normalized: 'docker.io/library/nginx:1.25',
      familiar: 'nginx:1.25',
      dockerRef: 'docker.io/library/nginx:1.25',
      domain: 'docker.io',
      path: 'library/nginx',
      tag: '1.25',
      digest: null,
    });
    assert.deepEqual(describeReference(`quay.io/a/b:v1@${D}`, mapping), {
      input: `quay.io/a/b:v1@${D}`,
      valid: true,
      normalized: `quay.io/a/b:v1@${D}`,
      familiar: `quay.io/a/b:v1@${D}`,
      dockerRef: `quay.io/a/b@${D}`,
      domain: 'quay.io',
      path: 'a/b',
      tag: 'v1',
      digest: D,
      backup: `backup.example.com/lifeboat/quay.io/a/b:v1@${D}`,
    });
  });

  it('maps to the backup registry, and leaves images already there as they are', () => {
    const bare = describeReference('nginx', mapping);
    assert.ok(bare.valid);
    assert.equal(bare.backup, 'backup.example.com/lifeboat/docker.io/library/nginx:latest');
    assert.equal(bare.dockerRef, 'docker.io/library/nginx:latest');
    const already = describeReference('backup.example.com/lifeboat/docker.io/library/nginx:1.25', mapping);
    assert.ok(already.valid);
    assert.equal(already.backup, 'backup.example.com/lifeboat/docker.io/library/nginx:1.25');
  });

  it('reports invalid references and impossible mappings instead of throwing', () => {
    assert.deepEqual(describeReference('Nginx'), {
      input: 'Nginx',
      valid: false,
      error: 'invalid reference format: repository name (library/Nginx) must be lowercase',
    });
    assert.deepEqual(describeReference(''), { input: '', valid: false, error: 'invalid reference format' });
    const long = describeReference(`quay.io/${'a'.repeat(250)}`, mapping);
    assert.ok(long.valid);
    assert.equal(long.backup, null);
    assert.match(long.error ?? '', /over the limit of 255/);
    const upper = describeReference('Foo/bar', mapping);
    assert.ok(upper.valid);
    assert.equal(upper.backup, null);
    assert.match(upper.error ?? '', /cannot map Foo\/bar/);
  });
});
