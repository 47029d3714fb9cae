// Writes the ImageBackup CRD from its zod definition into deploy/crd/ and into the chart's files/crds/
// (`npm run crd`); src/controllers/api/crd.test.ts and test/charts/chart.test.ts fail
// when a committed copy differs from what this writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CRD_FILE, imageBackupCrdFile } from '../src/controllers/api/crd.ts';
import { CHART_CRD_FILE } from './chart.ts';

for (const file of [CRD_FILE, CHART_CRD_FILE]) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, imageBackupCrdFile());
  console.log(`wrote ${file}`);
}
