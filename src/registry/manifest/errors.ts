// Typed errors for manifest content. Each has a stable `code`; none is temporary, since the same bytes
// fail the same way on every attempt.
import { LifeboatError } from '../../common/errors.ts';

export type ManifestErrorCode =
  | 'MANIFEST_UNSUPPORTED'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_MEDIA_TYPE_MISMATCH'
  | 'PLATFORM_INVALID'
  | 'PLATFORM_NOT_FOUND'
  | 'DIGEST_INVALID';

export abstract class ManifestError extends LifeboatError {
  abstract override readonly code: ManifestErrorCode;
  readonly temporary = false;
}

/** Schema 1 or a media type that is not a manifest or index this engine copies. */
export class UnsupportedManifestError extends ManifestError {
  override readonly name = 'UnsupportedManifestError';
  readonly code = 'MANIFEST_UNSUPPORTED';
  readonly mediaType: string;
  constructor(mediaType: string, reason?: string) {
    super(`unsupported manifest media type ${JSON.stringify(mediaType)}${reason ? ` (${reason})` : ''}`);
    this.mediaType = mediaType;
  }
}

export class InvalidManifestError extends ManifestError {
  override readonly name = 'InvalidManifestError';
  readonly code = 'MANIFEST_INVALID';
  readonly mediaType: string | undefined;
  constructor(message: string, mediaType?: string, options?: ErrorOptions) {
    super(message, options);
    this.mediaType = mediaType;
  }
}

/** The body says it is one type and the response's Content-Type says another: trust neither. */
export class MediaTypeMismatchError extends ManifestError {
  override readonly name = 'MediaTypeMismatchError';
  readonly code = 'MANIFEST_MEDIA_TYPE_MISMATCH';
  readonly declared: string;
  readonly body: string;
  constructor(declared: string, body: string) {
    super(
      `manifest Content-Type ${JSON.stringify(declared)} disagrees with its body's mediaType ${JSON.stringify(body)}`,
    );
    this.declared = declared;
    this.body = body;
  }
}

export class InvalidPlatformError extends ManifestError {
  override readonly name = 'InvalidPlatformError';
  readonly code = 'PLATFORM_INVALID';
  readonly platform: string;
  constructor(platform: string) {
    super(`invalid platform ${JSON.stringify(platform)}: expected os/arch[/variant], e.g. linux/arm64/v8`);
    this.platform = platform;
  }
}

/** A platform filter that keeps nothing: copying an empty index would back up nothing useful. */
export class PlatformNotFoundError extends ManifestError {
  override readonly name = 'PlatformNotFoundError';
  readonly code = 'PLATFORM_NOT_FOUND';
  readonly requested: readonly string[];
  readonly available: readonly string[];
  constructor(requested: readonly string[], available: readonly string[]) {
    super(
      `no manifest for platform(s) ${requested.join(', ')}; the index has ${available.join(', ') || 'none'}`,
    );
    this.requested = requested;
    this.available = available;
  }
}

export class InvalidDigestError extends ManifestError {
  override readonly name = 'InvalidDigestError';
  readonly code = 'DIGEST_INVALID';
  readonly digest: string;
  constructor(digest: string, reason: string) {
    super(`invalid digest ${JSON.stringify(digest)}: ${reason}`);
    this.digest = digest;
  }
}
