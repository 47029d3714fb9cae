// Writes docs/configuration.md from the flag definitions (src/cli/config). `npm run docs:config`;
// src/cli/config/docs.test.ts fails when the committed file differs from what this writes.
import { writeFileSync } from 'node:fs';
import { configurationMarkdown, CONFIGURATION_DOC } from '../src/cli/config/docs.ts';

writeFileSync(CONFIGURATION_DOC, configurationMarkdown());
console.log(`wrote ${CONFIGURATION_DOC}`);
