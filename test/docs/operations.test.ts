// docs/operations.md is written by hand, but what it names must exist: every error code its
// BackupFailed table lists is a code src/ defines, every code the copy engine and the ImageBackup
// controller can report is in that table, and every Warning Event has a section saying what to do.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { eventReasonDocs } from '../../scripts/metrics-and-events-doc.ts';
import { sourceFiles } from '../deploy/exported-metrics.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const doc = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');

/** Where the codes a failed copy can carry are defined (copy-failure.ts picks the innermost one). */
const COPY_ERROR_FILES = [
  'src/registry/model/errors.ts',
  'src/registry/copy/errors.ts',
  'src/registry/manifest/errors.ts',
  'src/controllers/image-backups/copy-failure.ts',
];

/** The literals of `code: 'A' | 'B'`, `code = 'A'` and `type …ErrorCode = 'A' | 'B'` in `source`. */
function codesIn(source: string): string[] {
  const declarations = [
    ...source.matchAll(/\bcode\s*[:=]\s*((?:\|?\s*'[A-Z][A-Z0-9_]*'\s*)+)/g),
    ...source.matchAll(/type \w*ErrorCode\s*=\s*((?:\|?\s*'[A-Z][A-Z0-9_]*'\s*)+)/g),
  ];
  return declarations.flatMap((m) => [...(m[1] ?? '').matchAll(/'([A-Z][A-Z0-9_]*)'/g)].map((c) => c[1]!));
}

/** The codes in the first column of the table under `### BackupFailed`. */
function documentedCodes(): string[] {
  const section = doc.split(/^### BackupFailed$/m)[1]?.split(/^#{2,3} /m)[0] ?? '';
  return section
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1]!));
}

it('reads the codes of the sources and of the table', () => {
  assert.ok(codesIn("readonly code: 'A_B' | 'C';\ntype XErrorCode =\n  | 'D'\n  | 'E_F';").length === 4);
  assert.ok(documentedCodes().includes('REGISTRY_UNAUTHORIZED'));
});

it('documents every code a failed copy can carry', () => {
  const required = new Set(COPY_ERROR_FILES.flatMap((f) => codesIn(readFileSync(join(ROOT, f), 'utf8'))));
  assert.ok(required.has('REGISTRY_NOT_FOUND') && required.has('BLOB_DIGEST_MISMATCH'));
  const documented = new Set(documentedCodes());
  assert.deepEqual(
    [...required].filter((c) => !documented.has(c)),
    [],
  );
});

it('names only codes src/ defines', () => {
  const defined = new Set(sourceFiles(join(ROOT, 'src')).flatMap((f) => codesIn(readFileSync(f, 'utf8'))));
  assert.deepEqual(
    documentedCodes().filter((c) => !defined.has(c)),
    [],
  );
});

it('says what to do about every Warning Event', () => {
  const warnings = eventReasonDocs().filter((d) => d.sites.some((s) => s.type === 'Warning'));
  assert.ok(warnings.length > 0);
  for (const { reason } of warnings)
    assert.match(doc, new RegExp(`^### ${reason}$`, 'm'), `a "### ${reason}" section`);
});
