import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { CRD_FILE, imageBackupCrd, imageBackupCrdFile } from './crd.ts';
import { toStructuralSchema, UnsupportedSchemaError, type JsonSchema } from './structural-schema.ts';

interface CrdVersion {
  additionalPrinterColumns: { name: string; jsonPath: string; type: string; priority?: number }[];
  schema: { openAPIV3Schema: JsonSchema };
}

const version = (): CrdVersion =>
  (imageBackupCrd() as unknown as { spec: { versions: [CrdVersion] } }).spec.versions[0];

describe('the ImageBackup CRD', () => {
  it('deploy/crd/imagebackups.lifeboat.dev.json is what the zod definition generates', () => {
    const committed = readFileSync(CRD_FILE, 'utf8');
    assert.ok(committed === imageBackupCrdFile(), `${CRD_FILE} is stale: run \`npm run crd\` and commit it`);
  });

  it('prints columns whose paths are fields of its schema', () => {
    const { additionalPrinterColumns, schema } = version();
    assert.deepEqual(
      additionalPrinterColumns.map((c) => c.name),
      ['Source', 'Phase', 'Ready', 'Progress', 'Size', 'Age', 'Target'],
    );
    for (const { jsonPath } of additionalPrinterColumns) {
      if (jsonPath === '.metadata.creationTimestamp') continue;
      // `.status.conditions[?(@.type=="Ready")].status`: the list's items' field.
      const field = jsonPath
        .replace(/\[\?\(@\.type=="\w+"\)\]/, '.items')
        .slice(1)
        .split('.')
        .reduce<JsonSchema | undefined>(
          (s, name) =>
            name === 'items'
              ? (s?.['items'] as JsonSchema | undefined)
              : (s?.['properties'] as Record<string, JsonSchema> | undefined)?.[name],
          schema.openAPIV3Schema,
        );
      assert.ok(field, `${jsonPath} is in the schema`);
    }
  });

  it('reads as `kubectl get ib`, sizes for people, the target under -o wide only', () => {
    const crd = imageBackupCrd() as unknown as { spec: { names: { shortNames: string[] } } };
    assert.deepEqual(crd.spec.names.shortNames, ['ib']);
    const columns = new Map(version().additionalPrinterColumns.map((c) => [c.name, c]));
    assert.deepEqual(
      { ...columns.get('Size') },
      {
        name: 'Size',
        type: 'string',
        jsonPath: '.status.size',
        description: 'Size of the image (binary units)',
      },
    );
    assert.equal(columns.get('Target')?.jsonPath, '.spec.target');
    assert.equal(columns.get('Target')?.priority, 1, 'Target only under -o wide');
    const shown = [...columns.values()].filter((c) => (c.priority ?? 0) === 0).map((c) => c.name);
    assert.ok(!shown.includes('Target'));
  });

  it('declares counters as int64 and times as date-time without an ECMAScript pattern', () => {
    const status = (version().schema.openAPIV3Schema['properties'] as Record<string, JsonSchema>)['status'];
    const fields = status?.['properties'] as Record<string, JsonSchema>;
    assert.deepEqual(fields['bytesTotal'], {
      type: 'integer',
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      format: 'int64',
    });
    assert.deepEqual(fields['startedAt'], { type: 'string', format: 'date-time' });
  });
});

describe('toStructuralSchema', () => {
  const convert = (schema: z.ZodType) =>
    toStructuralSchema(z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }));

  it('drops $schema and keeps what a structural schema may say', () => {
    assert.deepEqual(convert(z.object({ n: z.int().min(1), s: z.string().max(3).optional() })), {
      type: 'object',
      properties: {
        n: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, format: 'int64' },
        s: { type: 'string', maxLength: 3 },
      },
      required: ['n'],
    });
  });

  for (const [what, schema, keyword] of [
    ['a union', z.object({ u: z.union([z.string(), z.int()]) }), 'anyOf'],
    ['a record', z.object({ r: z.record(z.string(), z.string()) }), 'additionalProperties'],
    ['a nullable field', z.object({ n: z.string().nullable() }), 'nullable'],
  ] as const) {
    it(`refuses ${what} (${keyword}) instead of dropping it`, () => {
      assert.throws(
        () => convert(schema),
        (err: unknown) =>
          err instanceof UnsupportedSchemaError &&
          err.keyword === keyword &&
          err.path === '.' + Object.keys(schema.shape)[0],
      );
    });
  }
});
