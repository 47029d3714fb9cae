/**
 * Turns zod's JSON Schema (OpenAPI 3.0 target) into what the API server accepts as a CRD's
 * structural schema. What it changes, and why:
 * - integers get `format: int64` (the API server's counters are int64; kubectl prints them as such);
 * - a `date-time` string loses zod's regular expression: the API server checks the format itself,
 *   and Go's RE2 is not ECMAScript;
 * - everything else is copied only if it is in KEPT_KEYS. Any other keyword (`$ref`, `anyOf`,
 *   `additionalProperties`, `nullable`, …) throws instead of being dropped, so a change to the zod
 *   definition that the CRD could not express fails `npm run crd` and the tests, not the cluster.
 */

import { LifeboatError } from '../../common/errors.ts';

export type JsonSchema = { [key: string]: unknown };

const KEPT_KEYS = new Set([
  'type',
  'description',
  'properties',
  'required',
  'items',
  'enum',
  'format',
  'pattern',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
]);

/** Keys zod writes that carry nothing the API server needs. */
const IGNORED_KEYS = new Set(['$schema']);

/** A programming error in schema.ts: the CRD cannot say what the zod definition says. */
export class UnsupportedSchemaError extends LifeboatError {
  readonly code = 'CRD_SCHEMA_UNSUPPORTED';
  readonly temporary = false;
  /** Where in the schema: `.status.conditions[]`, `` for the root. */
  readonly path: string;
  readonly keyword: string;
  constructor(path: string, keyword: string) {
    super(`${path || '(root)'}: JSON Schema keyword ${keyword} has no place in a CRD's structural schema`);
    this.name = 'UnsupportedSchemaError';
    this.path = path;
    this.keyword = keyword;
  }
}

/** `schema` (zod's output, no `$ref`s: zod inlines what is not recursive) as a CRD may hold it. */
export function toStructuralSchema(schema: JsonSchema, path = ''): JsonSchema {
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (IGNORED_KEYS.has(key)) continue;
    if (!KEPT_KEYS.has(key)) throw new UnsupportedSchemaError(path, key);
    if (key === 'properties') {
      out[key] = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchema>).map(([name, sub]) => [
          name,
          toStructuralSchema(sub, `${path}.${name}`),
        ]),
      );
    } else if (key === 'items') {
      out[key] = toStructuralSchema(value as JsonSchema, `${path}[]`);
    } else if (key === 'pattern' && schema['format'] === 'date-time') {
      continue;
    } else {
      out[key] = value;
    }
  }
  if (out['type'] === 'integer') out['format'] = 'int64';
  return out;
}
