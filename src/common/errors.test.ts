import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LifeboatError, isPermanentError } from './errors.ts';

class Refused extends LifeboatError {
  readonly code = 'TEST_REFUSED';
  readonly temporary = false;
}

class Busy extends LifeboatError {
  readonly code = 'TEST_BUSY';
  readonly temporary = true;
}

describe('isPermanentError', () => {
  it('is true only for a LifeboatError that says retrying cannot help', () => {
    assert.equal(isPermanentError(new Refused('no')), true);
    assert.equal(isPermanentError(new Busy('later')), false);
  });

  it('counts unknown errors as temporary, even ones that look permanent', () => {
    const lookalike = Object.assign(new Error('duck'), { code: 'X', temporary: false });
    assert.equal(isPermanentError(lookalike), false);
    assert.equal(isPermanentError('not an error'), false);
    assert.equal(isPermanentError(undefined), false);
  });
});
