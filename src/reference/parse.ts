// Parse and ParseNamed from distribution/reference: the grammar alone, with no Docker defaults. A
// domain-shaped first component is taken as the domain (`foo/foo_bar.com:8080` → domain `foo`), and
// a single component is a path (`test.com:5000` is repository `test.com` with tag `5000`).
import { parseDigest } from './digest.ts';
import { InvalidReferenceError } from './errors.ts';
import { ImageReference } from './image-reference.ts';
import { anchoredNameRegexp, REPOSITORY_PATH_MAX_LENGTH, referenceRegexp } from './grammar.ts';

/**
 * Parses `input` as written, keeping both tag and digest. Throws `InvalidReferenceError`:
 * REFERENCE_NAME_EMPTY for '', REFERENCE_NAME_CONTAINS_UPPERCASE when only lower-casing would make
 * it valid, REFERENCE_INVALID_FORMAT otherwise, REFERENCE_NAME_TOO_LONG past 255 path characters,
 * and the digest codes of `parseDigest`.
 */
export function parse(input: string): ImageReference {
  if (input === '') throw new InvalidReferenceError('REFERENCE_NAME_EMPTY', input);
  const match = referenceRegexp.exec(input);
  if (match === null) {
    const lower = input.toLowerCase();
    if (lower !== input && referenceRegexp.test(lower)) {
      throw new InvalidReferenceError('REFERENCE_NAME_CONTAINS_UPPERCASE', input);
    }
    throw new InvalidReferenceError('REFERENCE_INVALID_FORMAT', input);
  }
  const name = match[1] ?? '';
  const nameMatch = anchoredNameRegexp.exec(name);
  const domain = nameMatch?.[1] ?? '';
  const path = nameMatch?.[2] ?? name;
  if (path.length > REPOSITORY_PATH_MAX_LENGTH) {
    throw new InvalidReferenceError('REFERENCE_NAME_TOO_LONG', input);
  }
  const digest = match[3];
  if (digest !== undefined) parseDigest(digest, input);
  return new ImageReference({ domain, path, tag: match[2], digest });
}
