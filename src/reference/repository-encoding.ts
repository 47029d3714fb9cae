// How a source registry host and repository path become path components of the backup registry, and
// back. Both encodings are bijections between their domain and their image, so the mapping built on
// them is injective (no two sources share a target) and reversible (a target names its source).
//
// Host → one path component (`encodeHost`). The host is lower-cased first (hosts are
// case-insensitive), then:
//   domain name      `docker.io`           → `docker.io`          (labels and dots are path-legal)
//   with a port      `localhost:5000`      → `localhost_5000`     (":" → "_")
//   IPv6             `[2001:db8::1]:5000`  → `ipv6__2001xdb8xx1_5000`
// Domain names never contain "_", so a single "_" can only be the port separator, and "__" can only
// be the IPv6 marker. Inside the brackets there are only hex digits and ":", so ":" → "x" is
// unambiguous ("x" is not a hex digit) and keeps "::" (→ "xx") legal, as the result is all letters
// and digits.
//
// Path → one path component (`flattenPath`), for registries that allow a single level. A path is
// alphanumeric runs joined by exactly one of ".", "_", "__", "-"×n or "/" (the grammar allows no
// other run between letters). Each run is replaced by a run that is legal inside a component:
//   "/" → "-"      "-"×n → "-"×(n+1)      "." "_" "__" unchanged
// A single "-" in the output can only come from "/", and n+1 dashes only from n dashes, so the
// original is recovered run by run (`unflattenPath`).

const ipv6Marker = 'ipv6__';
const hostWithPort = /^(\[[0-9a-f:]+\]|[^:[\]]+)(?::([0-9]+))?$/;
const encodedIpv6 = /^ipv6__([0-9a-fx]+)(?:_([0-9]+))?$/;
const encodedDomainName = /^([a-z0-9.-]+)(?:_([0-9]+))?$/;

/**
 * Encodes a registry host (`domain[:port]` as in references, already valid) into one path
 * component. The host is lower-cased: callers compare sources by their lower-cased host.
 */
export function encodeHost(domain: string): string {
  const match = hostWithPort.exec(domain.toLowerCase());
  if (match === null) throw new TypeError(`not a registry host: ${JSON.stringify(domain)}`);
  const host = match[1] ?? '';
  const port = match[2];
  const encoded = host.startsWith('[') ? ipv6Marker + host.slice(1, -1).replaceAll(':', 'x') : host;
  return port === undefined ? encoded : `${encoded}_${port}`;
}

/** Inverse of `encodeHost` on its image; undefined for a component it cannot have produced. */
export function decodeHost(component: string): string | undefined {
  const ipv6 = encodedIpv6.exec(component);
  if (ipv6 !== null) {
    const host = `[${(ipv6[1] ?? '').replaceAll('x', ':')}]`;
    return ipv6[2] === undefined ? host : `${host}:${ipv6[2]}`;
  }
  const name = encodedDomainName.exec(component);
  if (name !== null) return name[2] === undefined ? name[1] : `${name[1]}:${name[2]}`;
  return undefined;
}

/** Turns a valid repository path (`a/b-c`) into one valid path component (`a-b--c`). */
export function flattenPath(path: string): string {
  return path.replace(/[^a-z0-9]+/g, (run) => (run === '/' ? '-' : run.startsWith('-') ? `${run}-` : run));
}

/** Inverse of `flattenPath` on its image. The caller checks the result is a valid path. */
export function unflattenPath(component: string): string {
  return component.replace(/-+/g, (run) => (run.length === 1 ? '/' : run.slice(1)));
}
