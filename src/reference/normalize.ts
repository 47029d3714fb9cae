// Docker's normalisation (distribution/reference normalize.go): familiar names such as `nginx` become
// fully qualified (`docker.io/library/nginx`), and back. Kubernetes and containerd resolve the image
// of a Pod this way, so the controller must read workload images with these functions.
import { InvalidReferenceError } from './errors.ts';
import { ImageReference } from './image-reference.ts';
import { anchoredIdentifierRegexp } from './grammar.ts';
import { parse } from './parse.ts';

/** Docker Hub as written in references. */
export const DEFAULT_DOMAIN = 'docker.io';
/** Docker Hub's legacy name, folded into `docker.io`. */
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
/** The host that actually serves Docker Hub's registry API. */
export const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
/** Namespace of Docker Hub's official images. */
export const OFFICIAL_REPO_PREFIX = 'library/';
/** Tag Docker assumes when a reference has neither tag nor digest. */
export const DEFAULT_TAG = 'latest';

const LOCALHOST = 'localhost';

/**
 * Splits a familiar name into domain and remainder (splitDockerDomain). The first component is a
 * domain when it is `localhost`, contains `.` or `:`, or holds uppercase (paths cannot); otherwise
 * Docker Hub is assumed. A name without `/` is always a Docker Hub official image: `localhost:5000`
 * alone is repository `library/localhost` with tag `5000`, as in Docker.
 */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash === -1) return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + name };
  const maybeDomain = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (maybeDomain === LOCALHOST) {
    [domain, remainder] = [maybeDomain, rest];
  } else if (maybeDomain === LEGACY_DEFAULT_DOMAIN) {
    [domain, remainder] = [DEFAULT_DOMAIN, rest];
  } else if (maybeDomain.includes('.') || maybeDomain.includes(':')) {
    [domain, remainder] = [maybeDomain, rest];
  } else if (maybeDomain.toLowerCase() !== maybeDomain) {
    [domain, remainder] = [maybeDomain, rest];
  } else {
    [domain, remainder] = [DEFAULT_DOMAIN, name];
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Parses a reference as Docker and Kubernetes read it (ParseNormalizedNamed): adds `docker.io` and
 * `library/` where Docker would, folds `index.docker.io`, keeps tag and digest as written. Refuses a
 * bare 64-hex string (REFERENCE_NAME_IS_IDENTIFIER) and an uppercase repository
 * (REFERENCE_NAME_CONTAINS_UPPERCASE), then fails as `parse` does.
 */
export function parseNormalizedNamed(input: string): ImageReference {
  if (anchoredIdentifierRegexp.test(input)) {
    throw new InvalidReferenceError(
      'REFERENCE_NAME_IS_IDENTIFIER',
      input,
      `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`,
    );
  }
  const { domain, remainder } = splitDockerDomain(input);
  const colon = remainder.indexOf(':');
  const remote = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    throw new InvalidReferenceError(
      'REFERENCE_NAME_CONTAINS_UPPERCASE',
      input,
      `invalid reference format: repository name (${remote}) must be lowercase`,
    );
  }
  try {
    return parse(`${domain}/${remainder}`);
  } catch (error) {
    // Report the string the caller gave, not the qualified one built here.
    if (error instanceof InvalidReferenceError) {
      throw new InvalidReferenceError(error.code, input, error.message);
    }
    throw error;
  }
}

/**
 * Parses a reference that must already be in canonical form (ParseNamed): it must equal its own
 * normalisation, so `docker.io/library/foo` passes and `foo` or `docker.io/foo` fail with
 * REFERENCE_NAME_NOT_CANONICAL.
 */
export function parseNamed(input: string): ImageReference {
  const ref = parseNormalizedNamed(input);
  if (ref.string() !== input) throw new InvalidReferenceError('REFERENCE_NAME_NOT_CANONICAL', input);
  return ref;
}

/**
 * Parses a reference into the form Docker pulls (ParseDockerRef): normalised, with `:latest` added
 * when there is neither tag nor digest, and the tag dropped when a digest is present (the digest is
 * what gets pulled).
 */
export function parseDockerRef(input: string): ImageReference {
  const ref = parseNormalizedNamed(input);
  if (ref.digest !== undefined) {
    return ref.tag === undefined ? ref : new ImageReference({ ...ref, tag: undefined });
  }
  return ref.tag === undefined ? new ImageReference({ ...ref, tag: DEFAULT_TAG }) : ref;
}

/**
 * The short form shown by Docker: `docker.io/` removed, and `library/` too when nothing nests below
 * it (`docker.io/library/foo/bar` keeps `library/`). Tag and digest are kept.
 */
export function familiarize(ref: ImageReference): ImageReference {
  if (ref.domain !== DEFAULT_DOMAIN) return ref;
  let path = ref.path;
  if (path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) path = rest;
  }
  return new ImageReference({ ...ref, domain: '', path });
}

/** Familiar repository name: `nginx`, `bitnami/redis`, `quay.io/x/y` (FamiliarName). */
export function familiarName(ref: ImageReference): string {
  return familiarize(ref).name();
}

/** Familiar reference with tag and digest: `nginx:1.25` (FamiliarString). */
export function familiarString(ref: ImageReference): string {
  return familiarize(ref).string();
}

/**
 * The host to send registry API requests to for a reference's domain: Docker Hub is named
 * `docker.io` in references but served from `registry-1.docker.io`; every other domain is itself.
 */
export function apiHost(domain: string): string {
  return domain === DEFAULT_DOMAIN || domain === LEGACY_DEFAULT_DOMAIN ? DOCKER_HUB_API_HOST : domain;
}
