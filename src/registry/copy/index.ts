// Public surface of the copy engine.
export { copyImage, type CopyImageOptions, type CopyResult, type ImageLocation } from './copy-image.ts';
export { createCopyScheduler, type CopyScheduler, type CopySchedulerOptions } from './scheduler.ts';
export type { CopyProgress } from './progress.ts';
export { BlobMismatchError, CopyError, ManifestMismatchError, type CopyErrorCode } from './errors.ts';
