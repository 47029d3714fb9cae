// Writes the ImageBackup CRD (deploy/crd/) from its zod definition. `npm run crd`;
// src/controllers/image-backups/crd.test.ts fails when the committed file differs from what this writes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { CRD_FILE, imageBackupCrdFile } from '../src/controllers/image-backups/crd.ts';

mkdirSync(dirname(CRD_FILE), { recursive: true });
writeFileSync(CRD_FILE, imageBackupCrdFile());
console.log(`wrote ${CRD_FILE}`);
