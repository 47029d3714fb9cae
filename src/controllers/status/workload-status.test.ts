import { parseLabelSelector } from '../../kube/index.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupMapping, parseNormalizedNamed } from '../../reference/index.ts';
import { EventReasons, type EventReason } from '../api/event-reasons.ts';
import { desiredImageBackup } from '../workloads/desired-backup.ts';
import type { ImageBackup, ImageBackupStatus } from '../api/image-backup-schema.ts';
import { ORIGINAL_IMAGES_ANNOTATION } from '../api/labels.ts';
import type { NamespaceObject } from '../api/core-objects.ts';
import type { EligibilityOptions } from '../workloads/eligibility.ts';
import type { ContainerLike } from '../api/workload-types.ts';
import type { WorkloadEvent } from './latest-events.ts';
import { workloadStatus, type StatusWorkload, type WorkloadStatusInput } from './workload-status.ts';

const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const options: EligibilityOptions = {
  excludedNamespaces: new Set(['kube-system']),
  excludeImages: ['**/debug:*'],
  sourceRegistries: ['docker.io', 'quay.io'],
  mapping,
};
const apps: NamespaceObject = { metadata: { name: 'apps' } };
const DIGEST = `sha256:${'a'.repeat(64)}`;
const OTHER_DIGEST = `sha256:${'b'.repeat(64)}`;

function backupOf(image: string, status?: ImageBackupStatus): ImageBackup {
  const desired = desiredImageBackup(parseNormalizedNamed(image), { mapping });
  return status === undefined ? desired : { ...desired, status };
}
const nameOf = (image: string): string => backupOf(image).metadata.name;
const targetOf = (image: string): string => backupOf(image).spec.target;
const READY: ImageBackupStatus = { phase: 'Ready', targetDigest: DIGEST };

interface Shape {
  containers?: ContainerLike[];
  annotations?: Record<string, string>;
  ready?: boolean;
}

function deployment(shape: Shape = {}): StatusWorkload {
  const replicas = shape.ready === false ? 1 : 2;
  return {
    metadata: {
      name: 'web',
      namespace: 'apps',
      uid: 'uid-1',
      generation: 2,
      annotations: shape.annotations ?? {},
    },
    spec: {
      replicas: 2,
      template: { spec: { containers: shape.containers ?? [{ name: 'app', image: 'nginx:1.25' }] } },
    },
    status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: 2, readyReplicas: replicas },
  };
}

const event = (reason: EventReason, note: string, uid = 'uid-1'): WorkloadEvent => ({
  reason,
  note,
  uid,
  at: 1,
});

function status(
  workload: StatusWorkload,
  backups: readonly ImageBackup[] = [],
  extra: Partial<WorkloadStatusInput> = {},
) {
  return workloadStatus({
    kind: 'Deployment',
    workload,
    namespace: apps,
    backups: new Map(backups.map((b) => [b.metadata.name, b])),
    eligibility: options,
    ...extra,
  });
}

describe('workloadStatus', () => {
  it('gives every state with its reason, in the controller order', () => {
    const backedUp = `backup.example.com:5000/lifeboat/docker.io/library/nginx:1.25@${DIGEST}`;
    const rewritten = {
      containers: [{ name: 'app', image: backedUp }],
      annotations: { [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({ app: 'nginx:1.25' }) },
    };
    const cases: [why: string, state: string, reason: RegExp, run: () => ReturnType<typeof status>][] = [
      [
        'excluded namespace, by name',
        'Excluded',
        /^namespace kube-system is excluded by --exclude-namespaces/,
        () => status(deployment(), [], { namespace: { metadata: { name: 'kube-system' } } }),
      ],
      [
        'excluded namespace, by label',
        'Excluded',
        /^namespace apps is excluded labelled lifeboat.dev\/ignore=true$/,
        () =>
          status(deployment(), [], {
            namespace: { metadata: { name: 'apps', labels: { 'lifeboat.dev/ignore': 'true' } } },
          }),
      ],
      [
        'excluded namespace, by --namespace-selector',
        'Excluded',
        /^namespace apps is excluded by --namespace-selector lifeboat.dev\/enabled=true \(its labels do not match\)$/,
        () =>
          status(deployment(), [], {
            eligibility: { ...options, namespaceSelector: parseLabelSelector('lifeboat.dev/enabled=true') },
          }),
      ],
      [
        'terminating namespace',
        'Terminating',
        /^namespace apps is being deleted$/,
        () =>
          status(deployment(), [], {
            namespace: { metadata: { name: 'apps' }, status: { phase: 'Terminating' } },
          }),
      ],
      [
        'ignored workload',
        'Ignored',
        /^annotated lifeboat.dev\/ignore=true$/,
        () => status(deployment({ annotations: { 'lifeboat.dev/ignore': 'true' } })),
      ],
      [
        'invalid reference',
        'InvalidReference',
        /^not backed up: app: "NGINX:1.25" \(/,
        () => status(deployment({ containers: [{ name: 'app', image: 'NGINX:1.25' }] })),
      ],
      [
        'reverted by another writer',
        'Reverted',
        /another writer put the original images back/,
        () =>
          status(
            deployment({
              annotations: { [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({ app: 'nginx:1.25' }) },
            }),
          ),
      ],
      [
        'runs its backups, even while rolling them out',
        'Rewritten',
        /^1\/1 images run from backups$/,
        () => status(deployment({ ...rewritten, ready: false })),
      ],
      [
        'every image excluded or from an unselected registry',
        'Excluded',
        /^nothing to back up: dbg: matches --exclude-images \*\*\/debug:\*; app: registry not in --source-registries$/,
        () =>
          status(
            deployment({
              containers: [
                { name: 'dbg', image: 'debug:1' },
                { name: 'app', image: 'ghcr.io/acme/app:1' },
              ],
            }),
          ),
      ],
      [
        'not Ready',
        'NotReady',
        /has not rolled out.*--require-ready/,
        () => status(deployment({ ready: false })),
      ],
      [
        'not Ready, one image of two without a Ready backup: names it',
        'NotReady',
        /has not rolled out.*--require-ready.*side: docker.io\/library\/redis:7 has no Ready backup/,
        () =>
          status(
            deployment({
              ready: false,
              containers: [
                { name: 'app', image: 'nginx:1.25' },
                { name: 'side', image: 'redis:7' },
              ],
            }),
            [backupOf('nginx:1.25', READY), backupOf('redis:7', { phase: 'Copying' })],
          ),
      ],
      [
        'not Ready, every image with a Ready backup: due without waiting',
        'RewriteDue',
        /^every backup is Ready/,
        () => status(deployment({ ready: false }), [backupOf('nginx:1.25', READY)]),
      ],
      [
        'backup not created yet',
        'WaitingForCopy',
        new RegExp(`^app: ImageBackup ${nameOf('nginx:1.25')} not created yet$`),
        () => status(deployment()),
      ],
      [
        'backup queued',
        'WaitingForCopy',
        /^app: docker.io\/library\/nginx:1.25 queued for copy$/,
        () => status(deployment(), [backupOf('nginx:1.25')]),
      ],
      [
        'copying, with its progress',
        'WaitingForCopy',
        /^app: copying docker.io\/library\/nginx:1.25 \(12\/30 blobs, 40%\)$/,
        () =>
          status(deployment(), [backupOf('nginx:1.25', { phase: 'Copying', progress: '12/30 blobs, 40%' })]),
      ],
      [
        'Ready with another digest than the source pins',
        'WaitingForCopy',
        new RegExp(`backed up with digest ${OTHER_DIGEST}$`),
        () =>
          status(deployment({ containers: [{ name: 'app', image: `nginx@${DIGEST}` }] }), [
            backupOf(`nginx@${DIGEST}`, { phase: 'Ready', targetDigest: OTHER_DIGEST }),
          ]),
      ],
      [
        'copy failed, with its reason, before another copy in progress',
        'CopyFailed',
        /^app: docker.io\/library\/nginx:1.25: 401 from registry-1.docker.io$/,
        () =>
          status(
            deployment({
              containers: [
                { name: 'side', image: 'redis:7' },
                { name: 'app', image: 'nginx:1.25' },
              ],
            }),
            [
              backupOf('redis:7', { phase: 'Copying' }),
              backupOf('nginx:1.25', { phase: 'Failed', lastError: '401 from registry-1.docker.io' }),
            ],
          ),
      ],
      [
        'a damaged backup (Degraded) is a failure with what is missing, not a copy waited for',
        'CopyFailed',
        /^app: docker.io\/library\/nginx:1.25: backup damaged: manifest sha256:ab missing$/,
        () =>
          status(deployment(), [
            backupOf('nginx:1.25', { phase: 'Degraded', lastError: 'manifest sha256:ab missing' }),
          ]),
      ],
      [
        'all Ready, access denied by the latest Event',
        'AccessDenied',
        /^app: docker.io\/library\/nginx:1.25 needed credentials$/,
        () =>
          status(deployment(), [backupOf('nginx:1.25', { ...READY, private: true })], {
            latestEvent: event(
              EventReasons.BackupAccessDenied,
              'app: docker.io/library/nginx:1.25 needed credentials',
            ),
            privateImages: 'shared',
          }),
      ],
      [
        '--private-images=skip (the default), a Ready backup marked private: skipped',
        'PrivateSourceSkipped',
        /^private source \(an anonymous pull is refused\), --private-images=skip: app: docker.io\/library\/nginx:1.25; left as it is$/,
        () => status(deployment(), [backupOf('nginx:1.25', { ...READY, private: true })]),
      ],
      [
        '--private-images=skip, no backup created: the PrivateSourceSkipped Event says why, not "not created yet"',
        'PrivateSourceSkipped',
        /^private source: app: nginx$/,
        () =>
          status(deployment(), [], {
            latestEvent: event(EventReasons.PrivateSourceSkipped, 'private source: app: nginx'),
          }),
      ],
      [
        "a namesake's PrivateSourceSkipped does not count",
        'WaitingForCopy',
        /not created yet/,
        () =>
          status(deployment(), [], {
            latestEvent: event(EventReasons.PrivateSourceSkipped, 'private source: app: nginx', 'uid-0'),
          }),
      ],
      [
        'all Ready, a lost race',
        'Conflict',
        /^the workload changed$/,
        () =>
          status(deployment(), [backupOf('nginx:1.25', READY)], {
            latestEvent: event(EventReasons.RewriteConflict, 'the workload changed'),
          }),
      ],
      [
        "all Ready; a namesake's access denial does not count",
        'RewriteDue',
        /^every backup is Ready/,
        () =>
          status(deployment(), [backupOf('nginx:1.25', READY)], {
            latestEvent: event(EventReasons.BackupAccessDenied, 'old', 'uid-0'),
          }),
      ],
      [
        'all Ready, moved before (then changed): due again',
        'RewriteDue',
        /^every backup is Ready/,
        () =>
          status(deployment(), [backupOf('nginx:1.25', READY)], {
            latestEvent: event(EventReasons.ImagesMovedToBackup, 'app: a → b'),
          }),
      ],
    ];
    for (const [why, state, reason, run] of cases) {
      const got = run();
      assert.equal(got.state, state, `${why}: ${got.reason}`);
      assert.match(got.reason, reason, why);
    }
  });

  it('lists each image with what is done with it and the backups the workload uses', () => {
    const backedUp = `backup.example.com:5000/lifeboat/docker.io/library/redis:7@${DIGEST}`;
    const got = status(
      deployment({
        containers: [
          { name: 'cache', image: backedUp },
          { name: 'app', image: 'nginx:1.25' },
          { name: 'dbg', image: 'debug:1' },
        ],
        annotations: { [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({ cache: 'redis:7' }) },
      }),
      [backupOf('nginx:1.25', READY)],
    );
    assert.deepEqual(got.images, [
      {
        container: 'cache',
        init: false,
        image: backedUp,
        action: 'on-backup',
        original: 'redis:7',
        backup: nameOf('redis:7'),
      },
      {
        container: 'app',
        init: false,
        image: 'nginx:1.25',
        action: 'backup',
        backup: nameOf('nginx:1.25'),
        target: `${targetOf('nginx:1.25')}@${DIGEST}`,
      },
      {
        container: 'dbg',
        init: false,
        image: 'debug:1',
        action: 'skip',
        skipReason: 'excluded-image',
        skipDetail: '**/debug:*',
      },
    ]);
    assert.deepEqual(got.backups, [nameOf('nginx:1.25'), nameOf('redis:7')].sort());
    assert.equal(got.state, 'RewriteDue');
  });

  it('names the backup a not-Ready workload will need, and shows targets unpinned without --pin-digest', () => {
    assert.deepEqual(status(deployment({ ready: false })).images[0], {
      container: 'app',
      init: false,
      image: 'nginx:1.25',
      action: 'backup',
      backup: nameOf('nginx:1.25'),
      target: targetOf('nginx:1.25'),
    });
    const unpinned = status(deployment(), [backupOf('nginx:1.25', READY)], { pinDigest: false });
    assert.equal(unpinned.images[0]?.target, targetOf('nginx:1.25'));
  });

  it('says Unmappable for a source whose backup name would be too long', () => {
    const long = `quay.io/acme/${'a'.repeat(240)}:1`;
    const got = status(deployment({ containers: [{ name: 'app', image: long }] }));
    assert.equal(got.state, 'Unmappable');
    assert.match(got.reason, /path would be 262 characters, over the limit of 255$/);
    assert.deepEqual(got.backups, []);
  });
});
