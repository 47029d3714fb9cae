import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkClaim, MappingError } from './index.ts';

const claims: ReadonlyMap<string, string> = new Map([
  ['backup.example.com/lifeboat/docker.io/library/nginx', 'docker.io/library/nginx'],
  ['backup.example.com/lifeboat/quay.io-a--b', 'quay.io/a-b'],
]);

describe('checkClaim', () => {
  it('lets a source take a free target, and keep one it already holds', () => {
    assert.equal(
      checkClaim(claims, {
        target: 'backup.example.com/lifeboat/docker.io/library/redis',
        source: 'docker.io/library/redis',
      }),
      'new',
    );
    assert.equal(
      checkClaim(claims, {
        target: 'backup.example.com/lifeboat/docker.io/library/nginx',
        source: 'docker.io/library/nginx',
      }),
      'held',
    );
    assert.equal(checkClaim(new Map(), { target: 't.example.com/x', source: 's.example.com/x' }), 'new');
  });

  it('refuses a target claimed by another source, naming all three repositories', () => {
    assert.throws(
      () =>
        checkClaim(claims, { target: 'backup.example.com/lifeboat/quay.io-a--b', source: 'quay.io/a--b' }),
      (error: unknown) => {
        assert.ok(error instanceof MappingError);
        assert.equal(error.code, 'MAPPING_COLLISION');
        assert.equal(error.target, 'backup.example.com/lifeboat/quay.io-a--b');
        assert.equal(error.source, 'quay.io/a--b');
        assert.equal(error.claimedBy, 'quay.io/a-b');
        assert.equal(error.temporary, false);
        assert.match(error.message, /refusing to back up quay\.io\/a--b into .* already holds quay\.io\/a-b/);
        return true;
      },
    );
  });
});
