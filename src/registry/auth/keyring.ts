// The credentials to try for an image, in order, from tiers of pull-secret documents, as the kubelet
// orders them: within a tier (e.g. a pod's pull Secrets) every matching entry of every document, the
// most specific key first (registry-pattern.ts) and document order among equal keys; the tiers one
// after the other (e.g. the pod's Secrets, then its service account's, then a fallback Secret); then
// anonymous, which the kubelet does not try after failed credentials but lifeboat's spec does.
// The same credentials reached twice are tried once, at their first place.
import { ANONYMOUS, type Credentials } from './credentials.ts';
import type { DockerConfigDocument } from './pull-secret.ts';
import { compareRegistryKeys } from './registry-pattern.ts';

export interface KeyringMatch {
  /** The document's source (`Secret ns/name`), or `anonymous`. */
  readonly source: string;
  /** The normalised key that matched; undefined for anonymous. */
  readonly key: string | undefined;
  readonly fingerprint: string;
  readonly credentials: Credentials;
}

export const ANONYMOUS_MATCH: KeyringMatch = Object.freeze({
  source: 'anonymous',
  key: undefined,
  fingerprint: 'anonymous',
  credentials: ANONYMOUS,
});

function tierMatches(tier: readonly DockerConfigDocument[], host: string, path: string): KeyringMatch[] {
  const matches = tier.flatMap((doc) => doc.matches(host, path).map((m) => ({ ...m, source: doc.source })));
  // Array#sort is stable: equal keys keep the order of the documents.
  return matches.sort((a, b) => compareRegistryKeys(a.key, b.key));
}

/** Every credential to try for the repository `path` on `host`, best first, anonymous last. */
export function lookupCredentials(
  tiers: readonly (readonly DockerConfigDocument[])[],
  host: string,
  path: string,
): KeyringMatch[] {
  const seen = new Set<string>();
  const ordered: KeyringMatch[] = [];
  for (const match of [...tiers.flatMap((tier) => tierMatches(tier, host, path)), ANONYMOUS_MATCH]) {
    if (seen.has(match.fingerprint)) continue;
    seen.add(match.fingerprint);
    ordered.push(match);
  }
  return ordered;
}
