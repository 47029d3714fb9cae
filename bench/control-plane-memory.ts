// Memory of the test control plane at rest: starts etcd, kube-apiserver, controller-manager,
// scheduler and kwok with N fake nodes (src/devenv, the same binaries as the tests and `lifeboat
// dev`), lets it settle, then samples each process's resident set from /proc a few times.
//
//   node bench/control-plane-memory.ts [--nodes 3] [--settle-s 60] [--samples 5]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { startControlPlane } from '../src/devenv/index.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '3' },
    'settle-s': { type: 'string', default: '60' },
    samples: { type: 'string', default: '5' },
  },
});
const nodes = Number(values.nodes);
const settleMs = Number(values['settle-s']) * 1000;
const samples = Math.max(1, Number(values.samples));

/** Resident set in MiB as the kernel reports it (VmRSS), or 0 once the process is gone. */
function rssMiB(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.replace(/\D+/g, '')) / 1024 : 0;
  } catch {
    return 0;
  }
}

const started = Date.now();
const cluster = await startControlPlane({ nodes });
try {
  console.error(`control plane with ${nodes} nodes up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  await sleep(settleMs);
  const perProcess = new Map<string, number[]>();
  for (let i = 0; i < samples; i++) {
    for (const { name, pid } of cluster.processes()) {
      perProcess.set(name, [...(perProcess.get(name) ?? []), rssMiB(pid)]);
    }
    if (i < samples - 1) await sleep(2000);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  console.log(
    `| process (${nodes} kwok nodes, idle ${settleMs / 1000} s) | RSS MiB (median of ${samples}) |`,
  );
  console.log('| --- | ---: |');
  let total = 0;
  for (const [name, values] of perProcess) {
    total += median(values);
    console.log(`| ${name} | ${median(values).toFixed(0)} |`);
  }
  console.log(`| **total** | **${total.toFixed(0)}** |`);
} finally {
  await cluster.stop();
}
