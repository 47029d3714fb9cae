// `lifeboat dev` as a newcomer runs it (`npm start`), with stdout a pipe (plain lines): it must
// rewrite every eligible demo workload to the backup registry, its suggested commands must work as
// printed after its one setup line in a clean shell, and Ctrl-C must leave nothing behind: no
// process it started, no port it listened on, no temporary directory.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { promisify } from 'node:util';
import {
  createKubeApi,
  loadKubeConfig,
  RESOURCES,
  resourceClient,
  type KubeObject,
} from '../../../src/kube/index.ts';
import { startLifeboat } from '../lifeboat-process.ts';

const run = promisify(execFile);
const tmp = mkdtempSync(join(tmpdir(), 'lifeboat-dev-test-'));
// The HOME of the suggested commands' shell (kubectl keeps a cache there): not in `tmp`.
const shellHome = mkdtempSync(join(tmpdir(), 'lifeboat-dev-shell-'));
after(() => {
  rmSync(tmp, { recursive: true, force: true });
  rmSync(shellHome, { recursive: true, force: true });
});

const KINDS = [
  RESOURCES.deployments,
  RESOURCES.daemonSets,
  RESOURCES.statefulSets,
  RESOURCES.cronJobs,
] as const;

interface AnyWorkload extends KubeObject {
  spec: {
    template?: { spec: { containers: { image: string }[] } };
    jobTemplate?: { spec: { template: { spec: { containers: { image: string }[] } } } };
  };
}

function imagesOf(w: AnyWorkload): string[] {
  const pod = w.spec.template ?? w.spec.jobTemplate?.spec.template;
  return (pod?.spec.containers ?? []).map((c) => c.image);
}

/** pid → its /proc start time, for every descendant of `root` (a pid reused later has another). */
function descendants(root: number): Map<number, string> {
  const parents = new Map<number, number>();
  const starts = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command (which may hold spaces) start after its closing parenthesis.
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8')
        .replace(/^.*\) /s, '')
        .split(' ');
      parents.set(Number(entry), Number(fields[1]));
      starts.set(Number(entry), fields[19]!);
    } catch {
      // Gone while listing.
    }
  }
  const found = new Map<number, string>();
  const walk = (pid: number): void => {
    for (const [child, parent] of parents)
      if (parent === pid && !found.has(child)) {
        found.set(child, starts.get(child)!);
        walk(child);
      }
  };
  walk(root);
  return found;
}

function alive(pid: number, start: string): boolean {
  try {
    return (
      readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /s, '')
        .split(' ')[19] === start
    );
  } catch {
    return false;
  }
}

function refuses(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

it('npm start: rewrites every eligible demo workload, its suggestions work, Ctrl-C leaves nothing', async (t) => {
  const started = performance.now();
  // Its own TMPDIR: every temporary directory the command and its servers make lands here. Its own
  // HOME too (startLifeboat's), so the warm tools cache is named by XDG_CACHE_HOME.
  const dev = startLifeboat(['dev'], {
    TMPDIR: tmp,
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'),
  });
  try {
    const done = await dev.waitForLog(
      (l) => /^all \d+ eligible workloads rewritten/.test(l.msg),
      'all eligible workloads rewritten',
      300_000,
    );
    t.diagnostic(
      `lifeboat dev: "${done.msg}"; ${((performance.now() - started) / 1000).toFixed(1)} s after spawn`,
    );
    const output = dev.logs.map((l) => l.msg);
    const printed = (pattern: RegExp): string => {
      const match = output.map((l) => pattern.exec(l)).find((m) => m !== null);
      assert.ok(match, `printed ${pattern}`);
      return match[1]!;
    };
    const kubeconfig = printed(/^\s+KUBECONFIG=(\S+)$/);
    const envFile = printed(/^\s+source (\S+)$/);
    const backupHost = new URL(printed(/^\s+backup registry:\s+(\S+)/)).host;
    assert.match(printed(/^\s+kubectl: (\S+)$/), /\/kubectl$/);

    // Through the API: every workload outside the excluded namespace runs from the backup registry.
    const api = createKubeApi({ kubeConfig: loadKubeConfig(kubeconfig) });
    try {
      const kinds = new Set<string>();
      let eligible = 0;
      for (const kind of KINDS) {
        for (const w of (await resourceClient<AnyWorkload>(api, kind).list()).items) {
          const onBackup = imagesOf(w).every((image) => image.startsWith(`${backupHost}/lifeboat/`));
          if (w.metadata.namespace === 'legacy') assert.ok(!onBackup, `${w.metadata.name} is excluded`);
          else {
            assert.ok(
              onBackup,
              `${kind.kind} ${w.metadata.namespace}/${w.metadata.name}: ${imagesOf(w).join()}`,
            );
            kinds.add(kind.kind);
            eligible++;
          }
        }
      }
      assert.deepEqual([...kinds].sort(), ['CronJob', 'DaemonSet', 'Deployment', 'StatefulSet']);
      assert.ok(eligible >= 5, `${eligible} eligible workloads`);
    } finally {
      await api.close();
    }

    // Suggested commands, as printed, in a clean shell after the one setup line.
    const suggested = (prefix: string): string => {
      const line = output.find((l) => l.trimStart().startsWith(prefix));
      assert.ok(line, `suggests ${prefix}`);
      return line.trim();
    };
    const shell = async (command: string): Promise<string> =>
      (
        await run('bash', ['-c', `source ${envFile} && ${command}`], {
          env: { HOME: shellHome, PATH: '/usr/bin:/bin' },
          cwd: shellHome,
        })
      ).stdout;
    const backups = await shell(suggested('kubectl get imagebackups'));
    assert.match(backups, /library\/nginx:1\.25\s+Ready/);
    assert.match(backups, /acme\/billing:2\.0\s+Ready/);
    const copied = await shell(suggested('lifeboat copy'));
    assert.match(copied, /\/manual\/redis@sha256:[0-9a-f]{64}/);
    const status = await shell(suggested('lifeboat status'));
    assert.match(status, /shop\s+Deployment\/web\s+Rewritten/i);
    assert.match(status, /legacy\s+Deployment\/old-web\s+Excluded/i);

    // Everything it started, and everything it printed it listens on, before the signal.
    const processes = descendants(dev.child.pid!);
    assert.ok(processes.size >= 8, `control plane and registries are descendants: ${processes.size}`);
    const addresses = output
      .flatMap((l) => [...l.matchAll(/\bhttps?:\/\/([\w.-]+):(\d+)/g)])
      .map((m) => ({ host: m[1]!, port: Number(m[2]) }));
    assert.ok(addresses.length >= 6, `printed addresses: ${JSON.stringify(addresses)}`);
    const dirs = printed(/^\s+temp dirs:\s+(.+)$/).split(' ');
    for (const dir of dirs) assert.ok(existsSync(dir), dir);

    assert.equal(await dev.stop('SIGINT'), 0, dev.stderr());
    assert.equal(dev.stderr(), '', 'nothing on stderr');
    const left = [...processes].filter(([pid, start]) => alive(pid, start));
    assert.deepEqual(left, [], 'no process left');
    for (const { host, port } of addresses) assert.ok(await refuses(host, port), `${host}:${port} refuses`);
    for (const dir of dirs) assert.ok(!existsSync(dir), `${dir} removed`);
    // Node's compile cache (enableCompileCache) is meant to outlive a run; nothing else may.
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f !== 'node-compile-cache'),
      [],
      'no temporary directory left',
    );
  } finally {
    await dev.stop('SIGKILL');
  }
});
