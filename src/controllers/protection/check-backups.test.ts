// The backup walk against an in-memory registry: what it finds (missing manifests, children, config,
// layers, anchors), what it asks (each thing once, blobs only when not shallow) and how many at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  memoryRegistry,
  seedImage,
  seedIndex,
  type MemoryRegistry,
} from '../../registry/copy/memory-registry.test-support.ts';
import { anchorTag, NotFoundError, RegistryError, type RegistryClient } from '../../registry/index.ts';
import { createBackupChecker, type BackupCheckerOptions } from './check-backups.ts';
import type { BackupFindings } from './findings.ts';

const HOST = 'backup.example.com:5000';
const REPO = 'lifeboat/registry.example.com/team/app';

/** The memory registry answers a missing manifest's GET as a real one does: NotFoundError. */
function registry(): MemoryRegistry {
  const reg = memoryRegistry(HOST);
  const get = reg.getManifest.bind(reg);
  reg.getManifest = async (repository, reference, options) => {
    if (
      !reg.manifests.has(`${repository}@${reference}`) &&
      !reg.manifests.has(`${repository}:${reference}`)
    ) {
      reg.calls.push(`GET manifest ${repository} ${reference}`);
      throw new NotFoundError('manifest unknown', { registry: HOST, repository });
    }
    return get(repository, reference, options);
  };
  return reg;
}

/** Tags `digest` with its anchor, as an anchored copy does. */
function anchorIt(reg: MemoryRegistry, repository: string, digest: string): void {
  const stored = reg.manifests.get(`${repository}@${digest}`);
  assert.ok(stored);
  reg.manifests.set(`${repository}:${anchorTag(digest)!}`, stored);
}

function checker(reg: RegistryClient, o: Partial<BackupCheckerOptions> = {}) {
  return createBackupChecker({ withClient: (_repo, fn) => fn(reg), shallow: false, ...o });
}

const ref = (digest: string, repository = REPO): string => `${HOST}/${repository}@${digest}`;

function checked(f: BackupFindings): Extract<BackupFindings, { state: 'checked' }> {
  assert.equal(f.state, 'checked', JSON.stringify(f));
  return f;
}

describe('createBackupChecker', () => {
  it('an anchored image with all its blobs: nothing missing, each blob HEADed once', async () => {
    const reg = registry();
    const image = seedImage(reg, REPO, 'v1', [100, 200]);
    anchorIt(reg, REPO, image.desc.digest);
    const f = checked(await checker(reg).check(ref(image.desc.digest)));
    assert.deepEqual(f, {
      state: 'checked',
      digest: image.desc.digest,
      missing: [],
      unanchored: [],
      manifests: 1,
      blobs: 3,
      shallow: false,
    });
    assert.deepEqual(
      reg.calls.filter((c) => c.startsWith('HEAD blob')).sort(),
      [...[image.config, ...image.layers].map((b) => `HEAD blob ${REPO} ${b.digest}`)].sort(),
    );
  });

  it('a missing layer and config, and a blob of the wrong size, are named with their kind', async () => {
    const reg = registry();
    const image = seedImage(reg, REPO, 'v1', [100, 200]);
    anchorIt(reg, REPO, image.desc.digest);
    reg.links.get(REPO)!.delete(image.layers[0]!.digest);
    reg.links.get(REPO)!.delete(image.config.digest);
    reg.blobs.set(image.layers[1]!.digest, Buffer.alloc(7));
    const f = checked(await checker(reg).check(ref(image.desc.digest)));
    assert.deepEqual(
      [...f.missing].sort((a, b) => (a.digest < b.digest ? -1 : 1)),
      [
        { kind: 'layer', digest: image.layers[0]!.digest },
        { kind: 'config', digest: image.config.digest },
        { kind: 'layer', digest: image.layers[1]!.digest, problem: '7 bytes where the manifest says 200' },
      ].sort((a, b) => (a.digest < b.digest ? -1 : 1)),
    );
    assert.equal(f.blobs, 0);
  });

  it('a top manifest that is gone: missing, nothing else asked', async () => {
    const reg = registry();
    const gone = `sha256:${'9'.repeat(64)}`;
    const f = checked(await checker(reg).check(ref(gone)));
    assert.deepEqual(f.missing, [{ kind: 'manifest', digest: gone }]);
    assert.equal(f.digest, undefined);
    assert.deepEqual(reg.calls, [`GET manifest ${REPO} ${gone}`]);
  });

  it('an index: each child walked and anchored; a lost child, a missing and a moved anchor found', async () => {
    const reg = registry();
    const index = seedIndex(reg, REPO, 'v1', ['linux/amd64', 'linux/arm64', 'linux/s390x'], [100]);
    const [amd, arm, s390] = index.images;
    anchorIt(reg, REPO, index.desc.digest);
    anchorIt(reg, REPO, amd!.digest);
    // arm64's anchor names amd64's manifest; s390x's manifest is gone.
    reg.manifests.set(`${REPO}:${anchorTag(arm!.digest)!}`, reg.manifests.get(`${REPO}@${amd!.digest}`)!);
    reg.manifests.delete(`${REPO}@${s390!.digest}`);
    const f = checked(await checker(reg).check(ref(index.desc.digest)));
    assert.deepEqual(f.missing, [{ kind: 'child manifest', digest: s390!.digest }]);
    assert.deepEqual(f.unanchored, [
      { digest: arm!.digest, tag: anchorTag(arm!.digest), names: amd!.digest },
    ]);
    assert.equal(f.manifests, 3);
    // The layer both platforms share is one HEAD: 2 configs + 2 own layers + 1 shared.
    assert.equal(f.blobs, 5);
    assert.equal(reg.calls.filter((c) => c === `HEAD blob ${REPO} ${index.shared.digest}`).length, 1);
  });

  it('an unanchored manifest is named by its missing tag', async () => {
    const reg = registry();
    const image = seedImage(reg, REPO, 'v1', [100]);
    const f = checked(await checker(reg).check(ref(image.desc.digest)));
    assert.deepEqual(f.unanchored, [{ digest: image.desc.digest, tag: anchorTag(image.desc.digest) }]);
  });

  it('--shallow reads manifests and anchors and never a blob', async () => {
    const reg = registry();
    const image = seedImage(reg, REPO, 'v1', [100, 200]);
    anchorIt(reg, REPO, image.desc.digest);
    reg.links.get(REPO)!.delete(image.layers[0]!.digest);
    const f = checked(await checker(reg, { shallow: true }).check(ref(image.desc.digest)));
    assert.deepEqual(
      { missing: f.missing, blobs: f.blobs, shallow: f.shallow },
      { missing: [], blobs: 0, shallow: true },
    );
    assert.deepEqual(
      reg.calls.filter((c) => c.includes('blob')),
      [],
    );
  });

  it('two references to one image, and two checks of one reference: every request made once', async () => {
    const reg = registry();
    const image = seedImage(reg, REPO, 'v1', [100, 200]);
    anchorIt(reg, REPO, image.desc.digest);
    const c = checker(reg);
    const [a, b, again] = await Promise.all([
      c.check(ref(image.desc.digest)),
      c.check(`${HOST}/${REPO}:v1`),
      c.check(ref(image.desc.digest)),
    ]);
    assert.deepEqual(checked(b).digest, checked(a).digest);
    assert.equal(again, a);
    // GET by digest, GET by tag, one anchor HEAD, three blob HEADs.
    assert.equal(reg.calls.length, 6, reg.calls.join('\n'));
  });

  it('a registry failure other than 404 makes the image unreadable, with the message', async () => {
    const reg = registry();
    const image = seedImage(reg, REPO, 'v1', [100]);
    anchorIt(reg, REPO, image.desc.digest);
    reg.headBlob = () =>
      Promise.reject(
        new RegistryError('HTTP 500 from backup.example.com:5000', { registry: HOST, status: 500 }),
      );
    assert.deepEqual(await checker(reg).check(ref(image.desc.digest)), {
      state: 'unreadable',
      error: 'HTTP 500 from backup.example.com:5000',
    });
  });

  it('never more requests in flight than the bound, and the progress counts each once', async () => {
    const reg = registry();
    const digests: string[] = [];
    for (let i = 0; i < 6; i++) {
      const repo = `${REPO}-${i}`;
      const image = seedImage(reg, repo, 'v1', [100, 200, 300, 400], i + 1);
      anchorIt(reg, repo, image.desc.digest);
      digests.push(ref(image.desc.digest, repo));
    }
    let inFlight = 0;
    let most = 0;
    const slow: RegistryClient = {
      ...reg,
      headBlob: async (...args) => {
        inFlight++;
        most = Math.max(most, inFlight);
        // Yield several turns so that an unbounded walk would pile up.
        for (let i = 0; i < 5; i++) await Promise.resolve();
        inFlight--;
        return reg.headBlob(...args);
      },
    };
    const progress: { done: number; total: number }[] = [];
    const c = checker(slow, { concurrency: 3, onProgress: (p) => progress.push(p) });
    const found = await Promise.all(digests.map((d) => c.check(d)));
    for (const f of found) assert.equal(checked(f).blobs, 5);
    assert.ok(most <= 3, `at most 3 in flight, saw ${most}`);
    assert.ok(most > 1, 'requests ran concurrently');
    // Per image: 1 GET, 1 anchor HEAD, 5 blob HEADs.
    assert.equal(progress.length, 6 * 7);
    assert.deepEqual(progress.at(-1), { done: 42, total: 42 });
  });
});
