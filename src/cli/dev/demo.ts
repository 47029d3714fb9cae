// The demo `lifeboat dev` loads: images in the source registries (pushed by crane, as the tests do),
// the Secrets `lifeboat run` is given, and workloads of every kind in a few namespaces: one namespace
// excluded, one workload on a private image with its own pull secret.
import type { ControlPlane, LocalRegistry } from '../../devenv/index.ts';

export const LIFEBOAT_NAMESPACE = 'lifeboat-system';
export const PUSH_SECRET = 'backup-push';
export const PULL_SECRET = 'backup-pull';
/** Given to the controller with --exclude-namespaces: its workload stays on the source. */
export const EXCLUDED_NAMESPACE = 'legacy';
const PRIVATE_PULL_SECRET = 'acme-registry';

export interface DemoRegistries {
  /** "Public": no auth. */
  readonly source: LocalRegistry;
  /** htpasswd: anonymous reads are refused. */
  readonly privateSource: LocalRegistry;
  /** Token auth: a push user and a read-only user. */
  readonly backup: LocalRegistry;
}

interface DemoImage {
  readonly registry: 'source' | 'privateSource';
  readonly repo: string;
  /** One platform: a plain image; several: an OCI index. */
  readonly platforms: readonly string[];
}

const IMAGES = {
  nginx: { registry: 'source', repo: 'library/nginx:1.25', platforms: ['linux/amd64', 'linux/arm64'] },
  redis: { registry: 'source', repo: 'library/redis:7', platforms: ['linux/amd64'] },
  agent: {
    registry: 'source',
    repo: 'acme/agent:v3.1',
    platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'],
  },
  busybox: { registry: 'source', repo: 'library/busybox:1.36', platforms: ['linux/amd64'] },
  billing: { registry: 'privateSource', repo: 'acme/billing:2.0', platforms: ['linux/amd64'] },
} as const satisfies Record<string, DemoImage>;

type ImageName = keyof typeof IMAGES;

/** Pushes every demo image with crane; returns `name → host/repo:tag`. */
export async function pushDemoImages(
  registries: DemoRegistries,
  devenv: typeof import('../../devenv/index.ts'),
): Promise<Record<ImageName, string>> {
  const fixture = { layers: 3, layerSize: 1024 * 1024, mediaTypes: 'oci' } as const;
  const entries = await Promise.all(
    Object.entries(IMAGES).map(async ([name, image]): Promise<[string, string]> => {
      const registry = registries[image.registry];
      const [only] = image.platforms;
      const pushed =
        image.platforms.length === 1 && only !== undefined
          ? await devenv.pushImage(registry, image.repo, { ...fixture, platform: only })
          : await devenv.pushIndex(registry, image.repo, { ...fixture, platforms: image.platforms });
      return [name, pushed.ref];
    }),
  );
  return Object.fromEntries(entries) as Record<ImageName, string>;
}

/** `namespace/Kind/name` of the demo workloads the controller must rewrite. */
export interface Demo {
  readonly eligible: readonly string[];
  readonly excluded: readonly string[];
}

/** Creates the namespaces, Secrets and workloads. */
export async function createDemo(
  cp: ControlPlane,
  registries: DemoRegistries,
  images: Record<ImageName, string>,
): Promise<Demo> {
  const create = async (path: string, body: object): Promise<void> => {
    const res = await cp.request('POST', path, body);
    if (res.status !== 201) throw new Error(`POST ${path}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  };
  const secret = (namespace: string, name: string, registry: LocalRegistry, user: string, password: string) =>
    create(`/api/v1/namespaces/${namespace}/secrets`, {
      metadata: { name },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': b64(dockerConfigJson({ [registry.host]: [user, password] })) },
    });
  for (const name of [LIFEBOAT_NAMESPACE, 'shop', 'platform', 'batch', EXCLUDED_NAMESPACE])
    await create('/api/v1/namespaces', { metadata: { name } });
  const { backup, privateSource } = registries;
  await secret(LIFEBOAT_NAMESPACE, PUSH_SECRET, backup, backup.username!, backup.password!);
  await secret(LIFEBOAT_NAMESPACE, PULL_SECRET, backup, backup.readerUsername!, backup.readerPassword!);
  await secret('shop', PRIVATE_PULL_SECRET, privateSource, privateSource.username!, privateSource.password!);

  const pod = (app: string, image: string, extra: object = {}) => ({
    metadata: { labels: { app } },
    spec: { containers: [{ name: app, image }], ...extra },
  });
  const apps = (namespace: string, plural: string) => `/apis/apps/v1/namespaces/${namespace}/${plural}`;
  const selector = (app: string) => ({ matchLabels: { app } });
  await create(apps('shop', 'deployments'), {
    metadata: { name: 'web' },
    spec: { replicas: 2, selector: selector('web'), template: pod('web', images.nginx) },
  });
  await create(apps('shop', 'deployments'), {
    metadata: { name: 'billing' },
    spec: {
      replicas: 1,
      selector: selector('billing'),
      template: pod('billing', images.billing, { imagePullSecrets: [{ name: PRIVATE_PULL_SECRET }] }),
    },
  });
  await create(apps('shop', 'statefulsets'), {
    metadata: { name: 'cache' },
    spec: {
      replicas: 1,
      serviceName: 'cache',
      selector: selector('cache'),
      template: pod('cache', images.redis),
    },
  });
  await create(apps('platform', 'daemonsets'), {
    metadata: { name: 'node-agent' },
    spec: { selector: selector('node-agent'), template: pod('node-agent', images.agent) },
  });
  await create('/apis/batch/v1/namespaces/batch/cronjobs', {
    metadata: { name: 'nightly-report' },
    spec: {
      schedule: '0 3 * * *',
      jobTemplate: { spec: { template: pod('report', images.busybox, { restartPolicy: 'OnFailure' }) } },
    },
  });
  await create(apps(EXCLUDED_NAMESPACE, 'deployments'), {
    metadata: { name: 'old-web' },
    spec: { replicas: 1, selector: selector('old-web'), template: pod('old-web', images.nginx) },
  });
  return {
    eligible: [
      'shop/Deployment/web',
      'shop/Deployment/billing',
      'shop/StatefulSet/cache',
      'platform/DaemonSet/node-agent',
      'batch/CronJob/nightly-report',
    ],
    excluded: [`${EXCLUDED_NAMESPACE}/Deployment/old-web`],
  };
}

/** A docker config.json for `host → [user, password]`. */
export function dockerConfigJson(logins: Readonly<Record<string, readonly [string, string]>>): string {
  const auths = Object.fromEntries(
    Object.entries(logins).map(([host, [user, password]]) => [host, { auth: b64(`${user}:${password}`) }]),
  );
  return JSON.stringify({ auths });
}

function b64(text: string): string {
  return Buffer.from(text).toString('base64');
}
