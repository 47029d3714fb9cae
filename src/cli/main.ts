#!/usr/bin/env node
// Entry point of the `lifeboat` CLI: it only wires commands; each command lives in its own file.
import { Command } from 'commander';
import { versionCommand } from './version.ts';
import { refCommand } from './ref.ts';
import { copyCommand } from './copy.ts';

const program = new Command('lifeboat')
  .description('Back up every image a cluster runs and run the workloads from the copies')
  .showHelpAfterError();

program.addCommand(versionCommand());
program.addCommand(refCommand());
program.addCommand(copyCommand());

await program.parseAsync(process.argv);
