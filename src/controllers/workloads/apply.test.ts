// apply.ts with hand-written doubles, asserting the recorded API actions and Events (as
// sample-controller's controller_test.go does). The end-to-end behaviour against a real API server
// is test/e2e/workloads/controller.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { backupMapping, parseNormalizedNamed } from '../../reference/index.ts';
import { KubeApiError, type KubeObject } from '../../kube/index.ts';
import { createFakeEventRecorder } from '../../kube/event-recorder-fake.ts';
import { createFakeClock } from '../../kube/workqueue/fake-clock.ts';
import { backupSource } from '../api/backup-source.ts';
import { EventReasons } from '../api/event-reasons.ts';
import { imageBackupName } from '../api/image-backup-name.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { ORIGINAL_IMAGES_ANNOTATION } from '../api/labels.ts';
import type { RegistryProbe } from '../api/registry-probe.ts';
import { createApplier, type ApplyTarget } from './apply.ts';
import { createCreationExpectations } from './creation-expectations.ts';
import { decideWorkload, type DecisionOptions, type WorkloadSnapshot } from './decide.ts';
import type { EligibilityWorkload } from './eligibility.ts';
import type { RewriteResult } from './metrics.ts';
import { createRegistryChecks } from './registry-checks.ts';
import { createReportOnce } from './report-once.ts';

const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const BACKUP = 'backup.example.com:5000/lifeboat';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OPTIONS: DecisionOptions = {
  eligibility: { excludedNamespaces: new Set(), mapping },
  pinDigest: true,
  dryRun: false,
  // `shared`: no anonymous HEAD before a create, no readers; the other modes have tests of their own.
  privateImages: 'shared',
};
const nameOf = (image: string): string => imageBackupName(backupSource(parseNormalizedNamed(image)));
const httpError = (status: number): KubeApiError => new KubeApiError({ method: 'PATCH', path: '/x', status });

/** A rolled-out Deployment running `image` in container `app` (or `{ container: image }`). */
function workload(
  image: string | Record<string, string>,
  annotations: Record<string, string> = {},
): EligibilityWorkload {
  const images = typeof image === 'string' ? { app: image } : image;
  const containers = Object.entries(images).map(([name, i]) => ({ name, image: i }));
  return {
    metadata: { name: 'web', namespace: 'team', generation: 4, annotations },
    spec: { replicas: 1, template: { spec: { containers } } },
    status: { observedGeneration: 4, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 },
  };
}

function readyBackup(image: string, status: ImageBackup['status'] = {}): ImageBackup & KubeObject {
  const key = backupSource(parseNormalizedNamed(image));
  return {
    metadata: { name: nameOf(image), resourceVersion: '17' },
    spec: { source: key.string(), target: `${BACKUP}/${key.domain}/${key.path}:${key.tag}` },
    status: { phase: 'Ready', targetDigest: DIGEST, ...status },
  };
}

/** The applier over recording doubles; `answers` say how each API call ends. */
function harness(o: { present?: boolean; readable?: boolean; anonymous?: (source: string) => boolean } = {}) {
  const actions: string[] = [];
  /** `create` fails for every name, or only for `createOnly` when set. */
  const failures: {
    create?: KubeApiError;
    createOnly?: string;
    patch?: KubeApiError;
    patchStatus?: KubeApiError;
  } = {};
  const cache = new Map<string, ImageBackup & KubeObject>();
  const probe: RegistryProbe = {
    backupManifestPresent: (repository, digest) => {
      actions.push(`HEAD ${repository}@${digest}`);
      return Promise.resolve(o.present ?? true);
    },
    sourceReadable: (source, refs) => {
      actions.push(`READ ${source} as ${refs.map((r) => r.name).join(',') || 'nobody'}`);
      if (refs.length === 0 && o.anonymous !== undefined) return Promise.resolve(o.anonymous(source));
      return Promise.resolve(o.readable ?? true);
    },
  };
  const events = createFakeEventRecorder();
  const results: RewriteResult[] = [];
  const creating = createCreationExpectations({ clock: createFakeClock() });
  const apply = createApplier({
    backups: {
      create: (b) => {
        actions.push(`create ${b.metadata.name}`);
        const error = failures.create;
        if (error && (failures.createOnly ?? b.metadata.name) === b.metadata.name)
          return Promise.reject(error);
        return Promise.resolve(b);
      },
      patchStatus: (name, patch) => {
        actions.push(`patchStatus ${name} ${JSON.stringify(patch)}`);
        if (failures.patchStatus) return Promise.reject(failures.patchStatus);
        return Promise.resolve(cache.get(name)!);
      },
    },
    workloads: (kind) => ({
      jsonPatch: (name, ops, w) => {
        actions.push(`patch ${kind} ${w?.namespace}/${name} (${ops.length} ops)`);
        return failures.patch
          ? Promise.reject(failures.patch)
          : Promise.resolve({ metadata: { name, generation: 5 } });
      },
    }),
    backupCache: cache,
    checks: createRegistryChecks(probe, { clock: createFakeClock() }),
    creating,
    reported: createReportOnce(),
    events,
    metrics: { rewrite: (_kind, result) => void results.push(result) },
    logger: pino({ level: 'silent' }),
  });
  const target: ApplyTarget = {
    key: 'Deployment/team/web',
    kind: 'Deployment',
    namespace: 'team',
    name: 'web',
    uid: 'uid-1',
    generation: 4,
    regarding: { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'team', name: 'web' },
    pullSecretRefs: () => [{ namespace: 'team', name: 'regcred' }],
  };
  const snapshot = (w: EligibilityWorkload): WorkloadSnapshot => ({
    kind: 'Deployment',
    workload: w,
    namespace: { metadata: { name: 'team' } },
    backups: cache,
    creating,
    pullSecretPresent: true,
  });
  const reconcile = (w: EligibilityWorkload, options: Partial<DecisionOptions> = {}) =>
    apply(decideWorkload(snapshot(w), { ...OPTIONS, ...options }), target, new AbortController().signal);
  const reasons = (): string[] => events.events.map((e) => e.reason);
  return { actions, failures, cache, creating, results, reconcile, reasons, events };
}

describe('apply', () => {
  it('two workloads of one new image: one create, the second waits for the cache', async () => {
    const h = harness();
    const first = h.reconcile(workload('nginx:1.25'));
    // Decided while the first create is still on its way (a second worker).
    const second = await h.reconcile(workload('nginx:1.25'));
    assert.equal(await first, undefined, "the backup's Add event enqueues the workload again");
    assert.deepEqual(
      second,
      { requeue: 'rateLimited' },
      'a look at the cache again, in case that create fails',
    );
    assert.deepEqual(h.actions, [`create ${nameOf('nginx:1.25')}`]);
    assert.equal(h.creating.has(nameOf('nginx:1.25')), true, 'until the cache shows it');
  });

  it('a create lost to another writer is planned again through the rate limiter', async () => {
    const h = harness();
    h.failures.create = httpError(409);
    assert.deepEqual(await h.reconcile(workload('nginx:1.25')), { requeue: 'rateLimited' });
    assert.equal(h.creating.has(nameOf('nginx:1.25')), true, 'the winner shows up in the cache');
  });

  it('a create that fails otherwise throws, and the name may be created again', async () => {
    const h = harness();
    h.failures.create = httpError(500);
    await assert.rejects(h.reconcile(workload('nginx:1.25')), KubeApiError);
    assert.equal(h.creating.has(nameOf('nginx:1.25')), false);
  });

  it('a create failing after another succeeded: only the failed one may be created again', async () => {
    const h = harness();
    h.failures.create = httpError(500);
    h.failures.createOnly = nameOf('redis:7');
    await assert.rejects(h.reconcile(workload({ app: 'nginx:1.25', cache: 'redis:7' })), KubeApiError);
    assert.deepEqual(h.actions, [`create ${nameOf('nginx:1.25')}`, `create ${nameOf('redis:7')}`]);
    assert.equal(h.creating.has(nameOf('nginx:1.25')), true, 'created: waited for');
    assert.equal(h.creating.has(nameOf('redis:7')), false);
  });

  it('Ready backups: HEAD of the manifest, then one patch and ImagesMovedToBackup', async () => {
    const h = harness();
    h.cache.set(nameOf('nginx:1.25'), readyBackup('nginx:1.25'));
    assert.equal(await h.reconcile(workload('nginx:1.25')), undefined);
    assert.deepEqual(h.actions, [
      `HEAD ${BACKUP}/docker.io/library/nginx@${DIGEST}`,
      'patch Deployment team/web (4 ops)',
    ]);
    assert.deepEqual(h.reasons(), [EventReasons.ImagesMovedToBackup]);
    assert.deepEqual(h.results, ['rewritten']);
  });

  it('a manifest missing from the backup registry: Pending, guarded by the resourceVersion; no patch', async () => {
    const h = harness({ present: false });
    h.cache.set(nameOf('nginx:1.25'), readyBackup('nginx:1.25'));
    assert.deepEqual(await h.reconcile(workload('nginx:1.25')), { requeue: 'rateLimited' });
    assert.deepEqual(h.actions, [
      `HEAD ${BACKUP}/docker.io/library/nginx@${DIGEST}`,
      `patchStatus ${nameOf('nginx:1.25')} {"metadata":{"resourceVersion":"17"},"status":{"phase":"Pending"}}`,
    ]);
  });

  it('a private source the namespace cannot read: BackupAccessDenied once per generation, no patch', async () => {
    const h = harness({ readable: false });
    h.cache.set(nameOf('nginx:1.25'), readyBackup('nginx:1.25', { private: true }));
    assert.deepEqual(await h.reconcile(workload('nginx:1.25')), { requeue: 'rateLimited' });
    assert.deepEqual(await h.reconcile(workload('nginx:1.25')), { requeue: 'rateLimited' });
    assert.deepEqual(h.actions, ['READ docker.io/library/nginx:1.25 as regcred'], 'the refusal remembered');
    assert.deepEqual(h.reasons(), [EventReasons.BackupAccessDenied]);
    assert.deepEqual(h.results, ['access_denied']);
  });

  it('--private-images=skip: a source an anonymous HEAD refuses gets no backup; PrivateSourceSkipped once per generation', async () => {
    const h = harness({ anonymous: (source) => !source.includes('nginx') });
    const skip = { privateImages: 'skip' } as const;
    const w = workload({ app: 'nginx:1.25', cache: 'redis:7' });
    assert.deepEqual(await h.reconcile(w, skip), { requeue: 'rateLimited' });
    assert.deepEqual(await h.reconcile(w, skip), { requeue: 'rateLimited' });
    assert.deepEqual(
      h.actions,
      ['READ docker.io/library/nginx:1.25 as nobody', 'READ docker.io/library/redis:7 as nobody'],
      'anonymous HEADs only (remembered): nothing created, not even the public image of the workload',
    );
    assert.deepEqual(h.reasons(), [EventReasons.PrivateSourceSkipped]);
    assert.match(h.events.events[0]!.note ?? '', /app: docker\.io\/library\/nginx:1\.25/);
    assert.equal(h.creating.has(nameOf('redis:7')), false, 'no creation is awaited');
  });

  it('--private-images=skip: public sources are HEADed anonymously, then created', async () => {
    const h = harness({ anonymous: () => true });
    assert.equal(await h.reconcile(workload('nginx:1.25'), { privateImages: 'skip' }), undefined);
    assert.deepEqual(h.actions, [
      'READ docker.io/library/nginx:1.25 as nobody',
      `create ${nameOf('nginx:1.25')}`,
    ]);
  });

  it('--private-images=skip: a Ready backup marked private is not rewritten to', async () => {
    const h = harness();
    h.cache.set(nameOf('nginx:1.25'), readyBackup('nginx:1.25', { private: true }));
    const result = await h.reconcile(workload('nginx:1.25'), { privateImages: 'skip' });
    assert.deepEqual(result, { requeue: 'rateLimited' });
    assert.deepEqual(h.actions, []);
    assert.deepEqual(h.reasons(), [EventReasons.PrivateSourceSkipped]);
  });

  it('--private-images=isolated: a namespace shown to read is added to readers (guarded), then rewritten', async () => {
    const h = harness({ readable: true });
    h.cache.set(nameOf('nginx:1.25'), readyBackup('nginx:1.25', { private: true, readers: ['other'] }));
    assert.equal(await h.reconcile(workload('nginx:1.25'), { privateImages: 'isolated' }), undefined);
    assert.deepEqual(h.actions, [
      'READ docker.io/library/nginx:1.25 as regcred',
      `patchStatus ${nameOf('nginx:1.25')} {"metadata":{"resourceVersion":"17"},"status":{"readers":["other","team"]}}`,
      `HEAD ${BACKUP}/docker.io/library/nginx@${DIGEST}`,
      'patch Deployment team/web (4 ops)',
    ]);
  });

  it('--private-images=isolated: a reader already listed costs no write; shared never writes readers', async () => {
    for (const mode of ['isolated', 'shared'] as const) {
      const h = harness({ readable: true });
      const readers = mode === 'isolated' ? ['team'] : [];
      h.cache.set(nameOf('nginx:1.25'), readyBackup('nginx:1.25', { private: true, readers }));
      await h.reconcile(workload('nginx:1.25'), { privateImages: mode });
      assert.ok(!h.actions.some((a) => a.startsWith('patchStatus')), mode);
    }
  });

  it('--private-images=isolated: a refused namespace is removed from readers, others stay; BackupAccessDenied', async () => {
    const h = harness({ readable: false });
    h.cache.set(
      nameOf('nginx:1.25'),
      readyBackup('nginx:1.25', { private: true, readers: ['a', 'team', 'b'] }),
    );
    assert.deepEqual(await h.reconcile(workload('nginx:1.25'), { privateImages: 'isolated' }), {
      requeue: 'rateLimited',
    });
    assert.deepEqual(h.actions, [
      'READ docker.io/library/nginx:1.25 as regcred',
      `patchStatus ${nameOf('nginx:1.25')} {"metadata":{"resourceVersion":"17"},"status":{"readers":["a","b"]}}`,
    ]);
    assert.deepEqual(h.reasons(), [EventReasons.BackupAccessDenied]);
  });

  it('--private-images=isolated: a readers write lost to another writer plans again; no patch meanwhile', async () => {
    const h = harness({ readable: true });
    h.cache.set(nameOf('nginx:1.25'), readyBackup('nginx:1.25', { private: true }));
    h.failures.patchStatus = httpError(409);
    assert.deepEqual(await h.reconcile(workload('nginx:1.25'), { privateImages: 'isolated' }), {
      requeue: 'rateLimited',
    });
    assert.ok(!h.actions.some((a) => a.startsWith('patch Deployment')));
  });

  it('--private-images=isolated: a workload already on a private backup is recorded once its access is shown', async () => {
    const onBackup = workload(`${BACKUP}/docker.io/library/nginx:1.25@${DIGEST}`, {
      [ORIGINAL_IMAGES_ANNOTATION]: '{"app":"nginx:1.25"}',
    });
    const shown = harness({ readable: true });
    shown.cache.set(nameOf('nginx:1.25'), readyBackup('nginx:1.25', { private: true }));
    assert.equal(await shown.reconcile(onBackup, { privateImages: 'isolated' }), undefined);
    assert.deepEqual(shown.actions, [
      'READ docker.io/library/nginx:1.25 as regcred',
      `patchStatus ${nameOf('nginx:1.25')} {"metadata":{"resourceVersion":"17"},"status":{"readers":["team"]}}`,
    ]);
    const refused = harness({ readable: false });
    refused.cache.set(nameOf('nginx:1.25'), readyBackup('nginx:1.25', { private: true }));
    assert.deepEqual(await refused.reconcile(onBackup, { privateImages: 'isolated' }), {
      requeue: 'rateLimited',
    });
    assert.deepEqual(refused.actions, ['READ docker.io/library/nginx:1.25 as regcred'], 'nothing written');
  });

  it('a patch lost to a concurrent edit: RewriteConflict, planned again through the rate limiter', async () => {
    const h = harness();
    h.cache.set(nameOf('nginx:1.25'), readyBackup('nginx:1.25'));
    h.failures.patch = httpError(422);
    assert.deepEqual(await h.reconcile(workload('nginx:1.25')), { requeue: 'rateLimited' });
    assert.deepEqual(h.reasons(), [EventReasons.RewriteConflict]);
    assert.deepEqual(h.results, ['conflict']);
  });

  it("another writer's revert: RewriteReverted once per generation, nothing written", async () => {
    const h = harness();
    h.cache.set(nameOf('nginx:1.25'), readyBackup('nginx:1.25'));
    const reverted = workload('nginx:1.25', { [ORIGINAL_IMAGES_ANNOTATION]: '{"app":"nginx:1.25"}' });
    await h.reconcile(reverted);
    await h.reconcile(reverted);
    assert.deepEqual(h.actions, []);
    assert.deepEqual(h.reasons(), [EventReasons.RewriteReverted]);
  });

  it('an invalid reference: InvalidImageReference once per generation, nothing written', async () => {
    const h = harness();
    await h.reconcile(workload('Nginx:1'));
    await h.reconcile(workload('Nginx:1'));
    assert.deepEqual(h.actions, []);
    assert.deepEqual(h.reasons(), [EventReasons.InvalidImageReference]);
  });

  it('dry run: WouldBackUp and WouldRewrite once per generation, nothing written', async () => {
    const h = harness();
    await h.reconcile(workload('nginx:1.25'), { dryRun: true });
    await h.reconcile(workload('nginx:1.25'), { dryRun: true });
    assert.deepEqual(h.actions, []);
    assert.deepEqual(h.reasons(), [EventReasons.WouldBackUp, EventReasons.WouldRewrite]);
    assert.deepEqual(h.results, ['dry_run']);
  });
});
