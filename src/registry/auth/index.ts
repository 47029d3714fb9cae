export { parseChallenges, selectChallenge, splitScopes } from './challenge.ts';
export type { AuthChallenge, Challenge } from './challenge.ts';
export {
  ANONYMOUS,
  CredentialsParseError,
  describeCredentials,
  parseCredentialsFlag,
} from './credentials.ts';
export type { Credentials, Keychain } from './credentials.ts';
export {
  dockerConfigKeychain,
  loadDefaultKeychain,
  loadDockerConfigKeychain,
  normalizeRegistryKey,
} from './docker-config.ts';
export type { DefaultAuthFileOptions } from './docker-config.ts';
export {
  DockerConfigDocument,
  formatDockerConfigJson,
  InvalidDockerConfigError,
  parseDockerConfigJson,
} from './pull-secret.ts';
export type { DockerConfigMatch, RegistryLogin } from './pull-secret.ts';
export { CredentialPool, CredentialPoolClosedError, PooledCredentials } from './credential-pool.ts';
export type {
  CredentialPoolOptions,
  CredentialResolution,
  DockerConfigSecret,
  ImageRepository,
} from './credential-pool.ts';
export { mergeScopes, parseScope, pullScope, pushScope, scopeKey, scopesCover } from './scope.ts';
export type { Scope } from './scope.ts';
export { createAuthenticator } from './authenticator.ts';
export type { Authenticator, AuthenticatorOptions, ChallengeDecision } from './authenticator.ts';
