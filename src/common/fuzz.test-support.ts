// What the property tests of lifeboat's parsers share (issue 16 item 6): each parser, given any
// input, returns a result or throws its own typed error (a LifeboatError), never an untyped throw,
// and answers in bounded time. The fixed number of runs keeps `npm test` to a few seconds per
// parser; the time budget stops a property early on a loaded machine rather than stretch the run
// (fast-check then reports success for the runs made). A hang is not hidden by it: a parser that
// never returns holds the test, whose timeout reports it.
import fc from 'fast-check';
import { LifeboatError } from './errors.ts';

/** Runs per property: enough to reach deep into a grammar, small enough for a few seconds. */
export const FUZZ_RUNS = 2_000;
/** Per property, whatever the load: `npm test` stays fast. */
export const FUZZ_BUDGET_MS = 5_000;

/** fast-check parameters of a parser's property: fixed runs, interrupted after the budget. */
export function fuzzParameters<T>(numRuns = FUZZ_RUNS): fc.Parameters<T> {
  return { numRuns, plugins: [fc.interruptAfterTimeLimit(FUZZ_BUDGET_MS)] };
}

type ErrorClass = abstract new (...args: never[]) => LifeboatError;

/**
 * Calls `parse`; returns its result, or the error when it is one of `expected` (each a LifeboatError
 * subclass). Anything else (a TypeError, a RangeError, another class) is rethrown: the property
 * fails, and fast-check shrinks the input that caused it.
 */
export function resultOrTypedError<T>(
  parse: () => T,
  ...expected: readonly ErrorClass[]
): { ok: true; value: T } | { ok: false; error: LifeboatError } {
  try {
    return { ok: true, value: parse() };
  } catch (error) {
    if (error instanceof LifeboatError && expected.some((c) => error instanceof c)) {
      if (typeof error.code !== 'string' || error.code === '') throw error;
      return { ok: false, error };
    }
    throw error;
  }
}

/**
 * `base` with up to `edits` random edits (insert, delete or replace one character from `alphabet`):
 * inputs near the valid ones, where parsers' edge cases are.
 */
export function mutated(
  base: fc.Arbitrary<string>,
  alphabet: readonly string[],
  edits = 3,
): fc.Arbitrary<string> {
  const edit = fc.record({
    kind: fc.constantFrom('insert', 'delete', 'replace'),
    at: fc.nat(),
    char: fc.constantFrom(...alphabet),
  });
  return fc.tuple(base, fc.array(edit, { maxLength: edits })).map(([text, list]) => {
    let s = text;
    for (const e of list) {
      const i = s.length === 0 ? 0 : e.at % (s.length + 1);
      if (e.kind === 'insert') s = s.slice(0, i) + e.char + s.slice(i);
      else if (e.kind === 'delete') s = s.slice(0, i) + s.slice(i + 1);
      else s = s.slice(0, i) + e.char + s.slice(i + 1);
    }
    return s;
  });
}

/** Strings over `alphabet` (single characters or fragments), up to `maxLength` pieces. */
export function over(alphabet: readonly string[], maxLength = 60): fc.Arbitrary<string> {
  return fc.array(fc.constantFrom(...alphabet), { maxLength }).map((parts) => parts.join(''));
}
