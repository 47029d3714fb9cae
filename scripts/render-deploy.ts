// Writes deploy/ as charts/lifeboat rendered with its default values (`npm run deploy:render`), its
// kustomization.yaml and the chart's Grafana dashboard:
// the plain manifests are never edited by hand. test/charts/deploy.test.ts fails when they are stale.
import { copyFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CHART_DASHBOARD_FILE,
  DEPLOY_DASHBOARD_FILE,
  DEPLOY_DIR,
  DEPLOY_KUSTOMIZATION,
  deployFiles,
  deployKustomization,
} from './chart.ts';

const files = await deployFiles();
for (const entry of readdirSync(DEPLOY_DIR, { withFileTypes: true })) {
  if (entry.isFile() && entry.name.endsWith('.json') && !files.has(entry.name)) {
    rmSync(join(DEPLOY_DIR, entry.name));
  }
}
for (const [file, text] of files) writeFileSync(join(DEPLOY_DIR, file), text);
writeFileSync(join(DEPLOY_DIR, DEPLOY_KUSTOMIZATION), deployKustomization([...files.keys()]));
copyFileSync(CHART_DASHBOARD_FILE, DEPLOY_DASHBOARD_FILE);
console.log(`wrote ${files.size} files, ${DEPLOY_KUSTOMIZATION} and the dashboard into ${DEPLOY_DIR}`);
