/**
 * Kubernetes label selectors in their string form (`kubectl -l`, `--namespace-selector`), parsed and
 * matched as k8s.io/apimachinery's `labels.Parse` does for the set-based grammar:
 *
 *   selector    := '' | requirement (',' requirement)*
 *   requirement := KEY                        exists
 *                | '!' KEY                    does not exist
 *                | KEY ('=' | '==') VALUE     equals (the key must exist)
 *                | KEY '!=' VALUE             differs (true when the key is absent)
 *                | KEY 'in' '(' VALUES ')'    one of (the key must exist)
 *                | KEY 'notin' '(' VALUES ')' none of (true when the key is absent)
 *
 * Blanks between tokens are ignored. KEY is a qualified name (`[prefix/]name`: the prefix a DNS
 * subdomain, the name ≤ 63 alphanumerics, `-`, `_`, `.`), VALUE empty or such a name; an `in` or
 * `notin` set is never empty. Every requirement must hold (AND); the empty selector selects
 * everything. The numeric `>`/`<` of the Go parser are not supported (refused by name). Anything
 * else is refused with `LabelSelectorError`, naming the position: a bad selector given at start-up
 * stops the process (SPEC §2) instead of silently selecting nothing, or everything.
 */
import { LifeboatError } from '../common/errors.ts';

/** A malformed selector: `message` says where and what was expected. Never temporary. */
export class LabelSelectorError extends LifeboatError {
  readonly code = 'LABEL_SELECTOR_INVALID';
  readonly temporary = false;
}

export type LabelRequirement =
  | { readonly key: string; readonly operator: 'exists' | 'notExists' }
  | { readonly key: string; readonly operator: 'in' | 'notIn'; readonly values: readonly string[] };

/** Parsed; `requirements` empty means "everything". */
export interface LabelSelector {
  readonly requirements: readonly LabelRequirement[];
}

/** Selects every object. */
export const EVERYTHING: LabelSelector = Object.freeze({ requirements: Object.freeze([]) });

/** Whether `labels` satisfy every requirement of `selector`. */
export function matchesLabels(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return selector.requirements.every((r) => {
    const value = labels !== undefined && Object.hasOwn(labels, r.key) ? labels[r.key] : undefined;
    switch (r.operator) {
      case 'exists':
        return value !== undefined;
      case 'notExists':
        return value === undefined;
      case 'in':
        return value !== undefined && r.values.includes(value);
      case 'notIn':
        return value === undefined || !r.values.includes(value);
    }
  });
}

/** A LabelSelector requirement as the Kubernetes API spells it (`matchExpressions`). */
export interface LabelSelectorRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values?: readonly string[];
}

/**
 * `selector` as API `matchExpressions` (a webhook's namespaceSelector): the same set, since the API's
 * In needs the key and NotIn holds without it, as here.
 */
export function matchExpressions(selector: LabelSelector): LabelSelectorRequirement[] {
  return selector.requirements.map((r) => {
    switch (r.operator) {
      case 'exists':
        return { key: r.key, operator: 'Exists' };
      case 'notExists':
        return { key: r.key, operator: 'DoesNotExist' };
      case 'in':
        return { key: r.key, operator: 'In', values: [...r.values] };
      case 'notIn':
        return { key: r.key, operator: 'NotIn', values: [...r.values] };
    }
  });
}

/** The canonical text of `selector` (what `kubectl` would accept back), for logs and messages. */
export function formatLabelSelector(selector: LabelSelector): string {
  return selector.requirements
    .map((r) => {
      switch (r.operator) {
        case 'exists':
          return r.key;
        case 'notExists':
          return `!${r.key}`;
        case 'in':
          return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${r.values.join(',')})`;
        case 'notIn':
          return r.values.length === 1
            ? `${r.key}!=${r.values[0]}`
            : `${r.key} notin (${r.values.join(',')})`;
      }
    })
    .join(',');
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** One token: a run of anything but blanks and the operator characters, or an operator. */
const TOKEN = /\s*(!=|==|=|!|,|\(|\)|[<>]|[^\s!=,()<>]+)/y;

type Token = { readonly text: string; readonly at: number };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  for (;;) {
    const start = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (m === null) {
      // Every non-blank character starts a token: only blanks can be left.
      if (text.slice(start).trim() !== '')
        throw new LabelSelectorError(`invalid label selector ${JSON.stringify(text)} at offset ${start}`);
      return tokens;
    }
    tokens.push({ text: m[1]!, at: m.index + m[0].length - m[1]!.length });
  }
}

const isOperator = (t: string): boolean => ['!=', '==', '=', '!', ',', '(', ')', '<', '>'].includes(t);

/** Parses the string form; throws `LabelSelectorError`. Blank text selects everything. */
export function parseLabelSelector(text: string): LabelSelector {
  const tokens = tokenize(text);
  let i = 0;
  const fail = (what: string, token = tokens[i]): never => {
    const where =
      token === undefined ? 'at the end' : `at ${JSON.stringify(token.text)} (offset ${token.at})`;
    throw new LabelSelectorError(`invalid label selector ${JSON.stringify(text)}: ${what} ${where}`);
  };
  const peek = (): string | undefined => tokens[i]?.text;
  const next = (): Token | undefined => tokens[i++];

  const key = (): string => {
    const t = tokens[i];
    if (t === undefined || isOperator(t.text)) return fail('expected a label key');
    checkKey(t, fail);
    i++;
    return t.text;
  };
  /** A value: a name, or empty when the next token ends it. */
  const value = (ends: readonly string[]): string => {
    const t = tokens[i];
    if (t === undefined || ends.includes(t.text)) return '';
    if (isOperator(t.text)) return fail('expected a label value');
    if (t.text.length > 63 || !NAME.test(t.text))
      fail('a label value is at most 63 letters, digits, -, _ or . (starting and ending alphanumeric)');
    i++;
    return t.text;
  };
  const values = (): string[] => {
    if (next()?.text !== '(') fail("expected '('", tokens[i - 1]);
    const list: string[] = [];
    for (;;) {
      list.push(value([',', ')']));
      const t = next();
      if (t?.text === ')') break;
      if (t?.text !== ',') fail("expected ',' or ')'", t);
    }
    // `x in ()` reads as one empty value: the Go parser refuses an empty set.
    if (list.length === 1 && list[0] === '' && tokens[i - 2]?.text === '(')
      fail('an in/notin set needs at least one value', tokens[i - 1]);
    return [...new Set(list)];
  };

  const requirements: LabelRequirement[] = [];
  if (tokens.length === 0) return EVERYTHING;
  for (;;) {
    if (peek() === '!') {
      i++;
      requirements.push({ key: key(), operator: 'notExists' });
    } else {
      const k = key();
      const op = peek();
      if (op === undefined || op === ',') requirements.push({ key: k, operator: 'exists' });
      else if (op === '=' || op === '==') {
        i++;
        requirements.push({ key: k, operator: 'in', values: [value([','])] });
      } else if (op === '!=') {
        i++;
        requirements.push({ key: k, operator: 'notIn', values: [value([','])] });
      } else if (op === 'in' || op === 'notin') {
        i++;
        requirements.push({ key: k, operator: op === 'in' ? 'in' : 'notIn', values: values() });
      } else if (op === '<' || op === '>') fail('the numeric operators < and > are not supported');
      else fail("expected '=', '==', '!=', 'in', 'notin', ',' or the end");
    }
    if (i === tokens.length) break;
    if (next()?.text !== ',') fail("expected ',' between requirements", tokens[i - 1]);
    if (i === tokens.length) fail('expected a requirement after the comma');
  }
  return Object.freeze({ requirements: Object.freeze(requirements) });
}

/** A qualified name: `[prefix/]name`, the prefix a DNS subdomain ≤ 253, the name ≤ 63. */
function checkKey(t: Token, fail: (what: string, token: Token) => never): void {
  const slash = t.text.indexOf('/');
  const prefix = slash < 0 ? undefined : t.text.slice(0, slash);
  const name = slash < 0 ? t.text : t.text.slice(slash + 1);
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))
    fail('a label key prefix is a DNS subdomain (lower-case letters, digits, - and .)', t);
  if (name.length === 0 || name.length > 63 || !NAME.test(name))
    fail('a label key name is at most 63 letters, digits, -, _ or . (starting and ending alphanumeric)', t);
}
