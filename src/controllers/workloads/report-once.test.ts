import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createReportOnce } from './report-once.ts';

describe('report once per generation', () => {
  it('reports a reason once per workload generation, again for a new generation or workload', () => {
    const r = createReportOnce();
    assert.equal(r.first('uid-1', 1, 'RewriteReverted'), true);
    assert.equal(r.first('uid-1', 1, 'RewriteReverted'), false);
    assert.equal(r.first('uid-1', 1, 'InvalidImageReference'), true, 'another reason');
    assert.equal(r.first('uid-1', 2, 'RewriteReverted'), true, 'a new generation');
    assert.equal(r.first('uid-2', 1, 'RewriteReverted'), true, 'a re-created workload (new uid)');
  });

  it('is bounded: the oldest report is forgotten first', () => {
    const r = createReportOnce({ maxEntries: 2 });
    r.first('a', 1, 'x');
    r.first('b', 1, 'x');
    r.first('c', 1, 'x');
    assert.equal(r.first('c', 1, 'x'), false);
    assert.equal(r.first('b', 1, 'x'), false);
    assert.equal(r.first('a', 1, 'x'), true, 'forgotten: reported again');
  });
});
