// Public surface of the registry module. Transport and auth internals stay behind these exports.
export type * from './model/types.ts';
export * from './model/errors.ts';
export { createRegistryClient } from './client.ts';
export type { ClosableRegistryClient, RegistryClientOptions } from './client.ts';
export { credentialsFor, registryClientFactory } from './client-factory.ts';
export type {
  RegistryClientExtras,
  RegistryClientFactory,
  RegistryClientFactoryOptions,
} from './client-factory.ts';
export { copyTargetReference, imageLocation } from './image-location.ts';
export {
  ANONYMOUS,
  CredentialPool,
  CredentialPoolClosedError,
  CredentialsParseError,
  DockerConfigDocument,
  InvalidDockerConfigError,
  PooledCredentials,
  describeCredentials,
  dockerConfigKeychain,
  formatDockerConfigJson,
  loadDefaultKeychain,
  loadDockerConfigKeychain,
  normalizeRegistryKey,
  parseCredentialsFlag,
  parseDockerConfigJson,
} from './auth/index.ts';
export type {
  CredentialPoolOptions,
  CredentialResolution,
  Credentials,
  DefaultAuthFileOptions,
  DockerConfigMatch,
  DockerConfigSecret,
  ImageRepository,
  Keychain,
  RegistryLogin,
} from './auth/index.ts';
export {
  isInsecureRegistry,
  OTHER_REGISTRY,
  registryHostLabel,
  registryRequestMetrics,
  wireHost,
} from './transport/index.ts';
export type { RequestHook, RequestObservation, RetryPolicy } from './transport/index.ts';
export * from './copy/index.ts';
