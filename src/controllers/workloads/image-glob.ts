// `--exclude-images` globs. The syntax is deliberately tiny, so an operator can predict a match:
//   `*`   any run of characters within one path segment (never a `/`): `quay.io/team/*`
//   `**`  any run of characters across segments: `docker.io/**`; `**/` also matches no segment, so
//         `**/nginx:*` matches `nginx:1.25`
//   every other character stands for itself (`.`, `?`, `[` included), compared case-sensitively.
// A glob must match a whole candidate string. The candidates of an image are its normalised
// reference (`docker.io/library/nginx:1.25`), its familiar form (`nginx:1.25`) and the same two
// without tag and digest (`docker.io/library/nginx`, `nginx`), so a glob naming only a repository
// excludes every tag of it. No `:latest` is implied: `nginx` as written is not matched by `nginx:*`.
import { familiarName, familiarString } from '../../reference/index.ts';
import type { ImageReference } from '../../reference/index.ts';

const SPECIAL = /[\\^$.*+?()[\]{}|/-]/g;

function escapeLiteral(text: string): string {
  return text.replace(SPECIAL, '\\$&');
}

/** The anchored RegExp of one glob (see the syntax above). */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length;) {
    if (glob.startsWith('**/', i)) {
      source += '(?:.*/)?';
      i += 3;
    } else if (glob.startsWith('**', i)) {
      source += '.*';
      i += 2;
    } else if (glob[i] === '*') {
      source += '[^/]*';
      i += 1;
    } else {
      const next = glob.slice(i).search(/\*/);
      const literal = next === -1 ? glob.slice(i) : glob.slice(i, i + next);
      source += escapeLiteral(literal);
      i += literal.length;
    }
  }
  return new RegExp(`^${source}$`);
}

/** The strings a glob is matched against, for a reference from `parseNormalizedNamed`. */
export function globCandidates(ref: ImageReference): string[] {
  return [ref.string(), familiarString(ref), ref.name(), familiarName(ref)];
}

/** The first of `globs` that matches the image, or undefined. */
export function matchingGlob(ref: ImageReference, globs: readonly string[]): string | undefined {
  const candidates = globCandidates(ref);
  return globs.find((glob) => {
    const regexp = globToRegExp(glob);
    return candidates.some((candidate) => regexp.test(candidate));
  });
}
