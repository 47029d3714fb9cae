// What every scenario file of the backup suite shares: the environment, the `lifeboat run` process
// most scenarios reuse (started on first need, stopped by scenarios that need it gone), the auditor
// wrapped around each test, and the expected form of rewritten images, written out here by hand
// (`{backup}/lifeboat/{host_port}/{path}:{tag}@{digest}`) rather than computed by lifeboat's mapping.
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { LocalRegistry } from '../../../src/devenv/index.ts';
import { imageBackupClient } from '../../../src/controllers/api/image-backup-resource.ts';
import type { ImageBackup } from '../../../src/controllers/api/image-backup-schema.ts';
import type { LifeboatProcess } from '../lifeboat-process.ts';
import { BACKUP_PREFIX, readerCredentials, type BackupEnv } from './backup-env.ts';
import { startAuditor } from './auditor.ts';
import { craneDigest } from './registry-check.ts';

export interface Suite {
  env(): BackupEnv;
  /** The shared `lifeboat run` (no extra flags), started if it is not running. */
  lifeboat(): Promise<LifeboatProcess>;
  /** Stops the shared process (SIGTERM) if it runs; the next `lifeboat()` starts a new one. */
  stopLifeboat(): Promise<void>;
  /** Wraps a test body: the auditor runs beside it, and the test fails on any violation. */
  audited(body: (t: TestContext) => Promise<void>): (t: TestContext) => Promise<void>;
}

export function createSuite(env: () => BackupEnv): Suite {
  let current: LifeboatProcess | undefined;
  const running = (p: LifeboatProcess | undefined): p is LifeboatProcess =>
    p !== undefined && p.child.exitCode === null && p.child.signalCode === null;
  const suite: Suite = {
    env,
    async lifeboat() {
      // `shared`: the private-source scenarios here are that mode's (BackupAccessDenied where a
      // namespace cannot read); skip and isolated are test/e2e/tenants'.
      if (!running(current)) current = env().startLifeboat('--private-images', 'shared');
      await current.address();
      return current;
    },
    async stopLifeboat() {
      if (!running(current)) return;
      const code = await current.stop('SIGTERM');
      assert.equal(code, 0, `lifeboat run exits 0 on SIGTERM; stderr: ${current.stderr()}`);
    },
    audited(body) {
      return async (t) => {
        const auditor = startAuditor({ api: env().api, backup: env().backup });
        let failure: Error | undefined;
        try {
          await body(t);
        } catch (error) {
          failure = error instanceof Error ? error : new Error(String(error));
          if (current) t.diagnostic(`lifeboat's last log lines: ${logTail(current)}`);
        }
        const violations = await auditor.stop();
        t.diagnostic(`auditor: ${auditor.rounds()} rounds, ${auditor.checks()} backup images checked`);
        if (failure !== undefined) throw failure;
        assert.deepEqual(
          violations,
          [],
          'no workload ever referenced a backup image missing from the registry',
        );
      };
    },
  };
  return suite;
}

function logTail(p: LifeboatProcess): string {
  const warnings = p.logs.filter((l) => l.level >= 40).slice(-10);
  return JSON.stringify([...warnings, ...p.logs.slice(-10)]);
}

/** `127.0.0.1:5000` → `127.0.0.1_5000`, the host component of a nested mapping. */
const hostComponent = (host: string): string => host.replace(':', '_');

/** The backup repository of `source/path`: `{backup}/lifeboat/{host_port}/{path}`. */
export function backupRepository(env: BackupEnv, source: LocalRegistry, path: string): string {
  return `${env.backup.host}/${BACKUP_PREFIX}/${hostComponent(source.host)}/${path}`;
}

/** A source image as a test writes it: registry, repository path, tag and/or digest. */
export interface SourceImage {
  readonly registry: LocalRegistry;
  readonly path: string;
  readonly tag?: string;
  /** The digest the reference pins (digest references only). */
  readonly pinned?: string;
  /** The digest of the top manifest the tag (or pin) resolves to, from crane when it was pushed. */
  readonly digest: string;
}

/** How a workload refers to the source: `host/path:tag`, `host/path@digest` or both. */
export function sourceRef(s: SourceImage): string {
  return `${s.registry.host}/${s.path}${s.tag !== undefined ? `:${s.tag}` : ''}${s.pinned !== undefined ? `@${s.pinned}` : ''}`;
}

/** The rewritten image (pinned by digest, the default): `{repo}:{tag}@{digest}` or `{repo}@{digest}`. */
export function rewrittenRef(env: BackupEnv, s: SourceImage): string {
  const repo = backupRepository(env, s.registry, s.path);
  return s.tag !== undefined ? `${repo}:${s.tag}@${s.digest}` : `${repo}@${s.digest}`;
}

/** Asserts with crane (read-only user) that the backup holds the source's digest, by tag when there is one. */
export async function assertBackedUp(env: BackupEnv, s: SourceImage): Promise<void> {
  const repo = backupRepository(env, s.registry, s.path);
  const byDigest = await craneDigest(env.backup, `${repo}@${s.digest}`, readerCredentials(env.backup));
  assert.equal(byDigest, s.digest, `${repo}@${s.digest} is in the backup registry`);
  if (s.tag !== undefined) {
    const byTag = await craneDigest(env.backup, `${repo}:${s.tag}`, readerCredentials(env.backup));
    assert.equal(byTag, s.digest, `${repo}:${s.tag} has the source's digest`);
  }
}

export async function imageBackups(env: BackupEnv): Promise<ImageBackup[]> {
  return imageBackupClient(env.api).listAll();
}

/** The ImageBackups whose `spec.source` is `source` (lifeboat keys one object per source). */
export async function backupsOf(env: BackupEnv, source: string): Promise<ImageBackup[]> {
  return (await imageBackups(env)).filter((b) => b.spec.source === source);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
