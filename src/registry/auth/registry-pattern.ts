// Which images a key of a docker config's `auths` applies to, read as the kubelet reads the keys of
// pull Secrets (pkg/credentialprovider/keyring.go), so lifeboat picks the credentials the kubelet
// would pull with:
//  - a key is `host`, `host:port` or `host[:port]/path/prefix`, with or without `http(s)://`; a path
//    starting `/v1/` or `/v2/` loses that part (`https://index.docker.io/v1/` is the host alone);
//  - it matches an image when the port is the same (a key without a port matches no image with one),
//    the host has as many dot-separated labels and each matches (a label may be a glob: `*.gcr.io`,
//    `*` matching within one label), and the key's path is a string prefix of the image's path (the
//    kubelet's rule, so `quay.io/team` also matches `quay.io/teammate/app`);
//  - keys are tried in reverse lexical order, which puts a longer key before a shorter one it extends
//    (`quay.io/team/app` before `quay.io/team` before `quay.io`) and an exact label before a glob.
// One liberty: Docker Hub's aliases (`index.docker.io`, `registry-1.docker.io`, …) are folded into
// `docker.io`, where the kubelet reaches `index.docker.io` keys only through a fallback.
import { DOCKER_HUB_ALIASES } from './docker-config.ts';

export interface RegistryPattern {
  /** The key as matched: lower-case `host[:port][/path]`, no scheme, no `/v1/`; the sort key. */
  readonly key: string;
  readonly labels: readonly string[];
  /** Digits, or '' when the key names no port. */
  readonly port: string;
  /** '' or a path starting with '/'. */
  readonly path: string;
}

interface HostPort {
  readonly host: string;
  readonly port: string;
}

/** `host[:port]`, with `[v6]:port` kept whole; undefined when it is not a plausible host. */
function splitHostPort(hostPort: string): HostPort | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9*?._-]+)(?::(\d+))?$/.exec(hostPort);
  if (match === null) return undefined;
  const host = match[1] ?? '';
  const port = match[2] ?? '';
  return { host: port === '' && DOCKER_HUB_ALIASES.has(host) ? 'docker.io' : host, port };
}

function labelsOf(host: string): string[] {
  return host.startsWith('[') ? [host] : host.split('.');
}

/** Reads a config key; undefined for a key the kubelet would skip (no host, another scheme, bad port). */
export function parseRegistryPattern(key: string): RegistryPattern | undefined {
  let rest = key.trim().toLowerCase();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//.exec(rest);
  if (scheme !== null) {
    if (scheme[1] !== 'http' && scheme[1] !== 'https') return undefined;
    rest = rest.slice(scheme[0].length);
  }
  const slash = rest.indexOf('/');
  const hostPort = splitHostPort(slash < 0 ? rest : rest.slice(0, slash));
  if (hostPort === undefined) return undefined;
  let path = slash < 0 ? '' : rest.slice(slash);
  if (path.startsWith('/v1/') || path.startsWith('/v2/')) path = path.slice(3);
  if (path === '/') path = '';
  const port = hostPort.port === '' ? '' : `:${hostPort.port}`;
  return {
    key: `${hostPort.host}${port}${path}`,
    labels: labelsOf(hostPort.host),
    port: hostPort.port,
    path,
  };
}

/**
 * A label glob (`*` any run of characters, `?` one) against one host label, in linear time: the
 * classic wildcard walk that backtracks only to the last `*`. (A RegExp built from the glob, as
 * here before, backtracks polynomially in the number of stars: a tenant's pull Secret keyed
 * `************x.io` held the controller for minutes on one 40-character label.)
 */
export function labelMatches(pattern: string, label: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === label;
  let p = 0;
  let l = 0;
  /** After the last `*` seen: where in the pattern, and where in the label it started matching. */
  let star = -1;
  let from = 0;
  while (l < label.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === label[l])) {
      p++;
      l++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      from = l;
    } else if (star >= 0) {
      p = star + 1;
      l = ++from;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Whether `pattern` applies to the repository `path` on registry `host` (`docker.io`, `r:5000`). */
export function patternMatches(pattern: RegistryPattern, host: string, path: string): boolean {
  const target = splitHostPort(host.toLowerCase());
  if (target === undefined || target.port !== pattern.port) return false;
  const labels = labelsOf(target.host);
  if (labels.length !== pattern.labels.length) return false;
  if (!`/${path}`.startsWith(pattern.path)) return false;
  return pattern.labels.every((p, i) => labelMatches(p, labels[i] ?? ''));
}

/** Orders normalised keys as the kubelet tries them: reverse lexical order. */
export function compareRegistryKeys(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}
