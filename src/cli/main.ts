#!/usr/bin/env -S node --max-semi-space-size=1
// Entry point of the `lifeboat` CLI: it only wires commands; each command lives in its own file.
// The small semi-space keeps a streaming copy's short-lived Buffers from piling up between
// scavenges (peak RSS of a 512 MiB blob copy: ~135 MB instead of ~190 MB).
import { enableCompileCache } from 'node:module';
import { Command } from 'commander';

// Caching compiled (type-stripped) code saves ~28 MiB at start; loading commands after it counts.
enableCompileCache();
const { versionCommand } = await import('./version.ts');
const { runCommand } = await import('./run.ts');
const { uninstallCommand } = await import('./uninstall.ts');
const { restoreCommand } = await import('./restore.ts');
const { refCommand } = await import('./ref.ts');
const { copyCommand } = await import('./copy.ts');
const { devCommand } = await import('./dev.ts');

const program = new Command('lifeboat')
  .description('Back up every image a cluster runs and run the workloads from the copies')
  .showHelpAfterError();

program.addCommand(versionCommand());
program.addCommand(runCommand());
program.addCommand(uninstallCommand());
program.addCommand(restoreCommand());
program.addCommand(refCommand());
program.addCommand(copyCommand());
program.addCommand(devCommand());
program.addCommand((await import('./status.ts')).statusCommand());
program.addCommand((await import('./verify.ts')).verifyCommand());

await program.parseAsync(process.argv);
