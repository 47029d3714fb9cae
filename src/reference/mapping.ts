// The mapping from a source image to its copy in the backup registry, and back.
//
//   nested (default)  {backupRegistry}/{prefix}/{host}/{path}
//                     nginx:1.25 → backup.example.com/lifeboat/docker.io/library/nginx:1.25
//   flatten           {backupRegistry}/{prefix}/{host-and-path as one component}
//                     nginx:1.25 → backup.example.com/lifeboat/docker.io-library-nginx:1.25
//
// Guarantees (tested over generated names):
// - Injective: two different sources never get the same target (see repository-encoding.ts).
// - Reversible: `reverseRepository(mapRepository(s))` is `s` with its host lower-cased.
// - Valid: every target parses back, with Docker's normalisation, to the same domain and path; a
//   target that cannot fit in 255 path characters is refused, never truncated.
// Sources are compared by `canonicalSource`: the normalised repository with its host lower-cased.
import { MappingError } from './errors.ts';
import { ImageReference } from './image-reference.ts';
import { anchoredDomainRegexp, anchoredPathRegexp, REPOSITORY_PATH_MAX_LENGTH } from './grammar.ts';
import { DEFAULT_DOMAIN, LEGACY_DEFAULT_DOMAIN, parseNormalizedNamed } from './normalize.ts';
import { decodeHost, encodeHost, flattenPath, unflattenPath } from './repository-encoding.ts';

export interface MappingOptions {
  /** Host of the backup registry as written in image references: `backup.example.com:5000`. */
  readonly backupRegistry: string;
  /** Repository path prefix inside the backup registry (`lifeboat`, `team/mirror`); none by default. */
  readonly prefix?: string | undefined;
  /** Put each source in one path component below the prefix, for registries that allow one level. */
  readonly flatten?: boolean | undefined;
}

/** Validated, frozen mapping options: build with `backupMapping`. */
export interface BackupMapping {
  readonly backupRegistry: string;
  readonly prefix: string;
  readonly flatten: boolean;
}

const DEFAULT_MAPPING = { prefix: '', flatten: false } as const;

function invalidOptions(message: string): MappingError {
  return new MappingError('MAPPING_INVALID_OPTIONS', message);
}

/**
 * Validates mapping options once, so the per-image functions need not. The backup registry must be
 * a host that Docker reads as a host (it has a "." or ":" or is `localhost`), or references to it
 * would resolve to Docker Hub; `index.docker.io` is folded into `docker.io`, which then needs a
 * prefix in flatten mode (a single component there would mean `library/…`).
 */
export function backupMapping(options: MappingOptions): BackupMapping {
  const host = options.backupRegistry.toLowerCase();
  const prefix = options.prefix ?? DEFAULT_MAPPING.prefix;
  const flatten = options.flatten ?? DEFAULT_MAPPING.flatten;
  if (!anchoredDomainRegexp.test(host)) {
    throw invalidOptions(`backup registry ${JSON.stringify(options.backupRegistry)} is not a registry host`);
  }
  const backupRegistry = host === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : host;
  let probe: ImageReference;
  try {
    probe = parseNormalizedNamed(`${backupRegistry}/lifeboat/probe`);
  } catch (cause) {
    throw new MappingError('MAPPING_INVALID_OPTIONS', `backup registry ${backupRegistry} is not usable`, {
      cause,
    });
  }
  if (probe.domain !== backupRegistry) {
    throw invalidOptions(
      `backup registry ${JSON.stringify(options.backupRegistry)} would be read as a Docker Hub namespace: ` +
        'give a host with a "." or a ":port", or localhost',
    );
  }
  if (prefix !== '' && (!anchoredPathRegexp.test(prefix) || prefix.length >= REPOSITORY_PATH_MAX_LENGTH)) {
    throw invalidOptions(`prefix ${JSON.stringify(prefix)} is not a valid repository path`);
  }
  if (flatten && prefix === '' && backupRegistry === DEFAULT_DOMAIN) {
    throw invalidOptions('flatten on docker.io needs a prefix (the Docker Hub namespace)');
  }
  return Object.freeze({ backupRegistry, prefix, flatten });
}

/**
 * Splits `HOST[/PREFIX]` (the form of `--backup-registry`) into options. The prefix, when present,
 * is everything after the first "/".
 */
export function parseBackupLocation(location: string): { backupRegistry: string; prefix: string } {
  const slash = location.indexOf('/');
  if (slash === -1) return { backupRegistry: location, prefix: '' };
  return { backupRegistry: location.slice(0, slash), prefix: location.slice(slash + 1) };
}

/** Mapping options as the commands take them: the backup location in `HOST[/PREFIX]` form. */
export interface BackupLocationOptions {
  /** `HOST[/PREFIX]` (`--backup-registry`). */
  readonly backupRegistry: string;
  /** The prefix given on its own (`--prefix`); refused when the location has one too. */
  readonly prefix?: string | undefined;
  readonly flatten?: boolean | undefined;
}

/** The validated mapping of a `HOST[/PREFIX]` location (see `backupMapping`). */
export function mappingFromLocation(options: BackupLocationOptions): BackupMapping {
  const location = parseBackupLocation(options.backupRegistry);
  if (location.prefix !== '' && options.prefix !== undefined) {
    throw invalidOptions(
      `the prefix is given twice: in the backup registry (${location.prefix}) and on its own (${options.prefix})`,
    );
  }
  return backupMapping({
    backupRegistry: location.backupRegistry,
    prefix: options.prefix ?? location.prefix,
    flatten: options.flatten,
  });
}

/**
 * The identity of a source repository for mapping and claims: the repository of a normalised
 * reference (tag and digest dropped) with its host lower-cased. Refuses references that are not
 * normalised (from `parse` rather than `parseNormalizedNamed`), and hosts that are hosts only
 * because of their uppercase letters (`Foo/bar`): lower-cased they would name a Docker Hub path.
 */
export function canonicalSource(ref: ImageReference): ImageReference {
  const domain = ref.domain.toLowerCase();
  let normalized: ImageReference | undefined;
  try {
    normalized = parseNormalizedNamed(`${domain}/${ref.path}`);
  } catch {
    normalized = undefined;
  }
  if (ref.domain === '' || normalized?.domain !== domain || normalized.path !== ref.path) {
    throw new MappingError(
      'MAPPING_INVALID_SOURCE',
      `cannot map ${ref.name()}: not a normalised repository with a case-insensitive registry host`,
      { source: ref.name() },
    );
  }
  return new ImageReference({ domain, path: ref.path });
}

/** The backup repository for `source` (tag and digest are ignored). */
export function mapRepository(source: ImageReference, mapping: BackupMapping): ImageReference {
  const canonical = canonicalSource(source);
  const host = encodeHost(canonical.domain);
  const below = mapping.flatten ? flattenPath(`${host}/${canonical.path}`) : `${host}/${canonical.path}`;
  const path = mapping.prefix === '' ? below : `${mapping.prefix}/${below}`;
  const target = `${mapping.backupRegistry}/${path}`;
  if (path.length > REPOSITORY_PATH_MAX_LENGTH) {
    throw new MappingError(
      'MAPPING_NAME_TOO_LONG',
      `cannot map ${canonical.name()}: the backup repository path would be ${path.length} characters, ` +
        `over the limit of ${REPOSITORY_PATH_MAX_LENGTH}`,
      { source: canonical.name(), target },
    );
  }
  let reparsed: ImageReference | undefined;
  try {
    reparsed = parseNormalizedNamed(target);
  } catch {
    reparsed = undefined;
  }
  if (reparsed?.domain !== mapping.backupRegistry || reparsed.path !== path) {
    throw new MappingError('MAPPING_INVALID_TARGET', `cannot map ${canonical.name()} to ${target}`, {
      source: canonical.name(),
      target,
    });
  }
  return new ImageReference({ domain: mapping.backupRegistry, path });
}

export interface RewriteOptions {
  /** Pin the rewritten image by digest (`{mapped}:{tag}@{digest}`). Default true. */
  readonly pinDigest?: boolean | undefined;
  /** The digest that was copied, when the source names only a tag. */
  readonly digest?: string | undefined;
}

/**
 * The image a workload runs after the rewrite. The tag stays for people (`latest` when the source
 * had neither tag nor digest, as Docker pulls it); with `pinDigest` the copied digest is added. A
 * digest the source itself pins is always kept, even with `pinDigest: false`: the rewrite never
 * loosens what the workload asked for. Throws MAPPING_DIGEST_REQUIRED when pinning with no digest
 * known, MAPPING_DIGEST_MISMATCH when the copied digest is not the one the source pins.
 */
export function rewriteReference(
  source: ImageReference,
  mapping: BackupMapping,
  options: RewriteOptions = {},
): ImageReference {
  const pinDigest = options.pinDigest ?? true;
  const repository = mapRepository(source, mapping);
  if (source.digest !== undefined && options.digest !== undefined && source.digest !== options.digest) {
    throw new MappingError(
      'MAPPING_DIGEST_MISMATCH',
      `copied ${options.digest} but ${source.string()} pins ${source.digest}`,
      { source: source.string(), target: repository.name(), digest: options.digest },
    );
  }
  const digest = source.digest ?? (pinDigest ? options.digest : undefined);
  if (pinDigest && digest === undefined) {
    throw new MappingError('MAPPING_DIGEST_REQUIRED', `no digest known to pin ${source.string()}`, {
      source: source.string(),
      target: repository.name(),
    });
  }
  const tag = source.tag ?? (source.digest === undefined ? 'latest' : undefined);
  return new ImageReference({ ...repository, tag, digest });
}

/**
 * True when `ref` (normalised) lies in the backup area: on the backup registry and under the prefix
 * (anywhere on the registry when there is no prefix). Such images are never copied again.
 */
export function isBackupImage(ref: ImageReference, mapping: BackupMapping): boolean {
  const domain = ref.domain.toLowerCase();
  if (domain !== mapping.backupRegistry) return false;
  return mapping.prefix === '' || ref.path.startsWith(`${mapping.prefix}/`);
}

/**
 * The source repository a backup repository was mapped from (tag and digest are ignored). Throws
 * MAPPING_NOT_BACKUP outside the backup area, MAPPING_NOT_REVERSIBLE for a repository there that no
 * source maps to. The result is the canonical source: its host is lower-case.
 */
export function reverseRepository(target: ImageReference, mapping: BackupMapping): ImageReference {
  if (!isBackupImage(target, mapping)) {
    throw new MappingError('MAPPING_NOT_BACKUP', `${target.name()} is not in the backup area`, {
      target: target.name(),
    });
  }
  const below = mapping.prefix === '' ? target.path : target.path.slice(mapping.prefix.length + 1);
  const sourceName = mapping.flatten ? unflattenPath(below) : below;
  const slash = sourceName.indexOf('/');
  const domain = slash === -1 ? undefined : decodeHost(sourceName.slice(0, slash));
  const notReversible = (cause?: unknown): MappingError =>
    new MappingError('MAPPING_NOT_REVERSIBLE', `${target.name()} was not produced by this mapping`, {
      target: target.name(),
      cause,
    });
  if (domain === undefined || (mapping.flatten && below.includes('/'))) throw notReversible();
  const candidate = new ImageReference({ domain, path: sourceName.slice(slash + 1) });
  if (!anchoredDomainRegexp.test(candidate.domain) || !anchoredPathRegexp.test(candidate.path)) {
    throw notReversible();
  }
  let remapped: ImageReference;
  try {
    remapped = mapRepository(candidate, mapping);
  } catch (cause) {
    throw notReversible(cause);
  }
  if (remapped.name() !== `${target.domain.toLowerCase()}/${target.path}`) throw notReversible();
  return candidate;
}
