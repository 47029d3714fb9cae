// The verdict, table-tested through planProtection (the controller's own decision) and
// protectionReport: each row a workload, what the cluster and the registry hold, and the verdict
// and reason each container must get.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupMapping, parseNormalizedNamed } from '../../reference/index.ts';
import { backupSource } from '../api/backup-source.ts';
import type { NamespaceObject } from '../api/core-objects.ts';
import { imageBackupName } from '../api/image-backup-name.ts';
import { EventReasons } from '../api/event-reasons.ts';
import type { ImageBackup } from '../api/image-backup-schema.ts';
import { IGNORE_ANNOTATION, ORIGINAL_IMAGES_ANNOTATION } from '../api/labels.ts';
import type { EligibilityWorkload } from '../workloads/eligibility.ts';
import type { BackupFindings } from './findings.ts';
import { planProtection, protectionReport, type ProtectionInput } from './report.ts';
import type { Verdict } from './verdict.ts';

const mapping = backupMapping({ backupRegistry: 'backup.example.com:5000', prefix: 'lifeboat' });
const BACKUP = 'backup.example.com:5000/lifeboat';
const digest = (c: string): string => `sha256:${c.repeat(64)}`;
const anchor = (c: string): string => `lifeboat-sha256-${c.repeat(64)}`;
const src = (name: string): string => `registry.example.com/team/${name}:1`;
/** The image a rewritten container runs: its backup pinned to digest `a…`. */
const onBackup = (name: string): string => `${BACKUP}/registry.example.com/team/${name}@${digest('a')}`;
const nameOf = (image: string): string => imageBackupName(backupSource(parseNormalizedNamed(image)));

function backup(image: string, status?: ImageBackup['status']): ImageBackup {
  const key = backupSource(parseNormalizedNamed(image));
  return {
    metadata: { name: nameOf(image) },
    spec: { source: key.string(), target: `${BACKUP}/${key.domain}/${key.path}:${key.tag ?? 'latest'}` },
    ...(status ? { status } : {}),
  };
}
const ready = (image: string): ImageBackup => backup(image, { phase: 'Ready', targetDigest: digest('a') });

interface Shape {
  readonly images: Record<string, string>;
  readonly originals?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly namespace?: string;
  readonly rolledOut?: boolean;
}
function workload(name: string, s: Shape): EligibilityWorkload {
  const annotations = {
    ...s.annotations,
    ...(s.originals && { [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify(s.originals) }),
  };
  return {
    metadata: { name, namespace: s.namespace ?? 'team', generation: 2, annotations },
    spec: {
      replicas: 1,
      template: { spec: { containers: Object.entries(s.images).map(([c, image]) => ({ name: c, image })) } },
    },
    status:
      s.rolledOut === false
        ? { observedGeneration: 2, updatedReplicas: 0 }
        : { observedGeneration: 2, updatedReplicas: 1, availableReplicas: 1, readyReplicas: 1 },
  };
}

const complete: BackupFindings = {
  state: 'checked',
  digest: digest('a'),
  missing: [],
  unanchored: [],
  manifests: 1,
  blobs: 3,
  shallow: false,
};

const NAMESPACES: NamespaceObject[] = [
  { metadata: { name: 'team' } },
  { metadata: { name: 'kube-system' } },
  { metadata: { name: 'going' }, status: { phase: 'Terminating' } },
  { metadata: { name: 'nosecret' } },
];

interface Row {
  readonly name: string;
  readonly shape: Shape;
  readonly backups?: readonly ImageBackup[];
  readonly findings?: BackupFindings;
  readonly shallow?: boolean;
  /** container → verdict and reason. */
  readonly want: Record<string, [Verdict, RegExp]>;
}

const ROWS: Row[] = [
  {
    name: 'a namespace lifeboat excludes',
    shape: { namespace: 'kube-system', images: { app: src('a') } },
    want: { app: ['excluded', /^namespace excluded \(--exclude-namespaces/] },
  },
  {
    name: 'a terminating namespace',
    shape: { namespace: 'going', images: { app: src('a') } },
    want: { app: ['excluded', /^namespace is being deleted$/] },
  },
  {
    name: 'an ignored workload, even on a backup',
    shape: {
      images: { app: onBackup('a') },
      originals: { app: src('a') },
      annotations: { [IGNORE_ANNOTATION]: 'true' },
    },
    findings: complete,
    want: { app: ['excluded', /^annotated lifeboat.dev\/ignore=true$/] },
  },
  {
    name: 'an excluded image beside a protected one',
    shape: {
      images: { skip: 'registry.example.com/skip/x:1', app: onBackup('a') },
      originals: { app: src('a') },
    },
    backups: [ready(src('a'))],
    findings: complete,
    want: {
      skip: ['excluded', /^matches --exclude-images \*\*\/skip\/\*\*$/],
      app: ['protected', new RegExp(`^${digest('a')}: complete and anchored \\(1 manifest, 3 blobs\\)$`)],
    },
  },
  {
    name: 'not rolled out under --require-ready',
    shape: { images: { app: src('a') }, rolledOut: false },
    want: { app: ['exposed', /^not rewritten: its current spec has not rolled out \(--require-ready\)$/] },
  },
  {
    name: 'no ImageBackup yet',
    shape: { images: { app: src('a') } },
    want: { app: ['exposed', /^not rewritten: ImageBackup .+ not created yet$/] },
  },
  {
    name: 'a copy in progress',
    shape: { images: { app: src('a') } },
    backups: [backup(src('a'), { phase: 'Copying', progress: '3/10 blobs, 30%' })],
    want: {
      app: ['exposed', /^not rewritten: copying registry.example.com\/team\/a:1 \(3\/10 blobs, 30%\)$/],
    },
  },
  {
    name: 'a failed copy',
    shape: { images: { app: src('a') } },
    backups: [backup(src('a'), { phase: 'Failed', lastError: 'HTTP 401 from registry.example.com' })],
    want: { app: ['exposed', /^not rewritten: backup of .*a:1 failed: HTTP 401 from registry.example.com$/] },
  },
  {
    name: 'a backup Ready, its pull secret not in the namespace yet',
    shape: { namespace: 'nosecret', images: { app: src('a') } },
    backups: [ready(src('a'))],
    want: { app: ['exposed', /^not rewritten: waiting for the pull secret lifeboat-pull in its namespace$/] },
  },
  {
    name: 'every backup Ready: the rewrite is due',
    shape: { images: { app: src('a') } },
    backups: [ready(src('a'))],
    want: { app: ['exposed', /^not rewritten: every backup is Ready: the controller rewrites it next$/] },
  },
  {
    name: 'one backup Ready, the other copying',
    shape: { images: { a: src('a'), b: src('b') } },
    backups: [ready(src('a')), backup(src('b'), { phase: 'Pending' })],
    want: {
      a: [
        'exposed',
        /^not rewritten: its backup is Ready; the rewrite waits for the workload's other backups$/,
      ],
      b: ['exposed', /^not rewritten: ImageBackup .+ is Pending$/],
    },
  },
  {
    name: 'original images put back by another writer',
    shape: { images: { app: src('a') }, originals: { app: src('a') } },
    backups: [ready(src('a'))],
    want: { app: ['exposed', /^not rewritten: another writer put the original images back/] },
  },
  {
    name: 'an image that is no valid reference',
    shape: { images: { bad: 'registry.example.com/UPPER:1', app: src('a') } },
    want: {
      bad: ['exposed', /^not backed up: not a valid reference \(/],
      app: ['exposed', /^not rewritten: the workload has an image that is no valid reference \(bad\)/],
    },
  },
  {
    name: 'on a complete backup whose ImageBackup is gone: the registry is what counts',
    shape: { images: { app: onBackup('a') }, originals: { app: src('a') } },
    findings: complete,
    want: { app: ['protected', /complete and anchored/] },
  },
  {
    name: 'on a backup that lost a layer and its config',
    shape: { images: { app: onBackup('a') }, originals: { app: src('a') } },
    backups: [ready(src('a'))],
    findings: {
      ...complete,
      blobs: 1,
      missing: [
        { kind: 'config', digest: digest('c') },
        { kind: 'layer', digest: digest('d'), problem: '10 bytes where the manifest says 20' },
      ],
    },
    want: {
      app: [
        'exposed',
        new RegExp(
          `^backup damaged: config ${digest('c')} missing, layer ${digest('d')} damaged \\(10 bytes where the manifest says 20\\)$`,
        ),
      ],
    },
  },
  {
    name: 'on a backup missing five pieces: three named, and how many more',
    shape: { images: { app: onBackup('a') }, originals: { app: src('a') } },
    backups: [ready(src('a'))],
    findings: {
      ...complete,
      missing: ['1', '2', '3', '4', '5'].map((c) => ({ kind: 'layer' as const, digest: digest(c) })),
    },
    want: { app: ['exposed', new RegExp(`layer ${digest('3')} missing and 2 more$`)] },
  },
  {
    name: 'on a backup whose top manifest is gone',
    shape: { images: { app: onBackup('a') }, originals: { app: src('a') } },
    backups: [ready(src('a'))],
    findings: {
      ...complete,
      digest: undefined,
      manifests: 0,
      blobs: 0,
      missing: [{ kind: 'manifest', digest: digest('a') }],
    },
    want: { app: ['exposed', new RegExp(`^backup damaged: manifest ${digest('a')} missing$`)] },
  },
  {
    name: 'on a backup with a missing and a moved anchor',
    shape: { images: { app: onBackup('a') }, originals: { app: src('a') } },
    backups: [ready(src('a'))],
    findings: {
      ...complete,
      unanchored: [
        { digest: digest('a'), tag: anchor('a') },
        { digest: digest('e'), tag: anchor('e'), names: digest('f') },
      ],
    },
    want: {
      app: [
        'exposed',
        new RegExp(
          `^no anchor: ${anchor('a')} missing, ${anchor('e')} names ${digest('f')}, not ${digest('e')}$`,
        ),
      ],
    },
  },
  {
    name: 'on a complete backup, no pull secret in the namespace',
    shape: { namespace: 'nosecret', images: { app: onBackup('a') }, originals: { app: src('a') } },
    backups: [ready(src('a'))],
    findings: complete,
    want: { app: ['exposed', /^no pull secret: lifeboat-pull is not in its namespace$/] },
  },
  {
    name: 'damaged, unanchored and no pull secret: every reason',
    shape: { namespace: 'nosecret', images: { app: onBackup('a') }, originals: { app: src('a') } },
    backups: [ready(src('a'))],
    findings: {
      ...complete,
      missing: [{ kind: 'layer', digest: digest('d') }],
      unanchored: [{ digest: digest('a'), tag: anchor('a') }],
    },
    want: { app: ['exposed', /^backup damaged: .*; no anchor: .*; no pull secret: /] },
  },
  {
    name: 'a backup registry that could not be read',
    shape: { images: { app: onBackup('a') }, originals: { app: src('a') } },
    backups: [ready(src('a'))],
    findings: { state: 'unreadable', error: 'HTTP 401 from backup.example.com:5000' },
    want: { app: ['exposed', /^backup registry unreadable: HTTP 401 from backup.example.com:5000$/] },
  },
  {
    name: '--shallow: manifests and anchors only',
    shape: { images: { app: onBackup('a') }, originals: { app: src('a') } },
    backups: [ready(src('a'))],
    findings: { ...complete, blobs: 0, shallow: true },
    shallow: true,
    want: { app: ['protected', /: 1 manifest present and anchored \(blobs not checked: --shallow\)$/] },
  },
];

function input(
  workloads: ProtectionInput['workloads'],
  backups: readonly ImageBackup[] = [],
): ProtectionInput {
  return {
    workloads,
    namespaces: NAMESPACES,
    imageBackups: backups,
    eligibility: { excludedNamespaces: new Set(['kube-system']), excludeImages: ['**/skip/**'], mapping },
    pinDigest: true,
    pullSecretName: 'lifeboat-pull',
    pullSecretNamespaces: new Set(['team', 'going', 'kube-system']),
  };
}

describe('protection verdicts', () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const plan = planProtection(
        input([{ kind: 'Deployment', object: workload('web', row.shape) }], row.backups),
      );
      const findings = new Map(plan.references.map((ref) => [ref, row.findings!]));
      const report = protectionReport(plan, findings, row.shallow ?? false);
      const got = Object.fromEntries(report.rows.map((r) => [r.container, [r.verdict, r.reason]]));
      assert.deepEqual(Object.keys(got).sort(), Object.keys(row.want).sort());
      for (const [container, [verdict, reason]] of Object.entries(row.want)) {
        assert.equal(got[container]?.[0], verdict, `${container}: ${got[container]?.[1]}`);
        assert.match(got[container]?.[1] ?? '', reason, container);
      }
      const expected = { protected: 0, exposed: 0, excluded: 0 };
      for (const [verdict] of Object.values(row.want)) expected[verdict]++;
      assert.deepEqual(report.summary, expected);
    });
  }

  it('asks the registry once per backup image, never for a workload lifeboat leaves alone', () => {
    const plan = planProtection(
      input([
        {
          kind: 'Deployment',
          object: workload('one', { images: { app: onBackup('a') }, originals: { app: src('a') } }),
        },
        {
          kind: 'Deployment',
          object: workload('two', {
            images: { x: onBackup('a'), y: onBackup('b') },
            originals: { x: src('a'), y: src('b') },
          }),
        },
        {
          kind: 'Deployment',
          object: workload('off', {
            namespace: 'kube-system',
            images: { app: onBackup('c') },
            originals: { app: src('c') },
          }),
        },
        { kind: 'Deployment', object: workload('src', { images: { app: src('d') } }) },
      ]),
    );
    assert.deepEqual(plan.references, [
      parseNormalizedNamed(onBackup('a')).string(),
      parseNormalizedNamed(onBackup('b')).string(),
    ]);
  });

  it('--private-images=skip: exposed with PrivateSourceSkipped, from the backup or the Event', () => {
    const privateReady = backup(src('p'), { phase: 'Ready', targetDigest: digest('a'), private: true });
    const workloads = [
      { kind: 'Deployment' as const, object: workload('marked', { images: { app: src('p') } }) },
      { kind: 'Deployment' as const, object: workload('unmade', { images: { app: src('q') } }) },
    ];
    const latestEvents = new Map([
      [
        'Deployment/team/unmade',
        { reason: EventReasons.PrivateSourceSkipped, note: 'private source: app', uid: undefined, at: 1 },
      ],
    ]);
    const plan = planProtection({ ...input(workloads, [privateReady]), latestEvents });
    const rows = protectionReport(plan, new Map(), false).rows.map((r) => [r.name, r.verdict, r.reason]);
    assert.deepEqual(rows, [
      [
        'marked',
        'exposed',
        'not rewritten: private source (an anonymous pull is refused), not backed up: --private-images=skip',
      ],
      ['unmade', 'exposed', 'not rewritten: PrivateSourceSkipped: private source: app'],
    ]);
    const shared = planProtection({ ...input(workloads, [privateReady]), privateImages: 'shared' });
    assert.match(protectionReport(shared, new Map(), false).rows[0]!.reason, /rewrites it next/);
  });

  it('--rewrite-mode=pods: judged on the backup the webhook moves Pods to, its readers and the running Pods', () => {
    const selected = (name: string, images: Record<string, string>): EligibilityWorkload => {
      const w = workload(name, { images });
      const spec = { ...(w.spec as object), selector: { matchLabels: { app: name } } };
      return { ...w, spec } as EligibilityWorkload;
    };
    const pod = (owner: string, image: string, name: string) => ({
      metadata: { name, namespace: 'team', labels: { app: owner } },
      spec: { containers: [{ name: 'app', image }] },
      status: { phase: 'Running' },
    });
    const privateReady = backup(src('p'), { phase: 'Ready', targetDigest: digest('a'), private: true });
    const damaged: BackupFindings = {
      ...complete,
      missing: [{ kind: 'layer', digest: digest('e') }],
    };
    const plan = planProtection({
      ...input(
        [
          { kind: 'Deployment', object: selected('moved', { app: src('a') }) },
          { kind: 'Deployment', object: selected('behind', { app: src('a') }) },
          { kind: 'Deployment', object: selected('private', { app: src('p') }) },
          { kind: 'Deployment', object: selected('broken', { app: src('b') }) },
        ],
        [ready(src('a')), ready(src('b')), privateReady],
      ),
      privateImages: 'shared',
      rewriteMode: 'pods',
      pods: [
        pod('moved', onBackup('a'), 'moved-1'),
        pod('behind', onBackup('a'), 'behind-1'),
        pod('behind', src('a'), 'behind-0'),
        pod('private', src('p'), 'private-1'),
      ],
    });
    // Asked about: the pinned backups the webhook would move Pods to; not the private one, whose
    // readers leave this namespace out, so the webhook moves no Pod of it there.
    assert.deepEqual(
      plan.references,
      ['a', 'b'].map((n) => `${BACKUP}/${src(n)}@${digest('a')}`),
    );
    const findings = new Map(
      plan.references.map((r) => [r, r === `${BACKUP}/${src('b')}@${digest('a')}` ? damaged : complete]),
    );
    const rows = protectionReport(plan, findings, false).rows.map((r) => [r.name, r.verdict, r.reason]);
    const reasons = new Map(rows.map(([name, verdict, reason]) => [name, `${verdict}: ${reason}`]));
    assert.match(
      reasons.get('moved')!,
      /^protected: .*complete and anchored.*; 1\/1 Pods on it \(pods mode\)$/,
    );
    assert.match(
      reasons.get('behind')!,
      /^protected: protected on restart: 1\/2 running Pods were created before/,
    );
    assert.match(reasons.get('private')!, /^exposed: .*is private and team is not among its readers/);
    assert.match(reasons.get('broken')!, /^exposed: backup damaged: layer/);

    const reader = planProtection({
      ...input(
        [{ kind: 'Deployment', object: selected('private', { app: src('p') }) }],
        [{ ...privateReady, status: { ...privateReady.status, readers: ['team'] } }],
      ),
      privateImages: 'shared',
      rewriteMode: 'pods',
      pods: [pod('private', onBackup('p'), 'private-2')],
    });
    const readerRows = protectionReport(
      reader,
      new Map(reader.references.map((r) => [r, complete])),
      false,
    ).rows;
    assert.deepEqual(
      readerRows.map((r) => r.verdict),
      ['protected'],
      'a namespace among the readers gets the private backup',
    );
  });

  it('without --backup-pull-secret no pull secret is looked for', () => {
    const plan = planProtection({
      ...input([
        {
          kind: 'Deployment',
          object: workload('web', {
            namespace: 'nosecret',
            images: { app: onBackup('a') },
            originals: { app: src('a') },
          }),
        },
      ]),
      pullSecretName: undefined,
    });
    const report = protectionReport(plan, new Map(plan.references.map((r) => [r, complete])), false);
    assert.deepEqual(
      report.rows.map((r) => r.verdict),
      ['protected'],
    );
  });

  it("sorts by namespace, kind and name, keeping each workload's containers in spec order", () => {
    const plan = planProtection(
      input([
        { kind: 'Deployment', object: workload('b', { images: { z: src('z'), a: src('a') } }) },
        { kind: 'Deployment', object: workload('a', { namespace: 'nosecret', images: { app: src('a') } }) },
        {
          kind: 'CronJob',
          object: {
            metadata: { name: 'c', namespace: 'team' },
            spec: {
              jobTemplate: {
                spec: { template: { spec: { containers: [{ name: 'job', image: src('j') }] } } },
              },
            },
          },
        },
      ]),
    );
    const report = protectionReport(plan, new Map(), false);
    assert.deepEqual(
      report.rows.map((r) => `${r.namespace}/${r.kind}/${r.name}/${r.container}`),
      ['nosecret/Deployment/a/app', 'team/CronJob/c/job', 'team/Deployment/b/z', 'team/Deployment/b/a'],
    );
  });
});
