// A memory cgroup for lifeboat (`--memory-limit-mib`), so the benchmark can run it under the chart's
// memory limit (`resources.limits.memory`, 512Mi) as a pod runs it. It matters beyond the kernel's
// limit: Node sizes V8's heap from the memory it finds at start (a heap limit of 272 MB under
// 512 MiB, of 4.5 GB on this 24 GB machine), and V8 collects garbage lazily far below its limit, so
// the RSS of an unlimited process says little about a pod's.
//
// Made under this process's own memory cgroup (v1 memory controller, or v2 when that is all there
// is), before lifeboat starts; lifeboat joins it before node starts (spawnArgs); removed after
// lifeboat has exited. A machine where it cannot be made fails the run with the reason: the flag
// asked for a measurement that cannot be made there.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MemoryCgroup {
  readonly limitBytes: number;
  /** `sh -c` arguments that put the shell in the cgroup, then exec `command` (same pid). */
  spawnArgs(command: readonly string[]): { file: string; args: string[] };
  /** Removes the cgroup; only once every process in it has exited. */
  remove(): void;
}

/** The cgroup path of this process for `controller` (v1) or the unified hierarchy (v2). Pure. */
export function ownCgroupPath(procSelfCgroup: string, controller: string | undefined): string | undefined {
  for (const line of procSelfCgroup.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined) continue;
    if (controller === undefined ? controllers === '' : controllers!.split(',').includes(controller))
      return path;
  }
  return undefined;
}

export function createMemoryCgroup(limitBytes: number, name: string): MemoryCgroup {
  const self = readFileSync('/proc/self/cgroup', 'utf8');
  const v1Path = ownCgroupPath(self, 'memory');
  const v1 = v1Path !== undefined && existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes');
  const parent = v1
    ? join('/sys/fs/cgroup/memory', v1Path)
    : join('/sys/fs/cgroup', ownCgroupPath(self, undefined) ?? '/');
  const dir = join(parent, name);
  try {
    mkdirSync(dir);
    writeFileSync(join(dir, v1 ? 'memory.limit_in_bytes' : 'memory.max'), String(limitBytes));
  } catch (error) {
    throw new Error(
      `--memory-limit-mib: cannot make a memory cgroup at ${dir}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const procs = join(dir, 'cgroup.procs');
  return {
    limitBytes,
    spawnArgs: (command) => ({
      file: '/bin/sh',
      args: ['-c', 'echo $$ > "$0" && exec "$@"', procs, ...command],
    }),
    remove() {
      try {
        rmdirSync(dir);
      } catch {
        // Still in use (a process left behind) or already gone: the parent's cleanup is the OS's.
      }
    },
  };
}
