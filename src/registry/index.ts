// Public surface of the registry module. Transport and auth internals stay behind these exports.
export type * from './types.ts';
export * from './errors.ts';
export { createRegistryClient } from './client.ts';
export type { ClosableRegistryClient, RegistryClientOptions } from './client.ts';
export {
  ANONYMOUS,
  CredentialsParseError,
  describeCredentials,
  dockerConfigKeychain,
  loadDockerConfigKeychain,
  normalizeRegistryKey,
  parseCredentialsFlag,
  staticKeychain,
} from './auth/index.ts';
export type { Credentials, Keychain } from './auth/index.ts';
export { isInsecureRegistry, registryRequestMetrics, wireHost } from './transport/index.ts';
export type { RequestHook, RequestObservation, RetryPolicy } from './transport/index.ts';
export * from './copy/index.ts';
