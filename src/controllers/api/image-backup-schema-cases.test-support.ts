// One table of ImageBackups, valid and invalid, that both the zod definition (schema.test.ts) and
// the API server with the generated CRD (test/e2e/image-backups/crd.test.ts) must judge the same
// way: the proof that the TypeScript type and the CRD's OpenAPI schema agree.

/** An ImageBackup without metadata (each test names its own objects); `status` goes in by its subresource. */
export interface ImageBackupCase {
  readonly name: string;
  readonly valid: boolean;
  readonly spec: unknown;
  readonly status?: unknown;
}

const SPEC = {
  source: 'docker.io/library/nginx:1.27',
  target: 'backup.example:5000/docker.io/library/nginx:1.27',
};
const DIGEST = `sha256:${'a'.repeat(64)}`;
const CONDITION = {
  type: 'Ready',
  status: 'True',
  reason: 'Copied',
  message: 'image copied',
  lastTransitionTime: '2026-12-02T06:00:00Z',
};

export const IMAGE_BACKUP_CASES: readonly ImageBackupCase[] = [
  { name: 'minimal spec, no status', valid: true, spec: SPEC },
  {
    name: 'full spec, Pending',
    valid: true,
    spec: {
      ...SPEC,
      platforms: ['linux/amd64', 'linux/arm64/v8'],
    },
    status: { phase: 'Pending', attempts: 0, observedGeneration: 1 },
  },
  {
    name: 'Copying with progress',
    valid: true,
    spec: SPEC,
    status: {
      phase: 'Copying',
      progress: '12/30 blobs, 40%',
      bytesTotal: 5_000_000_000,
      bytesDone: 2_000_000_000,
      blobsTotal: 30,
      blobsDone: 12,
      blobsReused: 3,
      startedAt: '2026-12-02T06:00:00.123456Z',
      attempts: 1,
    },
  },
  {
    name: 'Ready with every field',
    valid: true,
    spec: SPEC,
    status: {
      phase: 'Ready',
      progress: '30/30 blobs, 100%',
      sourceDigest: DIGEST,
      targetDigest: DIGEST,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      platforms: ['linux/amd64', 'linux/arm64'],
      bytesTotal: 123,
      bytesDone: 123,
      blobsTotal: 3,
      blobsDone: 3,
      blobsReused: 0,
      startedAt: '2026-12-02T06:00:00Z',
      completedAt: '2026-12-02T08:00:05+02:00',
      attempts: 1,
      private: true,
      conditions: [CONDITION, { ...CONDITION, type: 'Copied', observedGeneration: 2, message: '' }],
      observedGeneration: 2,
    },
  },
  {
    name: 'Failed with its error',
    valid: true,
    spec: SPEC,
    status: {
      phase: 'Failed',
      lastError: 'registry docker.io: 401 for repository:library/nginx:pull',
      attempts: 4,
    },
  },
  { name: 'spec missing', valid: false, spec: undefined },
  { name: 'spec.source missing', valid: false, spec: { target: SPEC.target } },
  { name: 'spec.target missing', valid: false, spec: { source: SPEC.source } },
  { name: 'spec.source empty', valid: false, spec: { ...SPEC, source: '' } },
  { name: 'spec.source a number', valid: false, spec: { ...SPEC, source: 42 } },
  { name: 'spec.platforms a string', valid: false, spec: { ...SPEC, platforms: 'linux/amd64' } },
  {
    name: 'spec.platforms repeated',
    valid: false,
    spec: { ...SPEC, platforms: ['linux/amd64', 'linux/amd64'] },
  },
  { name: 'status.phase not one of the four', valid: false, spec: SPEC, status: { phase: 'Done' } },
  { name: 'status.bytesTotal a string', valid: false, spec: SPEC, status: { bytesTotal: '12' } },
  { name: 'status.bytesDone negative', valid: false, spec: SPEC, status: { bytesDone: -1 } },
  { name: 'status.blobsDone a fraction', valid: false, spec: SPEC, status: { blobsDone: 1.5 } },
  { name: 'status.private a string', valid: false, spec: SPEC, status: { private: 'yes' } },
  { name: 'status.startedAt not a date-time', valid: false, spec: SPEC, status: { startedAt: 'yesterday' } },
  {
    name: 'status.conditions status not True/False/Unknown',
    valid: false,
    spec: SPEC,
    status: { conditions: [{ ...CONDITION, status: 'Maybe' }] },
  },
  {
    name: 'status.conditions entry without reason',
    valid: false,
    spec: SPEC,
    status: { conditions: [{ ...CONDITION, reason: undefined }] },
  },
  {
    name: 'status.conditions type repeated',
    valid: false,
    spec: SPEC,
    status: { conditions: [CONDITION, CONDITION] },
  },
];

/** The case as one object named `name`, as a client would send it (no `status` key when it has none). */
export function caseObject(c: ImageBackupCase, name: string): Record<string, unknown> {
  return { metadata: { name }, spec: c.spec, ...(c.status === undefined ? {} : { status: c.status }) };
}
