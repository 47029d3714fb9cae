// The client's word on a manifest's media type: manifest/'s rules decide it (the client keeps no
// copy of them), and their refusals become registry errors that name registry and repository.
import { isDigest } from '../../reference/index.ts';
import { UnsupportedMediaTypeError } from '../model/errors.ts';
import {
  MediaTypeMismatchError,
  UnsupportedManifestError,
  isSchema1,
  manifestMediaType,
} from '../manifest/index.ts';

/** The manifest a call is about. */
export interface ManifestAt {
  readonly registry: string;
  readonly repository: string;
  /** A tag or a digest. */
  readonly reference: string;
}

function refusal(
  mediaType: string,
  at: ManifestAt,
  reason: string,
  cause: unknown,
): UnsupportedMediaTypeError {
  const { registry, repository, reference } = at;
  const digest = isDigest(reference) ? reference : undefined;
  return new UnsupportedMediaTypeError({ registry, repository, digest, mediaType, reason, cause });
}

/** `mediaType` refused for `at`: schema 1 by name, anything else as no manifest a copy copies. */
export function unsupportedMediaType(
  mediaType: string,
  at: ManifestAt,
  cause?: unknown,
): UnsupportedMediaTypeError {
  const reason = isSchema1(mediaType)
    ? `Docker schema 1 manifests (${at.reference}) are not supported`
    : `${at.reference} is not an OCI or Docker v2 manifest or index`;
  return refusal(mediaType, at, reason, cause);
}

/**
 * The type of a fetched manifest, as `manifestMediaType` decides it from the body and Content-Type.
 * Throws `UnsupportedMediaTypeError` for a type a copy does not copy or a body and header that
 * disagree, and `InvalidManifestError` for bytes that are no JSON object.
 */
export function fetchedMediaType(bytes: Buffer, contentType: string | undefined, at: ManifestAt): string {
  try {
    return manifestMediaType(bytes, contentType);
  } catch (error) {
    if (error instanceof UnsupportedManifestError) throw unsupportedMediaType(error.mediaType, at, error);
    if (error instanceof MediaTypeMismatchError)
      throw refusal(error.declared, at, `the body of ${at.reference} declares ${error.body}`, error);
    throw error;
  }
}
