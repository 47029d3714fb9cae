// Every error class of the libraries shares one base, so the controller's error policy reads
// `code` and `temporary` without duck typing (issue 7). This test spans the layers on purpose and
// therefore sits above them: it imports every module of src/reference, src/registry and src/kube
// (their index.ts files included) and fails on any exported class that extends Error but not
// LifeboatError, wherever a new one is added.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { LifeboatError } from './common/errors.ts';

const LIBRARIES = ['reference', 'registry', 'kube'] as const;

interface ErrorClass {
  readonly prototype: unknown;
}

/** Every non-test TypeScript module under `src/<library>`. */
function modulesOf(library: string): string[] {
  const root = join(import.meta.dirname, library);
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(root, f))
    .sort();
}

/** `name → class` for each exported class (a function whose prototype is an Error) of `file`. */
async function errorClassesOf(file: string): Promise<Map<string, ErrorClass>> {
  const exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const classes = new Map<string, ErrorClass>();
  for (const [name, value] of Object.entries(exports)) {
    if (typeof value === 'function' && (value.prototype as unknown) instanceof Error)
      classes.set(name, value);
  }
  return classes;
}

describe('error classes', () => {
  for (const library of LIBRARIES) {
    it(`every exported error class of src/${library} extends LifeboatError`, async () => {
      const files = modulesOf(library);
      assert.ok(
        files.some((f) => f.endsWith(join(library, 'index.ts'))),
        `src/${library}/index.ts is walked`,
      );
      const offenders: string[] = [];
      const seen = new Set<string>();
      for (const file of files) {
        for (const [name, cls] of await errorClassesOf(file)) {
          seen.add(name);
          if (!(cls.prototype instanceof LifeboatError)) offenders.push(`${name} (${file})`);
        }
      }
      assert.ok(seen.size > 0, `found error classes in src/${library}`);
      assert.deepEqual(offenders, [], 'these extend Error but not LifeboatError');
    });
  }

  it('sees the public error classes of each index.ts', async () => {
    const names = new Set<string>();
    for (const library of LIBRARIES) {
      const index = join(import.meta.dirname, library, 'index.ts');
      for (const name of (await errorClassesOf(index)).keys()) names.add(name);
    }
    for (const expected of [
      'InvalidReferenceError',
      'MappingError',
      'RegistryError',
      'NotFoundError',
      'CopyError',
      'BlobMismatchError',
      'CredentialsParseError',
      'KubeApiError',
      'WatchError',
      'ControllerAlreadyStartedError',
      'HealthServerListenError',
    ]) {
      assert.ok(names.has(expected), `${expected} is exported and recognised as an error class`);
    }
  });

  it('gives each a string code and a boolean temporary', async () => {
    const { KubeApiError, KubeConfigError } = await import('./kube/index.ts');
    const { InvalidReferenceError } = await import('./reference/index.ts');
    const { NotFoundError, TooManyRequestsError } = await import('./registry/index.ts');
    const samples: [LifeboatError, boolean][] = [
      [new KubeApiError({ method: 'GET', path: '/api/v1/pods', status: 503 }), true],
      [new KubeApiError({ method: 'GET', path: '/api/v1/pods', status: 403 }), false],
      [new KubeConfigError('no kubeconfig'), false],
      [new InvalidReferenceError('REFERENCE_INVALID_FORMAT', 'UPPER'), false],
      [new NotFoundError('gone', { registry: 'r' }), false],
      [new TooManyRequestsError('slow down', { registry: 'r' }), true],
    ];
    for (const [err, temporary] of samples) {
      assert.ok(err instanceof LifeboatError, err.name);
      assert.match(err.code, /^[A-Z][A-Z0-9_]+$/, err.name);
      assert.equal(err.temporary, temporary, err.message);
    }
  });
});
