import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { capText } from './cap-text.ts';

describe('capText', () => {
  it('leaves a text that fits as it is', () => {
    assert.equal(capText('registry r refused', 100), 'registry r refused');
    assert.equal(capText('x'.repeat(100), 100), 'x'.repeat(100));
  });

  it('cuts a longer one to the limit, saying how much was cut', () => {
    const capped = capText(`registry r: ${'x'.repeat(64 * 1024)}`, 32_768);
    assert.equal(capped.length <= 32_768, true, `${capped.length}`);
    assert.match(capped, /^registry r: x+ … \(\d+ more characters cut\)$/);
  });

  it('never splits a character of two UTF-16 units', () => {
    const text = '😀'.repeat(100);
    for (let max = 30; max < 60; max++) {
      const capped = capText(text, max);
      assert.ok(capped.length <= max);
      assert.equal(capped.isWellFormed(), true, `max ${max}: ${capped}`);
    }
  });

  it('a limit shorter than the marker gets a plain prefix', () => {
    assert.equal(capText('abcdefghij', 4), 'abcd');
  });
});
