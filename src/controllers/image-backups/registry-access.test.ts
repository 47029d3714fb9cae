// The registry request metrics as registry-access.ts wires them: the `host` label comes from a bounded
// set (B10 of issue 16), whatever hosts tenants write into their images. The source logins: a copy
// never logs in with a Secret of lifeboat's pull-secret name (B9), and readers are decided by the
// namespace's own logins only, never by `--source-credentials`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { KubeRequester } from '../../kube/index.ts';
import { backupMapping, parseNormalizedNamed } from '../../reference/index.ts';
import {
  UnauthorizedError,
  type ClosableRegistryClient,
  type RegistryClientExtras,
  type RegistryClientFactory,
} from '../../registry/index.ts';
import type { SecretObject } from '../api/core-objects.ts';
import { createRegistryAccess, informerSecretCache } from './registry-access.ts';

/** Clients that send one request each time they are used, to the host the wire would (Docker Hub's API host, a realm). */
function fakeClients() {
  const made: { host: string; extras: RegistryClientExtras | undefined }[] = [];
  const createClient: RegistryClientFactory = (host, _credentials, extras) => {
    made.push({ host, extras });
    return { close: () => Promise.resolve() } as unknown as ClosableRegistryClient;
  };
  /** What the transport reports for one request of the last client made. */
  const request = (wireHost: string): void =>
    made.at(-1)!.extras?.onRequest?.({ host: wireHost, method: 'GET', status: 200, durationMs: 5 });
  return { createClient, request };
}

describe('createRegistryAccess request metrics', () => {
  it('labels requests by the backup registry, a --source-registries entry, or "other"', async () => {
    const registry = new Registry();
    const clients = fakeClients();
    const access = createRegistryAccess({
      api: {} as KubeRequester,
      createClient: clients.createClient,
      mapping: backupMapping({ backupRegistry: 'backup.example:5000' }),
      sourceRegistries: ['docker.io'],
      registry,
    });
    // Sources: Docker Hub (its API and token hosts), and hosts a tenant made up, one per image.
    for (const [image, wireHosts] of [
      ['nginx:1.25', ['registry-1.docker.io', 'auth.docker.io']],
      ['evil-1.example/app:1', ['evil-1.example']],
      ['evil-2.example:444/app:1', ['evil-2.example:444', 'cdn.evil-2.example']],
    ] as const) {
      const [login] = await access.sourceChoices(parseNormalizedNamed(image), []);
      await login!.use(() => Promise.resolve(wireHosts.forEach(clients.request)));
    }
    await access.withPushClient(parseNormalizedNamed('backup.example:5000/lifeboat/x'), () =>
      Promise.resolve(clients.request('backup.example:5000')),
    );
    await access.close();
    const text = await registry.metrics();
    const hosts = new Set(
      [...text.matchAll(/lifeboat_registry_requests_total\{host="([^"]*)"/g)].map((m) => m[1]),
    );
    assert.deepEqual([...hosts].sort(), ['backup.example:5000', 'docker.io', 'other']);
    assert.match(text, /lifeboat_registry_requests_total\{host="other",method="GET",code="200"\} 3/);
    assert.match(text, /lifeboat_registry_requests_total\{host="docker.io",method="GET",code="200"\} 2/);
    assert.match(text, /lifeboat_registry_request_duration_seconds_count\{host="other",method="GET"\} 3/);
  });
});

const SOURCE = 'private.example';
const dockerConfig = (username: string, password: string): string =>
  Buffer.from(
    JSON.stringify({
      auths: { [SOURCE]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } },
    }),
  ).toString('base64');
const pullSecret = (namespace: string, name: string, data: string): SecretObject => ({
  metadata: { namespace, name, resourceVersion: '1' },
  type: 'kubernetes.io/dockerconfigjson',
  data: { '.dockerconfigjson': data },
});
/** A synced cache that covers every Secret and holds `secrets`: the API is never asked. */
const allSecrets = (secrets: SecretObject[]) =>
  informerSecretCache(
    {
      get: (key) => secrets.find((s) => `${s.metadata.namespace}/${s.metadata.name}` === key),
      hasSynced: () => true,
    },
    {},
  );
const noApi = {
  requestJson: () => Promise.reject(new Error('the API is not asked')),
} as unknown as KubeRequester;

/** A source registry whose manifest HEAD answers only `reader` (basic login); any other login gets a 401. */
function sourceRegistry(reader: string): RegistryClientFactory {
  return (host, credentials) =>
    ({
      headManifest: () =>
        credentials.kind === 'basic' && credentials.username === reader
          ? Promise.resolve({ digest: `sha256:${'a'.repeat(64)}`, mediaType: 'x', size: 1 })
          : Promise.reject(new UnauthorizedError('401', { registry: host, status: 401 })),
      close: () => Promise.resolve(),
    }) as unknown as ClosableRegistryClient;
}

describe('createRegistryAccess source logins (issue 16)', () => {
  it('never offers a Secret named lifeboat-pull as a login of a copy, whoever made it (B9)', async () => {
    // The tenant's own Secret named like lifeboat's copies, unlabelled (a conflict lifeboat leaves
    // as it is): its data reads the source, yet it is no login; the secret reader alone would take it.
    const secrets = [
      pullSecret('tenant', 'lifeboat-pull', dockerConfig('copy-user', 'p')),
      pullSecret('tenant', 'creds', dockerConfig('tenant-user', 'p')),
      pullSecret('lifeboat-system', 'operator', dockerConfig('operator-user', 'p')),
    ];
    const access = createRegistryAccess({
      api: noApi,
      createClient: sourceRegistry('copy-user'),
      mapping: backupMapping({ backupRegistry: 'backup.example:5000' }),
      secretCaches: [allSecrets(secrets)],
      sourceCredentials: { namespace: 'lifeboat-system', name: 'operator' },
    });
    const refs = [
      { namespace: 'tenant', name: 'lifeboat-pull' },
      { namespace: 'tenant', name: 'creds' },
    ];
    const choices = await access.sourceChoices(parseNormalizedNamed(`${SOURCE}/team/app:1`), refs);
    assert.deepEqual(
      choices.map((c) => c.source),
      ['Secret tenant/creds', 'Secret lifeboat-system/operator', 'anonymous'],
    );
    // Its pull-secret name is whatever --pull-secret-name says.
    const renamed = createRegistryAccess({
      api: noApi,
      createClient: sourceRegistry('copy-user'),
      mapping: backupMapping({ backupRegistry: 'backup.example:5000' }),
      secretCaches: [allSecrets([...secrets, pullSecret('tenant', 'mirror-pull', dockerConfig('x', 'p'))])],
      pullSecretName: 'mirror-pull',
    });
    const renamedChoices = await renamed.sourceChoices(parseNormalizedNamed(`${SOURCE}/team/app:1`), [
      { namespace: 'tenant', name: 'mirror-pull' },
      ...refs,
    ]);
    assert.deepEqual(
      renamedChoices.map((c) => c.source),
      ['Secret tenant/lifeboat-pull', 'Secret tenant/creds', 'anonymous'],
    );
    await Promise.all([access.close(), renamed.close()]);
  });

  it('decides readers by the tenant’s own logins only: --source-credentials that read the source do not make it readable', async () => {
    const secrets = [
      pullSecret('tenant', 'creds', dockerConfig('tenant-user', 'p')),
      pullSecret('lifeboat-system', 'operator', dockerConfig('operator-user', 'p')),
    ];
    const access = createRegistryAccess({
      api: noApi,
      createClient: sourceRegistry('operator-user'),
      mapping: backupMapping({ backupRegistry: 'backup.example:5000' }),
      secretCaches: [allSecrets(secrets)],
      sourceCredentials: { namespace: 'lifeboat-system', name: 'operator' },
    });
    const image = `${SOURCE}/team/app:1`;
    // The operator's login reads the source: a copy would succeed with it.
    const choices = await access.sourceChoices(parseNormalizedNamed(image), [
      { namespace: 'tenant', name: 'creds' },
    ]);
    const operator = choices.find((c) => c.source === 'Secret lifeboat-system/operator');
    assert.ok(operator, 'the copy tries the operator login');
    assert.ok(await operator.use((client) => client.headManifest('team/app', '1')));
    // Yet the namespace's own login (and anonymous) are refused: it is no reader.
    assert.equal(await access.sourceReadable(image, [{ namespace: 'tenant', name: 'creds' }]), false);
    assert.equal(await access.sourceReadable(image, []), false);
    // The control: the namespace's own login that reads the source makes it a reader.
    const reads = createRegistryAccess({
      api: noApi,
      createClient: sourceRegistry('tenant-user'),
      mapping: backupMapping({ backupRegistry: 'backup.example:5000' }),
      secretCaches: [allSecrets(secrets)],
      sourceCredentials: { namespace: 'lifeboat-system', name: 'operator' },
    });
    assert.equal(await reads.sourceReadable(image, [{ namespace: 'tenant', name: 'creds' }]), true);
    await Promise.all([access.close(), reads.close()]);
  });
});
