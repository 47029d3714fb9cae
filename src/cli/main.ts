#!/usr/bin/env -S node --max-semi-space-size=1
// Entry point of the `lifeboat` CLI: it only wires commands; each command lives in its own file.
// The small semi-space keeps a streaming copy's short-lived Buffers from piling up between
// scavenges (peak RSS of a 512 MiB blob copy: ~135 MB instead of ~190 MB).
import { enableCompileCache } from 'node:module';
import { registerClientNodeSlimming } from '../kube/client-node-slim.ts';

// Caching compiled (type-stripped) code saves ~28 MiB at start; loading commands after it counts.
enableCompileCache();
// Before anything loads client-node: its KubeConfig without the generated API client (~50 MB less RSS).
registerClientNodeSlimming();
const { lifeboatProgram, runProgram } = await import('./program.ts');
const { lifeboatVersion, versionCommand } = await import('./version.ts');
const { runCommand } = await import('./run.ts');
const { uninstallCommand } = await import('./uninstall.ts');
const { restoreCommand } = await import('./restore.ts');
const { refCommand } = await import('./ref.ts');
const { copyCommand } = await import('./copy.ts');
const { devCommand } = await import('./dev.ts');
const { statusCommand } = await import('./status.ts');
const { verifyCommand } = await import('./verify.ts');

const program = lifeboatProgram(
  [
    versionCommand(),
    runCommand(),
    uninstallCommand(),
    restoreCommand(),
    refCommand(),
    copyCommand(),
    devCommand(),
    statusCommand(),
    verifyCommand(),
  ],
  `lifeboat ${lifeboatVersion()} (node ${process.version})`,
);
process.exitCode = await runProgram(program, process.argv);
