import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { configurationMarkdown, CONFIGURATION_DOC } from './docs.ts';
import { envOf } from './flag.ts';
import { COPY_FLAGS } from './copy-flags.ts';
import { DEV_FLAGS } from './dev-flags.ts';
import { REF_FLAGS } from './ref-flags.ts';
import { RESTORE_FLAGS } from './restore-flags.ts';
import { RUN_FLAGS } from './run-flags.ts';
import { STATUS_FLAGS } from './status-flags.ts';
import { UNINSTALL_FLAGS } from './uninstall-flags.ts';
import { VERIFY_FLAGS } from './verify-flags.ts';

it('docs/configuration.md is what the flag definitions generate (npm run docs:config)', () => {
  assert.equal(readFileSync(CONFIGURATION_DOC, 'utf8'), configurationMarkdown());
});

it('documents every flag of every command with its variable', () => {
  const doc = configurationMarkdown();
  for (const spec of [
    ...RUN_FLAGS,
    ...UNINSTALL_FLAGS,
    ...STATUS_FLAGS,
    ...VERIFY_FLAGS,
    ...RESTORE_FLAGS,
    ...COPY_FLAGS,
    ...REF_FLAGS,
    ...DEV_FLAGS,
  ]) {
    assert.ok(doc.includes(spec.flag), spec.flag);
    if (spec.short !== undefined) assert.ok(doc.includes(`${spec.short}, ${spec.flag}`), spec.short);
    assert.ok(doc.includes(envOf(spec)), envOf(spec));
    for (const old of [...(spec.deprecated?.flags ?? []), ...(spec.deprecated?.env ?? [])])
      assert.ok(doc.includes(`\`${old}\``), `deprecated ${old}`);
  }
});
