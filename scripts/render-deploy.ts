// Writes deploy/ as charts/lifeboat rendered with its default values (`npm run deploy:render`):
// the plain manifests are never edited by hand. test/charts/deploy.test.ts fails when they are stale.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOY_DIR, deployFiles } from './chart.ts';

const files = await deployFiles();
for (const entry of readdirSync(DEPLOY_DIR, { withFileTypes: true })) {
  if (entry.isFile() && entry.name.endsWith('.json') && !files.has(entry.name)) {
    rmSync(join(DEPLOY_DIR, entry.name));
  }
}
for (const [file, text] of files) writeFileSync(join(DEPLOY_DIR, file), text);
console.log(`wrote ${files.size} files into ${DEPLOY_DIR}`);
