// Typed errors of the copy engine. Registry failures stay `RegistryError`s (from the client) and are
// wrapped, with `{ cause }`, in a `CopyError` that says which copy failed.
import { LifeboatError } from '../../common/errors.ts';

/** The bytes read for a blob are not the blob the manifest names. Nothing is stored under its digest. */
export class BlobMismatchError extends LifeboatError {
  override readonly name = 'BlobMismatchError';
  readonly code: 'BLOB_DIGEST_MISMATCH' | 'BLOB_SIZE_MISMATCH';
  readonly registry: string;
  readonly repository: string;
  /** The digest the manifest names. */
  readonly digest: string;
  readonly expected: string;
  readonly actual: string;
  /** A short body (a dropped connection) may read fine next time; wrong content will not. */
  readonly temporary: boolean;
  constructor(fields: {
    readonly kind: 'digest' | 'size';
    readonly registry: string;
    readonly repository: string;
    readonly digest: string;
    readonly expected: string;
    readonly actual: string;
  }) {
    const what = fields.kind === 'digest' ? 'digest' : 'size';
    super(
      `blob ${fields.digest} from ${fields.registry}/${fields.repository}: expected ${what} ${fields.expected}, got ${fields.actual}`,
    );
    this.code = fields.kind === 'digest' ? 'BLOB_DIGEST_MISMATCH' : 'BLOB_SIZE_MISMATCH';
    this.registry = fields.registry;
    this.repository = fields.repository;
    this.digest = fields.digest;
    this.expected = fields.expected;
    this.actual = fields.actual;
    this.temporary = fields.kind === 'size';
  }
}

/** A child manifest whose bytes differ from the descriptor that named it (size or digest). */
export class ManifestMismatchError extends LifeboatError {
  override readonly name = 'ManifestMismatchError';
  readonly code = 'MANIFEST_MISMATCH';
  readonly registry: string;
  readonly repository: string;
  readonly digest: string;
  readonly expected: string;
  readonly actual: string;
  readonly temporary = false;
  constructor(fields: {
    readonly what: string;
    readonly registry: string;
    readonly repository: string;
    readonly digest: string;
    readonly expected: string;
    readonly actual: string;
  }) {
    super(
      `${fields.what} of manifest ${fields.registry}/${fields.repository}@${fields.digest}: expected ${fields.expected}, got ${fields.actual}`,
    );
    this.registry = fields.registry;
    this.repository = fields.repository;
    this.digest = fields.digest;
    this.expected = fields.expected;
    this.actual = fields.actual;
  }
}

export type CopyErrorCode = 'COPY_FAILED' | 'COPY_NOT_FOUND' | 'COPY_INVALID_ARGUMENT' | 'COPY_TARGET_DIGEST';

/** What went wrong in one copy, naming source and target; the underlying error is the `cause`. */
export class CopyError extends LifeboatError {
  override readonly name = 'CopyError';
  readonly code: CopyErrorCode;
  readonly source: string;
  readonly target: string;
  readonly digest: string | undefined;
  readonly temporary: boolean;
  constructor(
    message: string,
    fields: {
      readonly code?: CopyErrorCode;
      readonly source: string;
      readonly target: string;
      readonly digest?: string | undefined;
      readonly temporary?: boolean;
      readonly cause?: unknown;
    },
  ) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.code = fields.code ?? 'COPY_FAILED';
    this.source = fields.source;
    this.target = fields.target;
    this.digest = fields.digest;
    this.temporary = fields.temporary ?? temporaryOf(fields.cause);
  }
}

/** A cause's own `temporary` flag when it has one; unknown errors count as not temporary. */
export function temporaryOf(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { temporary?: unknown }).temporary === true;
}
