// What an operator reads before adopting lifeboat (issue 18): the LICENSE is the Apache-2.0 that
// package.json declares, CHANGELOG.md follows Keep a Changelog with an entry for the chart's
// version, and the README's quick start creates the Secrets under the names the chart expects.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

it('LICENSE is the full Apache License 2.0, as package.json declares', () => {
  assert.equal((JSON.parse(read('package.json')) as { license: string }).license, 'Apache-2.0');
  const license = read('LICENSE');
  assert.match(license, /^\s+Apache License\n\s+Version 2\.0, January 2004\n/);
  for (let section = 1; section <= 9; section++)
    assert.match(license, new RegExp(`^\\s+${section}\\. [A-Z]`, 'm'), `section ${section}`);
  assert.match(license, /END OF TERMS AND CONDITIONS/);
});

it('CHANGELOG.md keeps an Unreleased section and one per version, the chart’s among them', () => {
  const changelog = read('CHANGELOG.md');
  assert.match(changelog, /keepachangelog\.com/);
  const versions = [...changelog.matchAll(/^## \[([^\]]+)\]/gm)].map((m) => m[1]);
  assert.equal(versions[0], 'Unreleased');
  const chartVersion = /^version: (\S+)$/m.exec(read('charts/lifeboat/Chart.yaml'))?.[1];
  assert.ok(chartVersion && versions.includes(chartVersion), `an entry for chart ${chartVersion}`);
  const unreleased = changelog.split(/^## \[/m)[1] ?? '';
  for (const heading of unreleased.matchAll(/^### (.+)$/gm))
    assert.ok(['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security'].includes(heading[1]!));
});

it("the README's quick start installs the chart with the Secret names the chart expects", () => {
  const values = read('charts/lifeboat/values.yaml');
  const secret = (key: string): string => new RegExp(`^  ${key}: (\\S+)$`, 'm').exec(values)?.[1] ?? '';
  const [push, pull] = [secret('pushSecret'), secret('pullSecret')];
  assert.deepEqual([push, pull], ['lifeboat-backup-push', 'lifeboat-backup-pull']);
  const quickstart =
    read('README.md')
      .split(/^## Quick start in a cluster/m)[1]
      ?.split(/^## /m)[0] ?? '';
  assert.match(quickstart, /helm install lifeboat charts\/lifeboat/);
  for (const name of [push, pull])
    assert.match(quickstart, new RegExp(`create secret docker-registry ${name} `), name);
  for (const required of ['image.repository', 'backup.registry'])
    assert.match(quickstart, new RegExp(`--set ${required.replace('.', '\\.')}=`), required);
});
