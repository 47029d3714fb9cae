/**
 * The one definition of an ImageBackup (SPEC §1.4): the TypeScript type is `z.infer` of these
 * schemas and the CRD's OpenAPI schema is generated from them (crd.ts), so the two cannot drift.
 *
 * Only what both zod and the API server's structural schemas can express is used here: objects,
 * strings, integers, booleans, enums, string arrays and arrays of objects, lengths and minimums.
 * A refinement zod checks but JSON Schema cannot say (unique list entries) is mirrored by an
 * `x-kubernetes-list-type` in `.meta()`, which the API server enforces the same way. `.meta()` must
 * come last: a refinement after it would make a new schema without the metadata.
 * Descriptions are what `kubectl explain imagebackups.spec` prints.
 */
import { z } from 'zod';

/** No two entries alike: what `x-kubernetes-list-type: set` makes the API server refuse too. */
const distinct = (values: readonly string[]): boolean => new Set(values).size === values.length;

/** No two entries with the same key: what a `map` list with `x-kubernetes-list-map-keys` refuses. */
const distinctBy =
  <T>(key: (item: T) => string) =>
  (items: readonly T[]): boolean =>
    distinct(items.map(key));

const count = () => z.int().nonnegative();

const timestamp = () => z.iso.datetime({ offset: true });

const platformList = (description: string) =>
  z
    .array(z.string().min(1))
    .refine(distinct, 'platforms must be distinct')
    .meta({ description, 'x-kubernetes-list-type': 'set' });

/**
 * Degraded: a backup that was Ready is damaged in the backup registry (a manifest missing) and its
 * source can no longer give the same digest back (gone, moved, unreachable); rechecked with backoff.
 */
export const IMAGE_BACKUP_PHASES = ['Pending', 'Copying', 'Ready', 'Failed', 'Degraded'] as const;

/**
 * A Secret (kubernetes.io/dockerconfigjson) a workload's pods pull with. Not part of an ImageBackup:
 * the credentials that read a backup's source are looked up from the workloads that use it, so
 * nothing is written to a backup because one more namespace uses it.
 */
export const pullSecretRefSchema = z.object({
  namespace: z.string().min(1),
  name: z.string().min(1),
});

export const imageBackupSpecSchema = z.object({
  source: z.string().min(1).meta({ description: 'Normalised source image reference that is backed up.' }),
  target: z
    .string()
    .min(1)
    .meta({ description: 'Image reference in the backup registry the copy is pushed to.' }),
  platforms: platformList('os/arch[/variant] to copy from an index; every platform when absent.').optional(),
});

/** metav1.Condition, with the constraints the API types declare (apimachinery's types.go). */
export const conditionSchema = z.object({
  type: z.string().min(1).max(316),
  status: z.enum(['True', 'False', 'Unknown']),
  observedGeneration: count().optional(),
  lastTransitionTime: timestamp(),
  reason: z.string().min(1).max(1024),
  message: z.string().max(32768),
});

export const imageBackupStatusSchema = z.object({
  phase: z.enum(IMAGE_BACKUP_PHASES).optional(),
  /** Human-readable, for the Progress printer column (kubectl cannot compute a ratio). */
  progress: z.string().meta({ description: 'Copy progress for people, e.g. "12/30 blobs, 40%".' }).optional(),
  /** Human-readable, for the Size printer column (kubectl cannot format bytes). */
  size: z.string().meta({ description: 'bytesTotal for people, e.g. "12.3 MiB".' }).optional(),
  sourceDigest: z.string().optional(),
  targetDigest: z.string().optional(),
  mediaType: z.string().optional(),
  platforms: platformList('Platforms the copy holds.').optional(),
  bytesTotal: count().optional(),
  bytesDone: count().optional(),
  blobsTotal: count().optional(),
  blobsDone: count().optional(),
  blobsReused: count().meta({ description: 'Blobs already in the backup registry (not copied).' }).optional(),
  startedAt: timestamp().optional(),
  completedAt: timestamp().optional(),
  attempts: count().optional(),
  lastError: z.string().optional(),
  /**
   * Set by the copy: an anonymous HEAD of the source manifest was refused (401/403/404), the same
   * question the workload controller asks before it creates a backup under --private-images=skip.
   */
  private: z
    .boolean()
    .meta({ description: 'An anonymous HEAD of the source manifest was refused: the source is private.' })
    .optional(),
  /**
   * Written by the workload controller when it checks access (never by the copy): a namespace is
   * listed once its own pull credentials, or anonymous access, were shown to read the source. The
   * registry token service grants `pull` on a private backup's repository to these namespaces only
   * (`--private-images=isolated`).
   */
  readers: z
    .array(z.string().min(1).max(63))
    .refine(distinct, 'readers must be distinct')
    .meta({
      description:
        'Namespaces shown to read the source with their own credentials (or anonymously): who may pull a private backup.',
      'x-kubernetes-list-type': 'set',
    })
    .optional(),
  sourceCheckedAt: timestamp()
    .meta({ description: 'When the source reference was last checked (a HEAD; condition SourceAvailable).' })
    .optional(),
  sourceLatestDigest: z
    .string()
    .meta({ description: 'The digest the source reference served at the last check.' })
    .optional(),
  conditions: z
    .array(conditionSchema)
    .refine(
      distinctBy((c: Condition) => c.type),
      'conditions must have distinct types',
    )
    .meta({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] })
    .optional(),
  observedGeneration: count().optional(),
});

/**
 * A whole ImageBackup as read from or written to the API. `apiVersion` and `kind` are optional:
 * list items come without them. `metadata` is the API server's; only `name` is required here.
 */
export const imageBackupSchema = z.object({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  metadata: z.looseObject({ name: z.string().min(1) }),
  spec: imageBackupSpecSchema,
  status: imageBackupStatusSchema.optional(),
});

export type ImageBackupPhase = (typeof IMAGE_BACKUP_PHASES)[number];
export type PullSecretRef = z.infer<typeof pullSecretRefSchema>;
export type Condition = z.infer<typeof conditionSchema>;
export type ImageBackupSpec = z.infer<typeof imageBackupSpecSchema>;
export type ImageBackupStatus = z.infer<typeof imageBackupStatusSchema>;
export type ImageBackup = z.infer<typeof imageBackupSchema>;
