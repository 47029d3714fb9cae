/**
 * The flags of `lifeboat run`. `status`, `verify` and `uninstall` pick the ones they read from this
 * list by key (the same definitions), and `--from-deployment` parses a Deployment's arguments with
 * it. Names are part of the interface: documented, scripted against, in the chart.
 */
import { z } from 'zod';
// Not the kube barrel: it loads client-node (~60 MB of RSS), which `copy` and `ref` never need.
import { parseLabelSelector, type LabelSelector } from '../../kube/label-selector.ts';
import { backupMapping, type BackupMapping } from '../../reference/index.ts';
import { ConfigError, defineFlag, type ConfigOf } from './flag.ts';
import type { ObjectRef } from './values.ts';
import {
  CONTEXT_FLAG,
  INSECURE_REGISTRIES_FLAG,
  KUBE_API_BURST_FLAG,
  KUBE_API_QPS_FLAG,
  KUBECONFIG_FLAG,
  LIFEBOAT_NAMESPACE_FLAG,
  logLevelFlag,
  REGISTRY_CA_FLAG,
} from './shared-flags.ts';
import {
  backupLocation,
  imageGlobs,
  listenAddress,
  logFormat,
  namespaceName,
  objectName,
  objectRef,
  platformList,
  positiveInteger,
  positiveNumber,
  registryHosts,
  workloadKinds,
} from './values.ts';

/** `https://host[:port][/path]`, without query or fragment: where the API server calls the webhook. */
const httpsBaseUrl = z.string().refine((text) => {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' && url.search === '' && url.hash === '' && url.username === '';
  } catch {
    return false;
  }
}, 'expected https://HOST[:PORT][/PATH]');

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A Go-style duration (`6h`, `1h30m`, `90s`, `500ms`) or `0`, in milliseconds. */
const durationMs = z.string().transform((text, ctx): number => {
  const t = text.trim();
  if (t === '0') return 0;
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== t) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as 6h, 90m, 1h30m or 0' });
    return z.NEVER;
  }
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * DURATION_UNITS_MS[p[2]!]!, 0));
});

/** A label selector as kubectl's `-l` reads it; blank selects everything (undefined). */
const labelSelector = z.string().transform((text, ctx): LabelSelector | undefined => {
  try {
    const selector = parseLabelSelector(text);
    return selector.requirements.length === 0 ? undefined : selector;
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : String(err) });
    return z.NEVER;
  }
});

/** A whole number ≥ 0, as typed (0 means "no limit" where a flag says so). */
const nonNegativeInteger = z
  .string()
  .regex(/^\s*\d+\s*$/, 'expected a whole number (0 or more)')
  .transform(Number)
  .refine((n) => Number.isSafeInteger(n), 'expected a whole number (0 or more)');

/** Namespaces lifeboat never touches, whatever the flags say (its own is added at start). */
export const ALWAYS_EXCLUDED_NAMESPACES = Object.freeze(['kube-system', 'kube-public', 'kube-node-lease']);

/** Shared with `lifeboat dev`, which passes it on to the controller it runs. */
export const REWRITE_MODE_FLAG = defineFlag({
  key: 'rewriteMode',
  flag: '--rewrite-mode',
  arg: '<workloads|pods>',
  help: "workloads: rewrite each workload's spec to its backups; pods: leave the specs alone (GitOps clusters) and rewrite each Pod at creation through a mutating admission webhook",
  default: 'workloads',
  parse: z.enum(['workloads', 'pods']),
});

export const RUN_FLAGS = [
  KUBECONFIG_FLAG,
  CONTEXT_FLAG,
  KUBE_API_QPS_FLAG,
  KUBE_API_BURST_FLAG,
  LIFEBOAT_NAMESPACE_FLAG,
  defineFlag({
    key: 'backupRegistry',
    flag: '--backup-registry',
    arg: '<host[:port][/prefix]>',
    help: 'the registry (and optional path prefix) that holds the backups',
    required: true,
    parse: backupLocation,
  }),
  defineFlag({
    key: 'backupPullSecret',
    flag: '--backup-pull-secret',
    arg: '<ns/name>',
    help: 'kubernetes.io/dockerconfigjson Secret with READ-ONLY credentials for the backup registry, copied to every namespace (none: no pull-secret distribution)',
    parse: objectRef.optional(),
  }),
  defineFlag({
    key: 'pullSecretName',
    flag: '--pull-secret-name',
    arg: '<name>',
    help: 'name of the pull-secret copy in each namespace',
    default: 'lifeboat-pull',
    parse: objectName,
  }),
  defineFlag({
    key: 'pullSecretServiceAccounts',
    flag: '--pull-secret-service-accounts',
    arg: '<name,...>',
    help: 'service accounts given the pull secret in each namespace; * means all of them',
    default: 'default',
    list: true,
    parse: z.array(z.union([z.literal('*'), objectName])).min(1, 'name at least one service account, or *'),
  }),
  defineFlag({
    key: 'excludeNamespaces',
    flag: '--exclude-namespaces',
    arg: '<ns,...>',
    help: `namespaces left alone, besides ${ALWAYS_EXCLUDED_NAMESPACES.join(', ')}, lifeboat's own and those labelled lifeboat.dev/ignore=true`,
    list: true,
    parse: z.array(namespaceName),
  }),
  defineFlag({
    key: 'namespaceSelector',
    flag: '--namespace-selector',
    arg: '<selector>',
    help: 'only namespaces whose labels match this label selector (as kubectl -l: =, ==, !=, in, notin, key, !key; e.g. lifeboat.dev/enabled=true) are backed up, rewritten and given the pull secret; the others are treated as excluded',
    defaultNote: 'every namespace',
    parse: labelSelector.optional(),
  }),
  defineFlag({
    key: 'flatten',
    flag: '--flatten',
    help: 'one path component per source image below the prefix, for registries that allow a single level',
    default: false,
    parse: z.boolean(),
  }),
  defineFlag({
    key: 'backupPushSecret',
    flag: '--backup-push-secret',
    arg: '<ns/name>',
    help: 'kubernetes.io/dockerconfigjson Secret with push credentials for the backup registry, read at each copy (none: anonymous)',
    parse: objectRef.optional(),
  }),
  defineFlag({
    key: 'sourceCredentials',
    flag: '--source-credentials',
    arg: '<ns/name>',
    help: "kubernetes.io/dockerconfigjson Secret tried for sources after the workload's own pull secrets, before anonymous (e.g. a Docker Hub account against rate limits)",
    parse: objectRef.optional(),
  }),
  defineFlag({
    key: 'privateImages',
    flag: '--private-images',
    arg: '<skip|shared|isolated>',
    help: "a source an anonymous HEAD is refused: skip: not backed up, the workload left as it is; shared: backed up, and every namespace can pull the backup; isolated: backed up, pulled only by namespaces shown to read the source (lifeboat's registry token service)",
    default: 'skip',
    parse: z.enum(['skip', 'shared', 'isolated']),
  }),
  defineFlag({
    key: 'kinds',
    flag: '--kinds',
    arg: '<kind,...>',
    help: 'workload kinds backed up and rewritten (any case)',
    default: 'Deployment,DaemonSet,StatefulSet,CronJob',
    list: true,
    parse: workloadKinds,
  }),
  defineFlag({
    key: 'excludeImages',
    flag: '--exclude-images',
    arg: '<glob,...>',
    help: 'images never backed up: * within a path segment, ** across; matched against the normalised and familiar reference, with and without tag',
    list: true,
    parse: imageGlobs,
  }),
  defineFlag({
    key: 'sourceRegistries',
    flag: '--source-registries',
    arg: '<host[:port],...>',
    help: 'back up only images from these registries; docker.io is index.docker.io',
    defaultNote: 'every registry',
    list: true,
    parse: registryHosts,
  }),
  defineFlag({
    key: 'requireReady',
    flag: '--require-ready',
    help: 'back up and rewrite a workload only once it has rolled out its current spec, unless every image already has a Ready backup (CronJobs always qualify)',
    default: true,
    parse: z.boolean(),
  }),
  defineFlag({
    key: 'platforms',
    flag: '--platforms',
    arg: '<os/arch[/variant],...>',
    help: 'back up only these platforms of a multi-platform image',
    defaultNote: 'every platform',
    list: true,
    parse: platformList,
  }),
  defineFlag({
    key: 'pinDigest',
    flag: '--pin-digest',
    help: 'rewrite to {image}:{tag}@{digest} of the copy, not just {image}:{tag}',
    default: true,
    parse: z.boolean(),
  }),
  defineFlag({
    key: 'maxRewritesPerMinute',
    flag: '--max-rewrites-per-minute',
    arg: '<n>',
    help: 'workload rewrites started per minute, at most (each rewrite is a rollout); a token bucket whose burst is the same number, so a cluster with fewer workloads converges at once; 0: unlimited',
    default: '60',
    parse: nonNegativeInteger,
  }),
  defineFlag({
    key: 'maxConcurrentCopies',
    flag: '--max-concurrent-copies',
    arg: '<n>',
    help: 'images copied at once',
    default: '4',
    parse: positiveInteger,
  }),
  defineFlag({
    key: 'sourceCheckInterval',
    flag: '--source-check-interval',
    arg: '<duration>',
    help: "how often each Ready backup's source reference is checked with a HEAD (jittered ±10 %; 0 disables), e.g. 6h, 90m",
    default: '6h',
    parse: durationMs,
  }),
  defineFlag({
    key: 'sourceCheckQps',
    flag: '--source-check-qps',
    arg: '<n>',
    help: 'source-check HEADs per second, at most, per source registry',
    default: '1',
    parse: positiveNumber,
  }),
  defineFlag({
    key: 'onSourceChange',
    flag: '--on-source-change',
    arg: '<keep|follow>',
    help: "when a backed-up source tag moves: keep the backup and its tag (the drift is reported), or follow: copy the new digest and move the backup's tag to it (workloads already rewritten keep theirs)",
    default: 'keep',
    parse: z.enum(['keep', 'follow']),
  }),
  defineFlag({
    key: 'tokenAddr',
    flag: '--token-addr',
    arg: '<host:port>',
    help: "where the registry token service listens (HTTPS; --private-images=isolated); the registry's auth.token realm must reach it from the nodes",
    parse: listenAddress.optional(),
  }),
  defineFlag({
    key: 'tokenTlsSecret',
    flag: '--token-tls-secret',
    arg: '<ns/name>',
    help: "kubernetes.io/tls Secret of the token service's HTTPS endpoint",
    parse: objectRef.optional(),
  }),
  defineFlag({
    key: 'tokenSigningSecret',
    flag: '--token-signing-secret',
    arg: '<ns/name>',
    help: "kubernetes.io/tls Secret whose key (EC P-256 or RSA) signs the tokens; the registry trusts its certificate chain's root as auth.token.rootcertbundle",
    parse: objectRef.optional(),
  }),
  defineFlag({
    key: 'tokenIssuer',
    flag: '--token-issuer',
    arg: '<name>',
    help: "the tokens' issuer: the registry's auth.token.issuer",
    default: 'lifeboat',
    parse: z.string().min(1),
  }),
  defineFlag({
    key: 'tokenService',
    flag: '--token-service',
    arg: '<name>',
    help: "the registry's auth.token.service: the tokens' audience",
    default: 'lifeboat-backup-registry',
    parse: z.string().min(1),
  }),
  REWRITE_MODE_FLAG,
  defineFlag({
    key: 'webhookAddr',
    flag: '--webhook-addr',
    arg: '<host:port>',
    help: 'pods mode: where the admission webhook is served (HTTPS, path /mutate-pods), on every replica',
    default: ':9443',
    parse: listenAddress,
  }),
  defineFlag({
    key: 'webhookService',
    flag: '--webhook-service',
    arg: '<ns/name>',
    help: 'pods mode: the Service through which the API server reaches the webhook (in a cluster); give this or --webhook-url',
    parse: objectRef.optional(),
  }),
  defineFlag({
    key: 'webhookUrl',
    flag: '--webhook-url',
    arg: '<https://host:port>',
    help: 'pods mode: the base URL at which the API server reaches the webhook (lifeboat outside the cluster); /mutate-pods is appended and the certificate covers the host',
    parse: httpsBaseUrl.optional(),
  }),
  defineFlag({
    key: 'webhookCertSecret',
    flag: '--webhook-cert-secret',
    arg: '<name>',
    help: "pods mode: the Secret in lifeboat's namespace holding the webhook's CA and serving certificate (tls.crt, tls.key, ca.crt)",
    default: 'lifeboat-webhook-tls',
    parse: objectName,
  }),
  defineFlag({
    key: 'webhookCertManagedExternally',
    flag: '--webhook-cert-managed-externally',
    help: "pods mode: the certificate Secret is issued and renewed by someone else (cert-manager); lifeboat only reads it (and still copies its ca.crt into the webhook's caBundle)",
    default: false,
    parse: z.boolean(),
  }),
  defineFlag({
    key: 'webhookCertLifetime',
    flag: '--webhook-cert-lifetime',
    arg: '<duration>',
    help: 'pods mode: how long each serving certificate lifeboat issues is valid; it is renewed at 2/3 of that (the CA lives ten times longer)',
    default: '8760h',
    parse: durationMs.refine((ms) => ms >= 10_000, 'at least 10s'),
  }),
  INSECURE_REGISTRIES_FLAG,
  REGISTRY_CA_FLAG,
  defineFlag({
    key: 'dryRun',
    flag: '--dry-run',
    help: 'log and record Events for what would be copied and rewritten; write nothing to the API or any registry',
    default: false,
    parse: z.boolean(),
  }),
  defineFlag({
    key: 'installCrds',
    flag: '--install-crds',
    help: 'create or upgrade the ImageBackup CRD at start (otherwise deploy/ installs it)',
    default: false,
    parse: z.boolean(),
  }),
  defineFlag({
    key: 'leaderElect',
    flag: '--leader-elect',
    help: 'elect a leader through a Lease so that only one replica works',
    default: true,
    parse: z.boolean(),
  }),
  defineFlag({
    key: 'metricsAddr',
    flag: '--metrics-addr',
    arg: '<host:port>',
    help: 'where /healthz, /readyz and /metrics are served',
    default: ':8080',
    parse: listenAddress,
  }),
  defineFlag({
    key: 'logFormat',
    flag: '--log-format',
    arg: '<json|text>',
    help: 'json lines for machines, text for people',
    default: 'json',
    parse: logFormat,
  }),
  logLevelFlag('info'),
] as const;

export type RunConfig = ConfigOf<typeof RUN_FLAGS>;

/**
 * The mapping `--backup-registry` and `--flatten` describe together. Throws `ConfigError` naming
 * `--flatten` for the one combination only flatten refuses (docker.io without a prefix); run it
 * as readConfigOrReport's check so that exits 2 like any other bad flag.
 */
export function backupMappingOf(config: Pick<RunConfig, 'backupRegistry' | 'flatten'>): BackupMapping {
  try {
    return backupMapping({ ...config.backupRegistry, flatten: config.flatten });
  } catch (err) {
    throw new ConfigError('--flatten', `--flatten: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * `--private-images=isolated` needs the token service's address and both its Secrets; the token
 * flags mean nothing in the other modes. Run as readConfigOrReport's check: exits 2 naming the flag.
 */
export function checkTokenFlags(
  config: Pick<RunConfig, 'privateImages' | 'tokenAddr' | 'tokenTlsSecret' | 'tokenSigningSecret'>,
): void {
  if (config.privateImages !== 'isolated') return;
  for (const [flag, value] of [
    ['--token-addr', config.tokenAddr],
    ['--token-tls-secret', config.tokenTlsSecret],
    ['--token-signing-secret', config.tokenSigningSecret],
  ] as const) {
    if (value === undefined) throw new ConfigError(flag, `--private-images=isolated needs ${flag}`);
  }
}

/** The namespaces lifeboat leaves alone by name (labels, and `--namespace-selector`, are read per namespace). */
export function excludedNamespaces(
  config: Pick<RunConfig, 'lifeboatNamespace' | 'excludeNamespaces'>,
): Set<string> {
  return new Set([...ALWAYS_EXCLUDED_NAMESPACES, config.lifeboatNamespace, ...config.excludeNamespaces]);
}

/** Where the API server reaches the webhook: a Service or a URL. */
export type WebhookEndpointConfig = { readonly service: ObjectRef } | { readonly url: string };

/**
 * In pods mode, exactly one of `--webhook-service` and `--webhook-url`; undefined in workloads mode.
 * Throws `ConfigError` otherwise (run it as readConfigOrReport's check, so it exits 2).
 */
export function webhookEndpointOf(
  config: Pick<RunConfig, 'rewriteMode' | 'webhookService' | 'webhookUrl'>,
): WebhookEndpointConfig | undefined {
  if (config.rewriteMode !== 'pods') return undefined;
  if (config.webhookService !== undefined && config.webhookUrl !== undefined)
    throw new ConfigError('--webhook-url', '--webhook-service and --webhook-url: give one, not both');
  if (config.webhookService !== undefined) return { service: config.webhookService };
  if (config.webhookUrl !== undefined) return { url: config.webhookUrl };
  throw new ConfigError(
    '--webhook-service',
    '--rewrite-mode=pods needs --webhook-service NAMESPACE/NAME (in a cluster) or --webhook-url https://HOST:PORT',
  );
}

/** Every cross-flag check of `lifeboat run`. */
export function checkRunConfig(config: RunConfig): void {
  backupMappingOf(config);
  webhookEndpointOf(config);
}
