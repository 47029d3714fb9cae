import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Registry } from 'prom-client';
import { leadershipOf } from '../../kube/index.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { copyMetrics } from './metrics.ts';

const backup = (name: string, phase?: 'Ready' | 'Failed'): ImageBackup =>
  ({ metadata: { name }, ...(phase ? { status: { phase } } : {}) }) as unknown as ImageBackup;

it('lifeboat_image_backup_ready is 1 per Ready backup, 0 per other, and forgets deleted ones', async () => {
  const registry = new Registry();
  let backups = [backup('a', 'Ready'), backup('b', 'Failed'), backup('c')];
  copyMetrics(registry, () => backups);
  const text = await registry.metrics();
  assert.match(text, /^lifeboat_image_backup_ready\{backup="a"\} 1$/m);
  assert.match(text, /^lifeboat_image_backup_ready\{backup="b"\} 0$/m);
  assert.match(text, /^lifeboat_image_backup_ready\{backup="c"\} 0$/m);
  backups = [backup('b', 'Ready')];
  const later = await registry.metrics();
  assert.match(later, /^lifeboat_image_backup_ready\{backup="b"\} 1$/m);
  assert.doesNotMatch(later, /backup="a"/);
});

it('lifeboat_copy_duration_seconds tells copied from failed attempts', async () => {
  const registry = new Registry();
  const metrics = copyMetrics(registry, () => []);
  metrics.copied({ bytesCopied: 1, blobsCopied: 1, blobsSkipped: 0, blobsMounted: 0, seconds: 0.2 });
  metrics.failed('SOURCE_NOT_FOUND', 3);
  metrics.failed('SOURCE_NOT_FOUND', 4);
  const text = await registry.metrics();
  assert.match(text, /^lifeboat_copy_duration_seconds_count\{result="copied"\} 1$/m);
  assert.match(text, /^lifeboat_copy_duration_seconds_count\{result="failed"\} 2$/m);
  assert.match(text, /^lifeboat_copy_duration_seconds_sum\{result="failed"\} 7$/m);
});

it('exports the object counts from the leader only', async () => {
  const registry = new Registry();
  copyMetrics(registry, () => [backup('a', 'Ready')]);
  leadershipOf(registry).leading = false;
  const follower = await registry.metrics();
  for (const name of [
    'lifeboat_image_backups',
    'lifeboat_image_backups_source',
    'lifeboat_image_backup_ready',
  ])
    assert.doesNotMatch(follower, new RegExp(`^${name}\\{`, 'm'), name);
  leadershipOf(registry).leading = true;
  const leader = await registry.metrics();
  assert.match(leader, /^lifeboat_image_backups\{phase="Ready"\} 1$/m);
  assert.match(leader, /^lifeboat_image_backup_ready\{backup="a"\} 1$/m);
});
