// Where a copy reads and writes, from image references: the rules `lifeboat copy` applies to its SRC
// and DST, in one place for every caller of the copy engine.
import type { ImageReference } from '../reference/index.ts';
import type { ImageLocation } from './copy/index.ts';
import type { RegistryClient } from './model/types.ts';

/** The image by digest when it has one (a tag is then only a label), else by tag (latest by default). */
export function imageLocation(client: RegistryClient, ref: ImageReference): ImageLocation {
  return { client, repository: ref.path, reference: ref.digest ?? ref.tag ?? 'latest' };
}

/** The target's tag or digest; without either, the source's tag (or digest when it has no tag). */
export function copyTargetReference(source: ImageReference, target: ImageReference): string {
  return target.digest ?? target.tag ?? source.tag ?? source.digest ?? 'latest';
}
