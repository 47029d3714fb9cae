// Pull-secret distribution end to end (SPEC §1.5, issue 8): `lifeboat run` as a child process
// against its own real control plane (etcd, kube-apiserver, kube-controller-manager whose
// service-account controller creates the `default` service accounts, scheduler, one kwok node) and
// a token-auth backup registry. Its own control plane, because the controller acts on EVERY
// namespace and the other suites' namespaces must not see it. Reaction times are reported as
// diagnostics (`# pull-secrets timing …`), never asserted.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import {
  createKubeApi,
  loadKubeConfig,
  RESOURCES,
  resourceClient,
  type KubeApi,
  type KubeObject,
} from '../../../src/kube/index.ts';
import {
  pushImage,
  startControlPlane,
  startRegistry,
  toolPath,
  waitFor,
  type ControlPlane,
  type LocalRegistry,
} from '../../../src/devenv/index.ts';
import { startLifeboat, type LifeboatProcess } from '../lifeboat-process.ts';
import { lifeboat } from '../cli/run-cli.ts';

const SOURCE = { namespace: 'lifeboat-system', name: 'backup-pull' };
const COPY = 'lifeboat-pull';
const MANAGED = 'app.kubernetes.io/managed-by';
const WAIT = { timeoutMs: 60_000 };

interface Secret extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}
interface ServiceAccount extends KubeObject {
  imagePullSecrets?: { name: string }[];
}
interface EventObject extends KubeObject {
  reason?: string;
  note?: string;
  type?: string;
  regarding?: { kind?: string; name?: string; namespace?: string };
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const dockerConfig = (registry: LocalRegistry, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    auths: {
      [registry.host]: { auth: b64(`${registry.readerUsername}:${registry.readerPassword}`) },
      ...extra,
    },
  });

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

describe('pull-secret distribution (lifeboat run as a process)', () => {
  let cp: ControlPlane;
  let api: KubeApi;
  let registry: LocalRegistry;
  let lb: LifeboatProcess;
  const extraProcesses: LifeboatProcess[] = [];
  let seq = 0;
  let appendedNs = '';
  let withoutCrdExit: number | null = null;
  let withoutCrdLog = '';
  let foreignNs = '';
  const namespaces = () => resourceClient(api, RESOURCES.namespaces);
  const secrets = () => resourceClient<Secret>(api, RESOURCES.secrets);
  const accounts = () => resourceClient<ServiceAccount>(api, RESOURCES.serviceAccounts);
  const runArgs = (...extra: string[]): string[] => [
    'run',
    '--kubeconfig',
    cp.kubeconfigPath,
    '--backup-registry',
    registry.host,
    '--backup-pull-secret',
    `${SOURCE.namespace}/${SOURCE.name}`,
    '--metrics-addr',
    '127.0.0.1:0',
    '--exclude-namespaces',
    'default',
    '--install-crds',
    ...extra,
  ];

  async function newNamespace(prefix: string, labels?: Record<string, string>): Promise<string> {
    const name = `${prefix}-${++seq}`;
    await namespaces().create({ metadata: { name, ...(labels ? { labels } : {}) } });
    return name;
  }
  const copyIn = (ns: string) => secrets().find(COPY, { namespace: ns });
  async function hasReference(ns: string, sa = 'default'): Promise<boolean> {
    const account = await accounts().find(sa, { namespace: ns });
    return (account?.imagePullSecrets ?? []).some((r) => r.name === COPY);
  }
  async function distributed(ns: string): Promise<boolean> {
    return (await copyIn(ns)) !== undefined && (await hasReference(ns));
  }
  async function metric(name: string): Promise<string> {
    const res = await fetch(`http://${await lb.address()}/metrics`);
    const text = await res.text();
    return text
      .split('\n')
      .filter((l) => l.startsWith(name))
      .join('\n');
  }
  async function eventsIn(ns: string): Promise<EventObject[]> {
    return resourceClient<EventObject>(api, RESOURCES.events).listAll({ namespace: ns });
  }
  /** Replaces the source Secret (its type is immutable); `type` undefined leaves it missing. */
  async function setSource(type: string | undefined, data: Record<string, string>): Promise<void> {
    await secrets().delete(SOURCE.name, { namespace: SOURCE.namespace });
    await waitFor(
      async () => (await secrets().find(SOURCE.name, { namespace: SOURCE.namespace })) === undefined,
      {
        what: 'the old source to go',
        ...WAIT,
      },
    );
    if (type !== undefined) {
      await secrets().create(
        { metadata: { name: SOURCE.name }, type, data },
        { namespace: SOURCE.namespace },
      );
    }
  }

  before(async () => {
    cp = await startControlPlane({ nodes: 1 });
    api = createKubeApi({ kubeConfig: loadKubeConfig(cp.kubeconfigPath), qps: 0 });
    registry = await startRegistry({ auth: 'token' });
    await namespaces().create({ metadata: { name: SOURCE.namespace } });
    await secrets().create(
      {
        metadata: { name: SOURCE.name },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': b64(dockerConfig(registry)) },
      },
      { namespace: SOURCE.namespace },
    );
    // Before anything installed the CRD: `lifeboat run` without --install-crds refuses to start
    // and says what is missing (asserted below, once `after` cannot hide it).
    const withoutCrd = startLifeboat(runArgs().filter((arg) => arg !== '--install-crds'));
    withoutCrdExit = await withoutCrd.exited;
    withoutCrdLog = withoutCrd.logs.map((l) => l.msg).join('\n');
    lb = startLifeboat(runArgs());
    await lb.address();
  });

  after(async () => {
    for (const p of [lb, ...extraProcesses]) await p?.stop('SIGKILL');
    await api?.close();
    await registry?.stop();
    await cp?.stop();
  });

  it('refuses to start without the ImageBackup CRD, naming deploy/crd/ and --install-crds', () => {
    assert.equal(withoutCrdExit, 1);
    assert.match(withoutCrdLog, /imagebackups\.lifeboat\.dev.*not installed.*deploy\/crd\/.*--install-crds/);
  });

  it('gives a new namespace the copy and its default service account the reference', async (t) => {
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = Date.now();
      const ns = await newNamespace('fresh');
      await waitFor(() => distributed(ns), { what: `the pull secret in ${ns}`, ...WAIT });
      times.push(Date.now() - start);
      const copy = await copyIn(ns);
      const source = await secrets().get(SOURCE.name, { namespace: SOURCE.namespace });
      assert.equal(copy?.type, 'kubernetes.io/dockerconfigjson');
      assert.deepEqual(copy?.data, source.data);
      assert.equal(copy?.metadata.labels?.[MANAGED], 'lifeboat');
    }
    t.diagnostic(
      `pull-secrets timing: new namespace → copy + default SA patched: median ${median(times)} ms, max ${Math.max(...times)} ms (n=5)`,
    );
  });

  it('distributes credentials that pull from the token-auth backup registry (checked with crane)', async () => {
    await pushImage(registry, 'demo/app:1', { layers: 1, layerSize: 1024 });
    const ns = await newNamespace('pull');
    await waitFor(() => distributed(ns), { what: `the pull secret in ${ns}`, ...WAIT });
    const copy = await copyIn(ns);
    const config = Buffer.from(copy!.data!['.dockerconfigjson']!, 'base64').toString('utf8');
    const crane = (dockerConfigJson: string | undefined) => {
      const dir = mkdtempSync(join(tmpdir(), 'lifeboat-crane-'));
      if (dockerConfigJson !== undefined) writeFileSync(join(dir, 'config.json'), dockerConfigJson);
      return new Promise<{ ok: boolean; out: string }>((resolve) =>
        execFile(
          toolPath('crane'),
          ['manifest', '--insecure', `${registry.host}/demo/app:1`],
          { env: { HOME: dir, DOCKER_CONFIG: dir, PATH: process.env.PATH ?? '' } },
          (err, stdout, stderr) => {
            rmSync(dir, { recursive: true, force: true });
            resolve({ ok: err === null, out: err ? stderr : stdout });
          },
        ),
      );
    };
    const withCopy = await crane(config);
    assert.ok(withCopy.ok, `crane with the distributed secret failed: ${withCopy.out}`);
    assert.match(withCopy.out, /"schemaVersion"\s*:\s*2/);
    const anonymous = await crane(undefined);
    assert.equal(anonymous.ok, false, 'the registry refuses anonymous pulls, so the secret is what worked');
  });

  it('re-creates a deleted copy, restores an edited one and re-adds a removed reference', async (t) => {
    const ns = await newNamespace('heal');
    await waitFor(() => distributed(ns), { what: `the pull secret in ${ns}`, ...WAIT });
    const original = (await copyIn(ns))!.data;

    let start = Date.now();
    await secrets().delete(COPY, { namespace: ns });
    await waitFor(async () => (await copyIn(ns))?.data?.['.dockerconfigjson'] !== undefined, {
      what: 'the copy re-created',
      ...WAIT,
    });
    const recreated = Date.now() - start;

    const uidBeforeEdit = (await copyIn(ns))?.metadata.uid;
    start = Date.now();
    await secrets().mergePatch(
      COPY,
      { data: { '.dockerconfigjson': b64('{"auths":{}}') } },
      { namespace: ns, fieldManager: 'someone' },
    );
    await waitFor(async () => JSON.stringify((await copyIn(ns))?.data) === JSON.stringify(original), {
      what: 'the edited copy restored',
      ...WAIT,
    });
    const restored = Date.now() - start;
    assert.equal(
      (await copyIn(ns))?.metadata.uid,
      uidBeforeEdit,
      'restored in place, not deleted and re-created',
    );

    const sa = await accounts().get('default', { namespace: ns });
    const index = sa.imagePullSecrets!.findIndex((r) => r.name === COPY);
    start = Date.now();
    await accounts().jsonPatch('default', [{ op: 'remove', path: `/imagePullSecrets/${index}` }], {
      namespace: ns,
    });
    await waitFor(() => hasReference(ns), { what: 'the reference re-added', ...WAIT });
    const readded = Date.now() - start;
    t.diagnostic(
      `pull-secrets timing: deleted copy re-created ${recreated} ms; edited copy restored ${restored} ms; removed reference re-added ${readded} ms`,
    );
  });

  it('appends to service accounts without losing or duplicating their own entries', async () => {
    const ns = (appendedNs = await newNamespace('append', { 'lifeboat.dev/ignore': 'true' }));
    await waitFor(async () => (await accounts().find('default', { namespace: ns })) !== undefined, {
      what: 'the default service account',
      ...WAIT,
    });
    await accounts().mergePatch(
      'default',
      { imagePullSecrets: [{ name: 'first' }, { name: 'second' }] },
      { namespace: ns },
    );
    await namespaces().jsonPatch(ns, [{ op: 'remove', path: '/metadata/labels/lifeboat.dev~1ignore' }]);
    await waitFor(() => distributed(ns), { what: `the pull secret in ${ns}`, ...WAIT });
    const sa = await accounts().get('default', { namespace: ns });
    assert.deepEqual(sa.imagePullSecrets, [{ name: 'first' }, { name: 'second' }, { name: COPY }]);
  });

  it('leaves a Secret of that name it does not own alone, with a PullSecretConflict Event', async () => {
    const ns = (foreignNs = await newNamespace('foreign', { 'lifeboat.dev/ignore': 'true' }));
    const foreignData = { '.dockerconfigjson': b64('{"auths":{"elsewhere.example.com":{}}}') };
    await secrets().create(
      { metadata: { name: COPY }, type: 'kubernetes.io/dockerconfigjson', data: foreignData },
      { namespace: ns },
    );
    await namespaces().jsonPatch(ns, [{ op: 'remove', path: '/metadata/labels/lifeboat.dev~1ignore' }]);
    await waitFor(async () => (await eventsIn(ns)).some((e) => e.reason === 'PullSecretConflict'), {
      what: 'the PullSecretConflict Event',
      ...WAIT,
    });
    const event = (await eventsIn(ns)).find((e) => e.reason === 'PullSecretConflict')!;
    assert.equal(event.type, 'Warning');
    assert.deepEqual([event.regarding?.kind, event.regarding?.name], ['Secret', COPY]);
    const secret = await copyIn(ns);
    assert.deepEqual(secret?.data, foreignData);
    assert.equal(secret?.metadata.labels?.[MANAGED], undefined);
    assert.equal(
      await hasReference(ns),
      false,
      "a conflicted namespace's service accounts are not pointed at it",
    );
    assert.match(await metric('lifeboat_pull_secret_namespaces{state="conflict"}'), /} [1-9]/);
  });

  it('removes exactly what it added when a namespace becomes excluded', async () => {
    const ns = await newNamespace('exclude');
    await waitFor(() => distributed(ns), { what: `the pull secret in ${ns}`, ...WAIT });
    await accounts().jsonPatch(
      'default',
      [{ op: 'add', path: '/imagePullSecrets/-', value: { name: 'mine' } }],
      { namespace: ns },
    );
    await secrets().create({ metadata: { name: 'mine' }, type: 'Opaque', data: {} }, { namespace: ns });
    await namespaces().mergePatch(ns, { metadata: { labels: { 'lifeboat.dev/ignore': 'true' } } });
    await waitFor(async () => (await copyIn(ns)) === undefined && !(await hasReference(ns)), {
      what: 'the copy and the reference removed',
      ...WAIT,
    });
    const sa = await accounts().get('default', { namespace: ns });
    assert.deepEqual(sa.imagePullSecrets, [{ name: 'mine' }]);
    assert.equal(sa.metadata.annotations?.['lifeboat.dev/added-pull-secret'], undefined);
    assert.ok(await secrets().find('mine', { namespace: ns }), 'other Secrets are untouched');
  });

  it('pushes a rotated source to every copy in 200 namespaces', async (t) => {
    const created: string[] = [];
    let start = Date.now();
    for (let batch = 0; batch < 10; batch++) {
      created.push(...(await Promise.all(Array.from({ length: 20 }, () => newNamespace('rot')))));
    }
    const allHave = async (check: (s: Secret | undefined) => boolean): Promise<boolean> => {
      const copies = await secrets().listAll({ fieldSelector: `metadata.name=${COPY}` });
      const byNs = new Map(copies.map((c) => [c.metadata.namespace, c]));
      return created.every((ns) => check(byNs.get(ns)));
    };
    await waitFor(() => allHave((s) => s !== undefined), {
      what: 'copies in 200 namespaces',
      timeoutMs: 180_000,
    });
    const firstCopies = Date.now() - start;

    const uidsBefore = new Map(
      (await secrets().listAll({ fieldSelector: `metadata.name=${COPY}` })).map((c) => [
        c.metadata.namespace,
        c.metadata.uid,
      ]),
    );
    const rotated = {
      '.dockerconfigjson': b64(dockerConfig(registry, { 'mirror.example.com': { auth: b64('a:b') } })),
    };
    start = Date.now();
    await secrets().jsonPatch(SOURCE.name, [{ op: 'replace', path: '/data', value: rotated }], {
      namespace: SOURCE.namespace,
    });
    await waitFor(() => allHave((s) => s?.data?.['.dockerconfigjson'] === rotated['.dockerconfigjson']), {
      what: 'the rotation in 200 copies',
      timeoutMs: 180_000,
    });
    const uidsAfter = await secrets().listAll({ fieldSelector: `metadata.name=${COPY}` });
    for (const c of uidsAfter.filter((c) => created.includes(c.metadata.namespace ?? ''))) {
      assert.equal(
        c.metadata.uid,
        uidsBefore.get(c.metadata.namespace),
        `${c.metadata.namespace}: patched, not re-created`,
      );
    }
    t.diagnostic(
      `pull-secrets timing: 200 new namespaces → all copies ${firstCopies} ms; rotation → all 200 copies ${Date.now() - start} ms`,
    );
  });

  it('changes nothing while the source is unusable, keeps /readyz up, and proceeds once it is fixed', async () => {
    const before = await copyIn('fresh-1');
    const valid = (await secrets().get(SOURCE.name, { namespace: SOURCE.namespace })).data!;
    const invalidSyncs = async (): Promise<number> =>
      Number(
        /result="source_invalid"} (\d+)/.exec(await metric('lifeboat_pull_secret_syncs_total'))?.[1] ?? 0,
      );

    for (const [type, data, note] of [
      [undefined, {}, /source pull secret lifeboat-system\/backup-pull: not found$/],
      ['Opaque', valid, /type is "Opaque", expected kubernetes.io\/dockerconfigjson/],
      // The API server itself refuses a dockerconfigjson Secret that is not JSON; JSON without
      // "auths" gets through it.
      [
        'kubernetes.io/dockerconfigjson',
        { '.dockerconfigjson': b64('{"credsStore":"pass"}') },
        /has no "auths" object/,
      ],
    ] as const) {
      await setSource(type, data);
      await waitFor(
        async () =>
          (await eventsIn(SOURCE.namespace)).some(
            (e) => e.reason === 'PullSecretSourceInvalid' && note.test(e.note ?? ''),
          ),
        { what: `a PullSecretSourceInvalid Event matching ${note}`, ...WAIT },
      );
      const seen = await invalidSyncs();
      const ns = await newNamespace('while-invalid');
      await waitFor(async () => (await invalidSyncs()) > seen, { what: `${ns} reconciled`, ...WAIT });
      assert.equal(await copyIn(ns), undefined, 'no copy from an unusable source');
      assert.deepEqual(
        (await copyIn('fresh-1'))?.data,
        before?.data,
        'existing copies are kept as they were',
      );
      assert.equal((await fetch(`http://${await lb.address()}/readyz`)).status, 200);
      const events = await eventsIn(SOURCE.namespace);
      assert.ok(
        events.every((e) =>
          [
            registry.readerPassword!,
            b64(`${registry.readerUsername}:${registry.readerPassword}`),
            valid['.dockerconfigjson']!,
          ].every((secret) => !JSON.stringify(e).includes(secret)),
        ),
        'no secret in Events',
      );
    }
    assert.ok(
      lb.logs.some((l) => l.level === 50 && /source pull secret lifeboat-system\/backup-pull/.test(l.msg)),
    );
    const logText = JSON.stringify(lb.logs);
    assert.ok(
      !logText.includes(registry.readerPassword!) && !logText.includes(valid['.dockerconfigjson']!),
      'no secret in logs',
    );
    await setSource('kubernetes.io/dockerconfigjson', valid);
    const ns = await newNamespace('fixed');
    await waitFor(() => distributed(ns), { what: 'distribution after the fix', ...WAIT });
  });

  it('misses no namespace created while it restarts', async () => {
    // Namespaces keep coming from before the SIGTERM until the new process is up, so some are
    // surely created while no lifeboat runs (bounded: 200 at most).
    let upAgain = false;
    const creating = (async () => {
      const names: string[] = [];
      while ((!upAgain || names.length < 5) && names.length < 200) names.push(await newNamespace('restart'));
      return names;
    })();
    await new Promise((r) => setTimeout(r, 200));
    const stopping = lb;
    assert.equal(
      await stopping.stop('SIGTERM'),
      0,
      `a clean exit on SIGTERM; stderr: ${stopping.stderr()}; last logs: ${JSON.stringify(stopping.logs.slice(-5))}`,
    );
    lb = startLifeboat(runArgs());
    await lb.address();
    upAgain = true;
    const names = await creating;
    await waitFor(async () => (await Promise.all(names.map(distributed))).every(Boolean), {
      what: 'every namespace created across the restart',
      ...WAIT,
    });
  });

  it('with two replicas only the leader writes; a SIGKILLed leader is replaced', async (t) => {
    const second = startLifeboat(runArgs());
    extraProcesses.push(second);
    await second.address();
    const ns = await newNamespace('leader');
    await waitFor(() => distributed(ns), { what: `the pull secret in ${ns}`, ...WAIT });
    const wrote = (p: LifeboatProcess, n: string) =>
      p.logs.some((l) => l.msg === 'pull secret distributed' && l.namespace === n);
    // The line follows the writes: wait for it rather than race the log pipe.
    await lb.waitForLog(
      (l) => l.msg === 'pull secret distributed' && l.namespace === ns,
      'the leader to log its write',
    );
    assert.equal(wrote(second, ns), false, 'the follower writes nothing');
    const followerMetrics = await (await fetch(`http://${await second.address()}/metrics`)).text();
    assert.doesNotMatch(
      followerMetrics,
      /^lifeboat_pull_secret_syncs_total\{/m,
      'the follower reconciled nothing',
    );
    // Object counts come from the leader alone (every replica holds the same caches): a plain sum()
    // over the replicas counts each object once.
    const counts = ['lifeboat_pull_secret_namespaces', 'lifeboat_image_backups', 'lifeboat_workloads'];
    for (const name of counts)
      assert.doesNotMatch(followerMetrics, new RegExp(`^${name}\\{`, 'm'), `the follower exports no ${name}`);
    const leaderMetrics = await (await fetch(`http://${await lb.address()}/metrics`)).text();
    assert.match(leaderMetrics, /^lifeboat_pull_secret_namespaces\{state="synced"\} [1-9]/m);
    const killedAt = Date.now();
    await lb.stop('SIGKILL');
    const after = await newNamespace('takeover');
    await waitFor(() => distributed(after), { what: 'the follower to take over', ...WAIT });
    await second.waitForLog(
      (l) => l.msg === 'pull secret distributed' && l.namespace === after,
      'the new leader to log its write',
    );
    const takenOver = await (await fetch(`http://${await second.address()}/metrics`)).text();
    for (const name of counts)
      assert.match(takenOver, new RegExp(`^${name}\\{`, 'm'), `the new leader exports ${name}`);
    t.diagnostic(
      `pull-secrets timing: SIGKILLed leader → follower distributed a new namespace after ${Date.now() - killedAt} ms`,
    );
    lb = second;
    extraProcesses.pop();
  });

  it('refuses a bad flag with one line naming it, before touching the cluster', async () => {
    const run = await lifeboat([
      'run',
      '--kubeconfig',
      cp.kubeconfigPath,
      '--backup-registry',
      registry.host,
      '--metrics-addr',
      'nope',
    ]);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      'lifeboat: error: option \'--metrics-addr <host:port>\' argument "nope" is invalid: expected HOST:PORT, [IPV6]:PORT or :PORT\n',
    );
  });

  it('leaves a namespace being deleted alone, without error noise', async () => {
    const ns = await newNamespace('doomed');
    await waitFor(() => distributed(ns), { what: `the pull secret in ${ns}`, ...WAIT });
    await namespaces().delete(ns);
    await waitFor(async () => (await namespaces().find(ns)) === undefined, {
      what: `${ns} to be deleted`,
      timeoutMs: 120_000,
    });
    const noise = lb.logs.filter((l) => l.level >= 40 && JSON.stringify(l).includes(ns));
    assert.deepEqual(noise, [], 'no warning or error about a namespace that is going away');
  });

  it('with --pull-secret-service-accounts * a new service account gets the reference too', async () => {
    // A second configuration beside the first: its own copy name, no leader election.
    const other = [
      '--pull-secret-name',
      'other-pull',
      '--pull-secret-service-accounts',
      '*',
      '--no-leader-elect',
    ];
    const star = startLifeboat(runArgs(...other));
    extraProcesses.push(star);
    await star.address();
    const ns = await newNamespace('star');
    await accounts().create({ metadata: { name: 'builder' } }, { namespace: ns });
    const refers = async (sa: string): Promise<boolean> =>
      ((await accounts().find(sa, { namespace: ns }))?.imagePullSecrets ?? []).some(
        (r) => r.name === 'other-pull',
      );
    await waitFor(async () => (await refers('default')) && (await refers('builder')), {
      what: 'both service accounts to reference other-pull',
      ...WAIT,
    });
    assert.equal(await star.stop('SIGTERM'), 0, star.stderr());
    extraProcesses.pop();
    // uninstall takes only the flags of run's it reads: the cluster, the registry, the copy's name.
    const run = await lifeboat([
      'uninstall',
      '--kubeconfig',
      cp.kubeconfigPath,
      '--backup-registry',
      registry.host,
      '--pull-secret-name',
      'other-pull',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await refers('builder'), false);
    assert.equal(await secrets().find('other-pull', { namespace: ns }), undefined);
  });

  it('uninstall removes every copy and reference it added, and nothing else', async (t: TestContext) => {
    assert.equal(await lb.stop('SIGTERM'), 0);
    const start = Date.now();
    // uninstall takes only the flags of run's it reads (here: the cluster and the backup registry).
    const run = await lifeboat([
      'uninstall',
      '--kubeconfig',
      cp.kubeconfigPath,
      '--backup-registry',
      registry.host,
    ]);
    assert.equal(run.code, 0, run.stderr);
    t.diagnostic(`pull-secrets timing: uninstall ${Date.now() - start} ms`);
    const left = await secrets().listAll({ labelSelector: `${MANAGED}=lifeboat` });
    assert.deepEqual(
      left.map((s) => s.metadata.namespace),
      [],
    );
    const referencing = (await accounts().listAll()).filter((sa) =>
      (sa.imagePullSecrets ?? []).some((r) => r.name === COPY),
    );
    assert.deepEqual(
      referencing.map((sa) => sa.metadata.namespace),
      [],
      'no service account references the copy',
    );
    const appended = await accounts().get('default', { namespace: appendedNs });
    assert.deepEqual(appended.imagePullSecrets, [{ name: 'first' }, { name: 'second' }]);
    assert.ok(await secrets().find(COPY, { namespace: foreignNs }), 'the Secret lifeboat did not own stays');
  });
});
