import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { configurationMarkdown, CONFIGURATION_DOC } from './docs.ts';
import { envNameOf } from './flag.ts';
import { RUN_FLAGS } from './run-flags.ts';

it('docs/configuration.md is what the flag definitions generate (npm run docs:config)', () => {
  assert.equal(readFileSync(CONFIGURATION_DOC, 'utf8'), configurationMarkdown());
});

it('documents every flag of lifeboat run with its variable', () => {
  const doc = configurationMarkdown();
  for (const spec of RUN_FLAGS) {
    assert.ok(doc.includes(spec.flag), spec.flag);
    assert.ok(doc.includes(envNameOf(spec.flag)), envNameOf(spec.flag));
  }
});
