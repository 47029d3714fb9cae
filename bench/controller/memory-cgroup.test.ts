import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ownCgroupPath } from './memory-cgroup.ts';

describe('ownCgroupPath', () => {
  const hybrid = '9:name=systemd:/\n4:memory:/process_api/abc\n1:cpu,cpuacct:/x\n0::/unified-path\n';
  it('finds the v1 controller’s path, also in a list of controllers', () => {
    assert.equal(ownCgroupPath(hybrid, 'memory'), '/process_api/abc');
    assert.equal(ownCgroupPath(hybrid, 'cpuacct'), '/x');
  });
  it('finds the unified (v2) path without a controller, and nothing for a controller not mounted', () => {
    assert.equal(ownCgroupPath(hybrid, undefined), '/unified-path');
    assert.equal(ownCgroupPath('0::/only-v2\n', 'memory'), undefined);
  });
});
