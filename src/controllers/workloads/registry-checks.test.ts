import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createFakeClock } from '../../kube/workqueue/fake-clock.ts';
import type { PullSecretRef } from '../api/image-backup-schema.ts';
import type { RegistryProbe } from '../api/registry-probe.ts';
import { createRegistryChecks } from './registry-checks.ts';

/** A probe that counts its questions and answers from `present` / `readable`. */
function countingProbe() {
  const asked: string[] = [];
  const probe = {
    asked,
    present: true as boolean | Error,
    readable: true as boolean,
    gate: undefined as Promise<void> | undefined,
    async backupManifestPresent(repository: string, digest: string): Promise<boolean> {
      asked.push(`HEAD ${repository}@${digest}`);
      await probe.gate;
      if (probe.present instanceof Error) throw probe.present;
      return probe.present;
    },
    async sourceReadable(source: string, refs: readonly PullSecretRef[]): Promise<boolean> {
      asked.push(`READ ${source} ${refs.map((r) => r.name).join(',')}`);
      await probe.gate;
      return probe.readable;
    },
  } satisfies RegistryProbe & Record<string, unknown>;
  return probe;
}

describe('registry checks', () => {
  it('a burst of workloads of one image costs one HEAD', async () => {
    const probe = countingProbe();
    let open!: () => void;
    probe.gate = new Promise((resolve) => (open = resolve));
    const checks = createRegistryChecks(probe, { clock: createFakeClock() });
    const answers = Array.from({ length: 50 }, () => checks.backupManifestPresent('b/app', 'sha256:1'));
    open();
    assert.deepEqual(await Promise.all(answers), Array(50).fill(true));
    assert.equal(await checks.backupManifestPresent('b/app', 'sha256:1'), true);
    assert.deepEqual(probe.asked, ['HEAD b/app@sha256:1']);
    await checks.backupManifestPresent('b/app', 'sha256:2');
    assert.equal(probe.asked.length, 2, 'another digest is another question');
  });

  it('"present" is trusted for its ttl, then asked again', async () => {
    const clock = createFakeClock();
    const probe = countingProbe();
    const checks = createRegistryChecks(probe, { clock, presentTtlMs: 1_000 });
    await checks.backupManifestPresent('b/app', 'sha256:1');
    clock.step(999);
    await checks.backupManifestPresent('b/app', 'sha256:1');
    assert.equal(probe.asked.length, 1);
    clock.step(1);
    probe.present = false;
    assert.equal(await checks.backupManifestPresent('b/app', 'sha256:1'), false);
    assert.equal(probe.asked.length, 2);
  });

  it('"missing" and a failed HEAD are never remembered', async () => {
    const probe = countingProbe();
    const checks = createRegistryChecks(probe, { clock: createFakeClock() });
    probe.present = false;
    assert.equal(await checks.backupManifestPresent('b/app', 'sha256:1'), false);
    probe.present = new Error('registry down');
    await assert.rejects(checks.backupManifestPresent('b/app', 'sha256:1'), /registry down/);
    probe.present = true;
    assert.equal(await checks.backupManifestPresent('b/app', 'sha256:1'), true);
    assert.equal(probe.asked.length, 3);
  });

  it('readability per (source, refs): a refusal is remembered briefly, a success long', async () => {
    const clock = createFakeClock();
    const probe = countingProbe();
    const checks = createRegistryChecks(probe, { clock, refusedTtlMs: 100, readableTtlMs: 1_000 });
    const refs = [{ namespace: 'a', name: 'regcred' }];
    probe.readable = false;
    assert.equal(await checks.sourceReadable('src/app:1', []), false);
    assert.equal(await checks.sourceReadable('src/app:1', []), false);
    assert.equal(probe.asked.length, 1);
    probe.readable = true;
    assert.equal(await checks.sourceReadable('src/app:1', refs), true, "another namespace's refs");
    assert.equal(probe.asked.length, 2);
    clock.step(100);
    assert.equal(await checks.sourceReadable('src/app:1', []), true, 'the refusal has expired');
    clock.step(899);
    assert.equal(await checks.sourceReadable('src/app:1', refs), true, 'the success is still trusted');
    assert.equal(probe.asked.length, 3);
    clock.step(1);
    await checks.sourceReadable('src/app:1', refs);
    assert.equal(probe.asked.length, 4, 'and asked again once it expired');
  });

  it('is bounded: the oldest answer goes first', async () => {
    const probe = countingProbe();
    const checks = createRegistryChecks(probe, { clock: createFakeClock(), maxEntries: 1 });
    await checks.backupManifestPresent('b/a', 'sha256:1');
    await checks.backupManifestPresent('b/b', 'sha256:1');
    await checks.backupManifestPresent('b/a', 'sha256:1');
    assert.equal(probe.asked.length, 3);
  });
});
