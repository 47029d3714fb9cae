// Public surface of the copy engine.
export { copyImage, type CopyResult } from './copy-image.ts';
export type { CopyImageOptions, ImageLocation } from './options.ts';
export { createCopyScheduler, type CopyScheduler, type CopySchedulerOptions } from './scheduler.ts';
export type { CopyProgress } from './progress.ts';
export { BlobMismatchError, CopyError, ManifestMismatchError, type CopyErrorCode } from './errors.ts';
export { ANCHOR_TAG_PREFIX, anchorTag, anchoredDigest } from './anchor-tag.ts';
