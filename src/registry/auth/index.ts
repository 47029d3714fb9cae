export { parseChallenges, selectChallenge, splitScopes } from './challenge.ts';
export type { AuthChallenge, Challenge } from './challenge.ts';
export {
  ANONYMOUS,
  CredentialsParseError,
  describeCredentials,
  parseCredentialsFlag,
  staticKeychain,
} from './credentials.ts';
export type { Credentials, Keychain } from './credentials.ts';
export { dockerConfigKeychain, loadDockerConfigKeychain, normalizeRegistryKey } from './docker-config.ts';
export { mergeScopes, parseScope, pullScope, pushScope, scopeKey, scopesCover } from './scope.ts';
export type { Scope } from './scope.ts';
export { createAuthenticator } from './authenticator.ts';
export type { Authenticator, AuthenticatorOptions, ChallengeDecision } from './authenticator.ts';
