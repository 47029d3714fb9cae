/**
 * The ImageBackup CustomResourceDefinition, generated: names from IMAGE_BACKUPS, the OpenAPI
 * schema from the zod definition in schema.ts. `npm run crd` writes it to CRD_FILE, which
 * `deploy/` applies; crd.test.ts fails when the committed file is stale.
 */
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { IMAGE_BACKUPS } from './image-backup-resource.ts';
import { imageBackupSpecSchema, imageBackupStatusSchema } from './image-backup-schema.ts';
import { toStructuralSchema, type JsonSchema } from './structural-schema.ts';

export const CRD_FILE = fileURLToPath(
  new URL('../../../deploy/crd/imagebackups.lifeboat.dev.json', import.meta.url),
);

/** `io: 'input'`: the schema of what a writer sends, which is what the API server validates. */
const openApiOf = (schema: z.ZodType): JsonSchema =>
  toStructuralSchema(z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }));

/**
 * What `kubectl get imagebackups` (or `kubectl get ib`) prints after NAME; priority 1 columns only
 * under `-o wide`. A column cannot compute: Progress and Size are strings the controller writes for
 * people (bytes in binary units), beside the counters in bytes for machines.
 */
const PRINTER_COLUMNS = [
  { name: 'Source', type: 'string', jsonPath: '.spec.source' },
  { name: 'Phase', type: 'string', jsonPath: '.status.phase' },
  {
    name: 'Ready',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Ready")].status',
    description: 'The Ready condition: the copy is in the backup registry and workloads may run from it',
  },
  { name: 'Progress', type: 'string', jsonPath: '.status.progress' },
  { name: 'Size', type: 'string', jsonPath: '.status.size', description: 'Size of the image (binary units)' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  {
    name: 'Target',
    type: 'string',
    jsonPath: '.spec.target',
    priority: 1,
    description: 'Where the copy is, in the backup registry',
  },
];

/** `kubectl get ib`. */
export const IMAGE_BACKUP_SHORT_NAMES = ['ib'];

/** The parts of a CustomResourceDefinition a client needs to send it; the rest is plain JSON. */
export interface CustomResourceDefinition {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: Record<string, unknown>;
}

export function imageBackupCrd(): CustomResourceDefinition {
  const { group, version, plural, kind } = IMAGE_BACKUPS;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${group}` },
    spec: {
      group,
      scope: 'Cluster',
      names: {
        plural,
        singular: kind.toLowerCase(),
        kind,
        listKind: `${kind}List`,
        shortNames: IMAGE_BACKUP_SHORT_NAMES,
      },
      versions: [
        {
          name: version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: PRINTER_COLUMNS,
          schema: {
            openAPIV3Schema: {
              description: 'A copy of one source image in the backup registry (lifeboat).',
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: openApiOf(imageBackupSpecSchema),
                status: openApiOf(imageBackupStatusSchema),
              },
            },
          },
        },
      ],
    },
  };
}

/** The file's exact content: JSON with two-space indents and a final newline. */
export function imageBackupCrdFile(): string {
  return `${JSON.stringify(imageBackupCrd(), null, 2)}\n`;
}
