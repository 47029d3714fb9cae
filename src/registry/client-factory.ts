// How every command builds its registry clients, so `lifeboat copy`, `lifeboat run` and the
// controllers agree on TLS, plain-HTTP registries and logging: one factory per process holds the
// shared options, and each client gets a host and a login (resolved by the caller: a flag, a
// keychain, or the credential pool).
import { ANONYMOUS, type Credentials, type Keychain } from './auth/credentials.ts';
import { createRegistryClient, type ClosableRegistryClient, type RegistryClientOptions } from './client.ts';
import type { RequestHook } from './transport/metrics.ts';
import { isInsecureRegistry } from './transport/scheme.ts';

export interface RegistryClientFactoryOptions extends Omit<
  RegistryClientOptions,
  'host' | 'credentials' | 'keychain' | 'insecure'
> {
  /** `--insecure-registries`: hosts (optionally with a port) reached over plain HTTP. */
  readonly insecureRegistries?: readonly string[] | undefined;
}

/** What a caller of the factory may add to the shared options for its own clients. */
export interface RegistryClientExtras {
  /** Called for each request of this client, after the factory's own `onRequest` (metrics of one component). */
  readonly onRequest?: RequestHook | undefined;
}

/** Builds the client of one registry host with one login; the caller closes it. */
export type RegistryClientFactory = (
  host: string,
  credentials: Credentials,
  extras?: RegistryClientExtras,
) => ClosableRegistryClient;

export function registryClientFactory(options: RegistryClientFactoryOptions = {}): RegistryClientFactory {
  const { insecureRegistries = [], ...shared } = options;
  return (host, credentials, extras) => {
    const hooks = [shared.onRequest, extras?.onRequest].filter((h) => h !== undefined);
    return createRegistryClient({
      ...shared,
      host,
      credentials,
      insecure: isInsecureRegistry(host, insecureRegistries),
      ...(hooks.length > 0 ? { onRequest: (o) => hooks.forEach((hook) => hook(o)) } : {}),
    });
  };
}

/** The login for `host`: the explicit one when given, else the keychain's, else anonymous. */
export function credentialsFor(
  host: string,
  explicit: Credentials | undefined,
  keychain: Keychain | undefined,
): Credentials {
  return explicit ?? keychain?.resolve(host) ?? ANONYMOUS;
}
