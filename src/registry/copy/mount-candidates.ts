// Where to try a cross-repository mount from, decided per blob while the copy runs: a pure function
// of what the caller named and what this process has already placed.

/** Mount attempts per blob: each refusal costs a round trip (and an upload session to cancel). */
export const MAX_MOUNT_ATTEMPTS = 3;

/**
 * Repositories to try a cross-repository mount from, in order: those the caller named, those this
 * process already put the blob in, then the source repository when source and target are the same
 * registry. Never the target repository itself.
 */
export function mountCandidates(input: {
  readonly targetRepository: string;
  readonly given: Iterable<string>;
  readonly known: Iterable<string>;
  readonly sameRegistrySource: string | undefined;
}): string[] {
  const out: string[] = [];
  const add = (repository: string): void => {
    if (repository !== input.targetRepository && repository !== '' && !out.includes(repository))
      out.push(repository);
  };
  for (const r of input.given) add(r);
  for (const r of input.known) add(r);
  if (input.sameRegistrySource !== undefined) add(input.sameRegistrySource);
  return out.slice(0, MAX_MOUNT_ATTEMPTS);
}
