// The attacks of issue 16 run as a tenant would run them: namespace B wants namespace A's private
// image. Its own control plane and real registries (test/e2e/backups/backup-env.ts: a public source,
// a private source behind htpasswd, a token-auth backup registry); `lifeboat run` as a process;
// every check of a registry by crane, with the credentials a tenant holds (its `lifeboat-pull`).
//
//   skip (the default)  — A's private image is not backed up: nothing exists that B could pull.
//   shared              — A's image is backed up, and B's `lifeboat-pull` reads it: what
//                         docs/security.md says of that mode, asserted so that the doc stays honest.
//   forged originals    — B's workload claims a private image as the "original" of a backup it runs:
//                         nothing is copied, even with operator credentials that read the source.
//   a foreign lifeboat-pull — C creates a Secret of that name first: lifeboat leaves it as it is
//                         (PullSecretConflict), never logs in to a source with it, and never shows
//                         its data anywhere.
//   isolated            — the backup's `status.readers` (what the token service grants pull from)
//                         lists A only, and lifeboat's token service grants A pull and B nothing.
//                         The token service's own attacks are that service's suite.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { Agent, fetch } from 'undici';
import { after, before, describe, it } from 'node:test';
import { EventReasons } from '../../../src/controllers/api/event-reasons.ts';
import { ORIGINAL_IMAGES_ANNOTATION } from '../../../src/controllers/api/labels.ts';
import { RESOURCES, resourceClient, type KubeObject } from '../../../src/kube/index.ts';
import {
  LIFEBOAT_NS,
  PULL_SECRET,
  PULL_SECRET_COPY,
  readerCredentials,
  startBackupEnv,
  WAIT,
  type BackupEnv,
  type Credentials,
} from '../backups/backup-env.ts';
import { sourceImage } from '../backups/fixtures.ts';
import { craneCatalog, craneDigest } from '../backups/registry-check.ts';
import { waitRewritten } from '../backups/rewrite.scenarios.ts';
import {
  backupRepository,
  backupsOf,
  imageBackups,
  rewrittenRef,
  sourceRef,
  type SourceImage,
} from '../backups/suite.ts';
import {
  createWorkload,
  eventsFor,
  getWorkload,
  imagesOf,
  waitEvent,
  waitWorkload,
  type WorkloadRef,
} from '../backups/workloads.ts';
import type { LifeboatProcess } from '../lifeboat-process.ts';
import { lifeboat as lifeboatCli } from '../cli/run-cli.ts';
import { createTokenServicePki, freePort, tlsSecretData, waitFor } from '../../../src/devenv/index.ts';

type Secret = KubeObject & { type?: string; data?: Record<string, string> };

const OPERATOR_CREDS = 'operator-source-creds';
const TOKEN_SERVICE = 'lifeboat-attacks-registry';

/** `host/path:tag@digest` → `path`: the repository a registry token scope names. */
function repositoryOf(target: string, host: string): string {
  const path = target.slice(host.length + 1).replace(/@.*$/, '');
  return path.replace(/:[^/:]*$/, '');
}

describe('tenant attacks (issue 16): namespace B against namespace A’s private image', () => {
  let env: BackupEnv | undefined;
  let lifeboat: LifeboatProcess | undefined;
  const e = (): BackupEnv => {
    if (!env) throw new Error('the environment did not start');
    return env;
  };
  const secrets = () => resourceClient<Secret>(e().api, RESOURCES.secrets);

  /** The credentials in a namespace's `lifeboat-pull`, as a pod of that namespace would use them. */
  async function pullCredentials(namespace: string): Promise<Credentials> {
    const secret = await secrets().get(PULL_SECRET_COPY, { namespace });
    const config = JSON.parse(Buffer.from(secret.data!['.dockerconfigjson']!, 'base64').toString()) as {
      auths: Record<string, { auth: string }>;
    };
    const auth = config.auths[e().backup.host]!.auth;
    const [username, password] = Buffer.from(auth, 'base64').toString().split(':') as [string, string];
    return { username, password };
  }

  async function waitPullSecret(namespace: string): Promise<void> {
    await waitFor(async () => (await secrets().find(PULL_SECRET_COPY, { namespace })) !== undefined, {
      what: `${namespace}/${PULL_SECRET_COPY}`,
      ...WAIT,
    });
  }

  /** A namespace whose `source-creds` read the private source (the team that owns the image). */
  async function owner(prefix: string): Promise<string> {
    const ns = await e().namespace(prefix);
    await e().dockerConfigSecret(ns, 'source-creds', e().privateSource, readerCredentials(e().privateSource));
    return ns;
  }

  const runs = (r: WorkloadRef, image: SourceImage, imagePullSecrets?: string[]) =>
    createWorkload(e().api, r.namespace, {
      kind: r.kind,
      name: r.name,
      containers: [{ name: 'app', image: sourceRef(image) }],
      ...(imagePullSecrets ? { imagePullSecrets } : {}),
    });

  let secretImage: SourceImage;
  let publicImage: SourceImage;
  let a = '';
  let b = '';
  /** C, and the data of the Secret named lifeboat-pull it made itself. */
  let cNamespace = '';
  let cForeign = '';

  before(async () => {
    env = await startBackupEnv();
    [secretImage, publicImage] = await Promise.all([
      sourceImage(env.privateSource, 'team-a/secret', '1'),
      sourceImage(env.publicSource, 'tenants/public', '1'),
    ]);
  });
  after(async () => {
    await lifeboat?.stop('SIGKILL');
    await env?.stop();
  });

  it('skip (the default): A’s private image is not backed up (PrivateSourceSkipped), so B has nothing to pull', async () => {
    lifeboat = e().startLifeboat();
    await lifeboat.address();
    a = await owner('tenant-a');
    b = await e().namespace('tenant-b');
    const privateRef = await runs({ kind: 'Deployment', namespace: a, name: 'secret' }, secretImage, [
      'source-creds',
    ]);
    const publicRef = await runs({ kind: 'Deployment', namespace: a, name: 'public' }, publicImage);

    await waitRewritten(e(), publicRef);
    const skipped = await waitEvent(e().api, privateRef, EventReasons.PrivateSourceSkipped);
    assert.equal(skipped.type, 'Warning');
    assert.match(skipped.note ?? '', new RegExp(`app: ${e().privateSource.host}/team-a/secret:1`));
    assert.deepEqual(await backupsOf(e(), sourceRef(secretImage)), [], 'no ImageBackup');
    assert.deepEqual(imagesOf(await getWorkload(e().api, privateRef)), { app: sourceRef(secretImage) });
    // `lifeboat status` and `lifeboat verify` (the same flags as run) say why it is exposed.
    const common = ['--backup-registry', e().backupLocation, '-n', a, '-o', 'json'];
    const status = await lifeboatCli(e().commandArgs('status', ...common));
    assert.equal(status.code, 0, status.stderr);
    const shown = (JSON.parse(status.stdout) as { workloads: { name: string; state: string }[] }).workloads;
    assert.equal(shown.find((w) => w.name === 'secret')?.state, 'PrivateSourceSkipped');
    const verify = await lifeboatCli(
      e().commandArgs(
        'verify',
        ...common,
        '--insecure-registries',
        e().backup.host,
        '--backup-pull-secret',
        `${LIFEBOAT_NS}/${PULL_SECRET}`,
      ),
    );
    assert.equal(verify.code, 1, `exposed: exit 1; ${verify.stderr}`);
    const rows = (
      JSON.parse(verify.stdout) as { containers: { name: string; verdict: string; reason: string }[] }
    ).containers;
    const row = rows.find((r) => r.name === 'secret');
    assert.equal(row?.verdict, 'exposed');
    assert.match(row?.reason ?? '', /PrivateSourceSkipped/);

    await waitPullSecret(b);
    await assert.rejects(
      craneDigest(e().backup, rewrittenRef(e(), secretImage), await pullCredentials(b)),
      /MANIFEST_UNKNOWN|NAME_UNKNOWN|not found|404/i,
      'nothing in the backup registry for B to pull',
    );
    assert.equal(await lifeboat.stop('SIGTERM'), 0, lifeboat.stderr());
  });

  it('shared: A’s image is backed up and rewritten, and B’s own lifeboat-pull reads it, as docs/security.md says', async () => {
    // The operator's credentials read every private image: they serve copies, never decide who runs.
    await e().dockerConfigSecret(
      LIFEBOAT_NS,
      OPERATOR_CREDS,
      e().privateSource,
      readerCredentials(e().privateSource),
    );
    // C makes a Secret named lifeboat-pull before lifeboat ever sees its namespace (lifeboat is down).
    const c = await e().namespace('tenant-c');
    const foreign = JSON.stringify({
      auths: {
        [e().privateSource.host]: {
          auth: Buffer.from(
            `${e().privateSource.readerUsername}:${e().privateSource.readerPassword}`,
          ).toString('base64'),
        },
      },
    });
    const foreignData = { '.dockerconfigjson': Buffer.from(foreign).toString('base64') };
    await secrets().create(
      { metadata: { name: PULL_SECRET_COPY }, type: 'kubernetes.io/dockerconfigjson', data: foreignData },
      { namespace: c },
    );
    cNamespace = c;
    cForeign = foreignData['.dockerconfigjson'];

    lifeboat = e().startLifeboat(
      '--private-images',
      'shared',
      '--source-credentials',
      `${LIFEBOAT_NS}/${OPERATOR_CREDS}`,
    );
    await lifeboat.address();
    await waitRewritten(e(), { kind: 'Deployment', namespace: a, name: 'secret' });
    const [backup] = await backupsOf(e(), sourceRef(secretImage));
    assert.equal(backup?.status?.private, true, 'an anonymous HEAD is refused');
    assert.equal(backup?.status?.readers, undefined, 'shared records no readers (no extra writes)');

    const digest = await craneDigest(e().backup, rewrittenRef(e(), secretImage), await pullCredentials(b));
    assert.equal(
      digest,
      secretImage.digest,
      'B pulls A’s private backup: shared protects nothing between namespaces',
    );
  });

  it('B forges lifeboat.dev/original-images: nothing is copied, though the operator’s credentials read the source', async () => {
    const other = await sourceImage(e().privateSource, 'team-a/other', '1');
    const fresh = await sourceImage(e().publicSource, 'tenants/fresh', '1');
    // B runs a genuine backup (of the public image) and claims A's other private image as its original,
    // beside a fresh public image: its rewrite shows lifeboat has planned the whole workload.
    const forged = await createWorkload(e().api, b, {
      kind: 'Deployment',
      name: 'forged',
      annotations: { [ORIGINAL_IMAGES_ANNOTATION]: JSON.stringify({ stolen: sourceRef(other) }) },
      containers: [
        { name: 'stolen', image: rewrittenRef(e(), publicImage) },
        { name: 'fresh', image: sourceRef(fresh) },
      ],
    });
    const rewritten = await waitWorkload(e().api, forged, 'fresh moved to its backup', (w) =>
      imagesOf(w).fresh!.startsWith(`${e().backup.host}/`),
    );
    assert.deepEqual(await backupsOf(e(), sourceRef(other)), [], 'no ImageBackup of the claimed original');
    const catalog = await craneCatalog(e().backup, {
      username: e().backup.username!,
      password: e().backup.password!,
    });
    const stolenRepo = backupRepository(e(), e().privateSource, 'team-a/other').replace(
      `${e().backup.host}/`,
      '',
    );
    assert.ok(!catalog.includes(stolenRepo), `${stolenRepo} is not in the backup registry`);
    const originals = JSON.parse(
      rewritten.metadata.annotations?.[ORIGINAL_IMAGES_ANNOTATION] ?? '{}',
    ) as Record<string, string>;
    assert.deepEqual(originals, { fresh: sourceRef(fresh) }, 'the forged entry is not carried on');
  });

  it('C’s own Secret named lifeboat-pull: left as it is, never a source login, its data shown nowhere', async () => {
    const c = cNamespace;
    await waitFor(async () => (await eventsFor(e().api, c, EventReasons.PullSecretConflict)).length > 0, {
      what: 'PullSecretConflict in C',
      ...WAIT,
    });
    const kept = await secrets().get(PULL_SECRET_COPY, { namespace: c });
    assert.equal(kept.data?.['.dockerconfigjson'], cForeign, 'not overwritten');
    assert.equal(kept.metadata.labels?.['app.kubernetes.io/managed-by'], undefined, 'not adopted');

    // C runs A's private image pulling with that Secret, which does read the source: lifeboat does not
    // log in with a Secret of its copies' name, so C's workload is not moved to the backup.
    const ref = await runs({ kind: 'Deployment', namespace: c, name: 'secret' }, secretImage, [
      PULL_SECRET_COPY,
    ]);
    await waitEvent(e().api, ref, EventReasons.BackupAccessDenied);
    assert.deepEqual(imagesOf(await getWorkload(e().api, ref)), { app: sourceRef(secretImage) });

    const auth = Buffer.from(
      `${e().privateSource.readerUsername}:${e().privateSource.readerPassword}`,
    ).toString('base64');
    const events = await resourceClient<KubeObject>(e().api, RESOURCES.events).listAll({ namespace: c });
    const visible = JSON.stringify([await imageBackups(e()), events]);
    for (const s of [cForeign, auth, e().privateSource.readerPassword!])
      assert.ok(!visible.includes(s), 'no credential in ImageBackups or Events');
    const logs = lifeboat!.stderr() + JSON.stringify(lifeboat!.logs);
    for (const s of [cForeign, auth, e().privateSource.readerPassword!])
      assert.ok(!logs.includes(s), 'nor in the logs');
  });

  it('isolated: the backup’s readers list A, whose own credentials read the source, and the token service grants A and refuses B', async () => {
    assert.equal(await lifeboat!.stop('SIGTERM'), 0, lifeboat!.stderr());
    // The token service's key material, as an operator provides it (docs/operations.md).
    const pki = createTokenServicePki(mkdtempSync(join(tmpdir(), 'lifeboat-attacks-')));
    for (const [name, pair] of [
      ['token-tls', pki.endpoint],
      ['token-signer', pki.signer],
    ] as const) {
      await secrets().create(
        { metadata: { name }, type: 'kubernetes.io/tls', data: tlsSecretData(pair) },
        { namespace: LIFEBOAT_NS },
      );
    }
    const port = await freePort();
    lifeboat = e().startLifeboat(
      '--private-images',
      'isolated',
      '--token-addr',
      `127.0.0.1:${port}`,
      '--token-tls-secret',
      `${LIFEBOAT_NS}/token-tls`,
      '--token-signing-secret',
      `${LIFEBOAT_NS}/token-signer`,
      '--token-service',
      TOKEN_SERVICE,
    );
    await lifeboat.address();
    // A was rewritten under shared: its access is checked again, now to record it.
    let readers: readonly string[] | undefined;
    await waitFor(
      async () => {
        readers = (await backupsOf(e(), sourceRef(secretImage)))[0]?.status?.readers;
        return readers?.includes(a) === true;
      },
      { what: `${a} recorded as a reader`, ...WAIT },
    );
    assert.deepEqual(readers, [a], 'B never ran it; C’s check is refused');

    // The whole chain: what the workload controller recorded is what the token service grants. Each
    // namespace asks with its own lifeboat-pull (now its own `lifeboat-ns-<namespace>` credential).
    const backup = (await backupsOf(e(), sourceRef(secretImage)))[0]!;
    const repository = repositoryOf(backup.spec.target, e().backup.host);
    const dispatcher = new Agent({ connect: { ca: readFileSync(pki.endpointCa.cert) } });
    const granted = async (namespace: string): Promise<string[]> => {
      await waitFor(async () => (await pullCredentials(namespace)).username === `lifeboat-ns-${namespace}`, {
        what: `${namespace}'s own credential in its ${PULL_SECRET_COPY}`,
        ...WAIT,
      });
      const { username, password } = await pullCredentials(namespace);
      const query = new URLSearchParams({ service: TOKEN_SERVICE, scope: `repository:${repository}:pull` });
      const response = await fetch(`https://127.0.0.1:${port}/token?${query.toString()}`, {
        dispatcher,
        headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
      });
      assert.equal(response.status, 200, `${namespace} authenticates`);
      const { token } = (await response.json()) as { token: string };
      const claims = decodeJwt(token) as { access?: { name: string; actions: string[] }[] };
      return (claims.access ?? []).filter((g) => g.name === repository).flatMap((g) => g.actions);
    };
    assert.deepEqual(await granted(a), ['pull'], 'A, a reader, may pull its private backup');
    assert.deepEqual(await granted(b), [], 'B may not');
    await dispatcher.close();
  });
});
