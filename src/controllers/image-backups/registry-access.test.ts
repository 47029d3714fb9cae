// The registry request metrics as registry-access.ts wires them: the `host` label comes from a bounded
// set (B10 of issue 16), whatever hosts tenants write into their images.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { KubeRequester } from '../../kube/index.ts';
import { backupMapping, parseNormalizedNamed } from '../../reference/index.ts';
import type {
  ClosableRegistryClient,
  RegistryClientExtras,
  RegistryClientFactory,
} from '../../registry/index.ts';
import { createRegistryAccess } from './registry-access.ts';

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
