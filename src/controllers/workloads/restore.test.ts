import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupMapping, parseNormalizedNamed, rewriteReference } from '../../reference/index.ts';
import type { BackupMapping } from '../../reference/index.ts';
import { CHANGE_CAUSE_ANNOTATION, ORIGINAL_IMAGES_ANNOTATION } from '../api/labels.ts';
import { isBackupOf, originalImages, planRestore, RestoreAnnotationError } from './restore.ts';
import type { JsonPatchOp, Workload, WorkloadKind } from '../api/workload-types.ts';

const DIGEST = `sha256:${'d'.repeat(64)}`;
const OTHER_DIGEST = `sha256:${'e'.repeat(64)}`;
const NESTED = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const FLAT = backupMapping({ backupRegistry: 'backup.example.com', prefix: 'team/mirror', flatten: true });
const BARE = backupMapping({ backupRegistry: 'localhost:5000' });

/** The image the workload controller rewrites `original` to (pinned, as by default). */
const backupOf = (original: string, mapping: BackupMapping = NESTED): string =>
  rewriteReference(parseNormalizedNamed(original), mapping, { digest: DIGEST }).string();

const ORIGINALS_POINTER = '/metadata/annotations/lifeboat.dev~1original-images';
const CAUSE_POINTER = '/metadata/annotations/kubernetes.io~1change-cause';
const LIFEBOAT_CAUSE = 'lifeboat: images moved to backup registry backup.example.com:5000';

function deployment(
  images: Record<string, string>,
  initImages: Record<string, string>,
  annotations?: Record<string, string>,
): Workload {
  const list = (m: Record<string, string>) => Object.entries(m).map(([name, image]) => ({ name, image }));
  return {
    metadata: { name: 'web', namespace: 'shop', ...(annotations && { annotations }) },
    spec: { template: { spec: { initContainers: list(initImages), containers: list(images) } } },
  };
}

describe('isBackupOf', () => {
  const cases: [string, string, string, boolean][] = [
    ['a nested, pinned copy', backupOf('nginx:1.25'), 'nginx:1.25', true],
    ['a flattened copy under a two-level prefix', backupOf('nginx:1.25', FLAT), 'nginx:1.25', true],
    ['a copy without prefix', backupOf('quay.io/team/app:2', BARE), 'quay.io/team/app:2', true],
    [
      'a copy of a source on a registry with a port',
      backupOf('registry.local:5000/app:1'),
      'registry.local:5000/app:1',
      true,
    ],
    ['a copy of an untagged original (tag latest)', backupOf('nginx'), 'nginx', true],
    ['a copy of a digest-only original', backupOf(`nginx@${DIGEST}`), `nginx@${DIGEST}`, true],
    [
      'a copy not pinned by digest',
      rewriteReference(parseNormalizedNamed('nginx:1.25'), NESTED, { pinDigest: false }).string(),
      'nginx:1.25',
      true,
    ],
    ['the original itself', 'docker.io/library/nginx:1.25', 'nginx:1.25', false],
    ['the original repository at another tag', 'nginx:1.26', 'nginx:1.25', false],
    ['a copy at another tag (changed since)', backupOf('nginx:1.26'), 'nginx:1.25', false],
    ['a copy of another image', backupOf('httpd:2'), 'nginx:1.25', false],
    [
      'a copy that lost the digest the original pins',
      backupOf(`nginx@${DIGEST}`).replace(DIGEST, OTHER_DIGEST),
      `nginx@${DIGEST}`,
      false,
    ],
    [
      'a repository that merely ends alike',
      'backup.example.com/xdocker.io/library/nginx:1.25',
      'nginx:1.25',
      false,
    ],
    ['an invalid current image', 'Not A Reference', 'nginx:1.25', false],
    ['an invalid original', backupOf('nginx:1.25'), ':::', false],
  ];
  for (const [what, image, original, expected] of cases) {
    it(`${expected ? 'recognises' : 'refuses'} ${what}`, () => {
      assert.equal(isBackupOf(image, original), expected, `${image} of ${original}`);
    });
  }
});

describe('originalImages', () => {
  it('reads container → image', () => {
    assert.deepEqual(
      [...originalImages('{"web":"nginx:1.25","init":"busybox"}')],
      [
        ['web', 'nginx:1.25'],
        ['init', 'busybox'],
      ],
    );
  });
  for (const value of ['not json', '[]', 'null', '"nginx"', '{"web":1}', '{"web":""}']) {
    it(`refuses ${value} as a permanent error naming the annotation`, () => {
      assert.throws(
        () => originalImages(value),
        (err: unknown) =>
          err instanceof RestoreAnnotationError &&
          err.code === 'RESTORE_ANNOTATION_INVALID' &&
          !err.temporary &&
          err.message.includes(ORIGINAL_IMAGES_ANNOTATION),
      );
    });
  }
});

describe('planRestore', () => {
  it('is undefined for a workload lifeboat did not rewrite', () => {
    assert.equal(planRestore('Deployment', deployment({ web: 'nginx:1.25' }, {})), undefined);
    assert.equal(planRestore('Deployment', deployment({ web: 'nginx:1.25' }, {}, { other: 'x' })), undefined);
  });

  it('puts back every container on its backup, init containers included, and removes both annotations', () => {
    const originals = JSON.stringify({ web: 'nginx:1.25', init: 'busybox:1.37' });
    const workload = deployment(
      { web: backupOf('nginx:1.25') },
      { init: backupOf('busybox:1.37') },
      { [ORIGINAL_IMAGES_ANNOTATION]: originals, [CHANGE_CAUSE_ANNOTATION]: LIFEBOAT_CAUSE, keep: 'me' },
    );
    const plan = planRestore('Deployment', workload);
    assert.deepEqual(plan?.containers, [
      { container: 'web', original: 'nginx:1.25', current: backupOf('nginx:1.25'), action: 'restore' },
      { container: 'init', original: 'busybox:1.37', current: backupOf('busybox:1.37'), action: 'restore' },
    ]);
    const expected: JsonPatchOp[] = [
      { op: 'test', path: '/spec/template/spec/initContainers/0/image', value: backupOf('busybox:1.37') },
      { op: 'replace', path: '/spec/template/spec/initContainers/0/image', value: 'busybox:1.37' },
      { op: 'test', path: '/spec/template/spec/containers/0/image', value: backupOf('nginx:1.25') },
      { op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.25' },
      { op: 'test', path: ORIGINALS_POINTER, value: originals },
      { op: 'remove', path: ORIGINALS_POINTER },
      { op: 'test', path: CAUSE_POINTER, value: LIFEBOAT_CAUSE },
      { op: 'remove', path: CAUSE_POINTER },
    ];
    assert.deepEqual(plan?.patch, expected);
  });

  it('leaves a change cause that is not lifeboat’s', () => {
    const originals = JSON.stringify({ web: 'nginx:1.25' });
    const plan = planRestore(
      'Deployment',
      deployment(
        { web: backupOf('nginx:1.25') },
        {},
        { [ORIGINAL_IMAGES_ANNOTATION]: originals, [CHANGE_CAUSE_ANNOTATION]: 'kubectl set image' },
      ),
    );
    assert.ok(plan);
    assert.ok(!plan.patch.some((op) => op.path === CAUSE_POINTER));
    assert.ok(plan.patch.some((op) => op.op === 'remove' && op.path === ORIGINALS_POINTER));
  });

  it('touches only containers still on their backup: the original, a changed and a missing one are left', () => {
    const originals = JSON.stringify({
      web: 'nginx:1.25',
      sidecar: 'envoy:1.30',
      cache: 'redis:7',
      gone: 'busybox:1.37',
    });
    const workload = deployment(
      { web: backupOf('nginx:1.25'), sidecar: 'envoy:1.30', cache: 'redis:8' },
      {},
      { [ORIGINAL_IMAGES_ANNOTATION]: originals },
    );
    const plan = planRestore('Deployment', workload);
    assert.deepEqual(
      plan?.containers.map((c) => [c.container, c.action]),
      [
        ['web', 'restore'],
        ['sidecar', 'original'],
        ['cache', 'changed'],
        ['gone', 'missing'],
      ],
    );
    assert.deepEqual(
      plan?.patch.filter((op) => op.op === 'replace'),
      [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:1.25' }],
    );
  });

  it('still removes the annotation when every container already runs its original', () => {
    const originals = JSON.stringify({ web: 'nginx:1.25' });
    const plan = planRestore(
      'Deployment',
      deployment({ web: 'nginx:1.25' }, {}, { [ORIGINAL_IMAGES_ANNOTATION]: originals }),
    );
    assert.deepEqual(plan?.patch, [
      { op: 'test', path: ORIGINALS_POINTER, value: originals },
      { op: 'remove', path: ORIGINALS_POINTER },
    ]);
  });

  const kinds: [WorkloadKind, Workload, string][] = [
    ['DaemonSet', deployment({ app: backupOf('app.example.com/app:1') }, {}), '/spec/template/spec'],
    ['StatefulSet', deployment({ app: backupOf('app.example.com/app:1') }, {}), '/spec/template/spec'],
    [
      'CronJob',
      {
        metadata: {},
        spec: {
          jobTemplate: {
            spec: {
              template: { spec: { containers: [{ name: 'app', image: backupOf('app.example.com/app:1') }] } },
            },
          },
        },
      },
      '/spec/jobTemplate/spec/template/spec',
    ],
  ];
  for (const [kind, base, podSpec] of kinds) {
    it(`patches a ${kind}'s pod template at ${podSpec}`, () => {
      const workload = {
        ...base,
        metadata: { annotations: { [ORIGINAL_IMAGES_ANNOTATION]: '{"app":"app.example.com/app:1"}' } },
      } as Workload;
      const plan = planRestore(kind, workload);
      assert.deepEqual(
        plan?.patch.filter((op) => op.op === 'replace'),
        [{ op: 'replace', path: `${podSpec}/containers/0/image`, value: 'app.example.com/app:1' }],
      );
    });
  }

  it('throws RestoreAnnotationError on an annotation it cannot read', () => {
    assert.throws(
      () =>
        planRestore('Deployment', deployment({ web: 'nginx' }, {}, { [ORIGINAL_IMAGES_ANNOTATION]: '{' })),
      RestoreAnnotationError,
    );
  });
});
