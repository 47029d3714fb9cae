// Which scheme and which wire host a registry is reached at. HTTPS always, except for registries the
// operator listed as insecure (`--insecure-registries host[:port]`): plain HTTP is never guessed.

/** Docker Hub's API lives on another host than the one people write in references. */
const WIRE_HOSTS: Readonly<Record<string, string>> = {
  'docker.io': 'registry-1.docker.io',
  'index.docker.io': 'registry-1.docker.io',
};

/** The host requests go to: `docker.io` → `registry-1.docker.io`, everything else unchanged. */
export function wireHost(host: string): string {
  return WIRE_HOSTS[host.toLowerCase()] ?? host;
}

/** Splits `host[:port]` (IPv6 in brackets) into host and port. */
function splitHostPort(value: string): { host: string; port: string | undefined } {
  const v = value.trim().toLowerCase();
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(v);
  if (m === null) return { host: v, port: undefined };
  return { host: m[1] ?? v, port: m[2] };
}

/**
 * True when `registry` matches an entry of the insecure list: an entry with a port matches that exact
 * host:port; an entry without a port matches the host on any port (as docker's daemon.json does).
 * Entries may be written as URLs (`http://host:5000/`); the scheme and path are ignored.
 */
export function isInsecureRegistry(registry: string, insecure: readonly string[]): boolean {
  const r = splitHostPort(registry);
  return insecure.some((raw) => {
    const entry = raw.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '');
    if (entry === '') return false;
    const e = splitHostPort(entry);
    return e.host === r.host && (e.port === undefined || e.port === r.port);
  });
}

/** The origin requests go to, e.g. `https://registry-1.docker.io` or `http://127.0.0.1:5000`. */
export function registryOrigin(registry: string, insecure: boolean): string {
  return `${insecure ? 'http' : 'https'}://${wireHost(registry)}`;
}
