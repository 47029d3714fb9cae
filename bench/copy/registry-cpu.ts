// CPU seconds used by a registry server process, read from /proc: on a 2-core machine the registries
// take a large share of the CPU during a copy, and a copier that makes them work harder is slower.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Kernel clock ticks per second (USER_HZ), 100 on every Linux we run on. */
const CLOCK_TICKS = 100;

/** The pid of the distribution server started by src/devenv for `dataDir` (its config sits beside it). */
export function registryPid(dataDir: string): number {
  const config = join(dirname(dataDir), 'config.yml');
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.includes(config) && cmdline.includes('serve')) return Number(entry);
    } catch {
      // The process ended while we looked: not ours.
    }
  }
  throw new Error(`no registry process serves ${config}`);
}

/** User + system CPU seconds `pid` has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the parenthesised command name, which may itself hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** CPU seconds the whole machine has spent busy (all cores, everything but idle and iowait). */
export function machineBusySeconds(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [, user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / CLOCK_TICKS;
}
