// The auditor (issue 9: "runs beside every end-to-end test and fails it if, at any moment, a
// workload references a backup image whose manifest is missing"). It lists every workload of the
// four kinds in every namespace, again and again (a bounded pause between rounds), and for every
// container image in the backup registry HEADs its top manifest with the read-only user's token
// (registry-check.ts: plain HTTP, independent of lifeboat's code). A missing manifest, or one
// whose digest is not the one the image pins, is a violation; with `complete`, so is a missing child
// manifest, config or layer.
import type { KubeApi } from '../../../src/kube/index.ts';
import type { LocalRegistry } from '../../../src/devenv/index.ts';
import { readerCredentials } from './backup-env.ts';
import { registryReader, splitImage } from './registry-check.ts';
import { imagesOf, KINDS, workloads } from './workloads.ts';

export interface Violation {
  readonly at: string;
  readonly workload: string;
  readonly container: string;
  readonly image: string;
  readonly problem: string;
}

export interface Auditor {
  /** Backup images checked so far (one per image per round): proves the auditor looked. */
  checks(): number;
  /** Rounds completed. */
  rounds(): number;
  /** Stops after the current round and returns every violation seen. */
  stop(): Promise<Violation[]>;
}

export interface AuditorOptions {
  readonly api: KubeApi;
  readonly backup: LocalRegistry;
  /** Pause between rounds. */
  readonly intervalMs?: number;
  /** Namespaces not audited (a test that plants a violation on purpose). */
  readonly ignoreNamespaces?: ReadonlySet<string>;
  /**
   * Also that the image is complete: every child manifest of an index (GET, digest compared) and
   * every config and layer blob (HEAD). Off by default: only the top manifest is HEADed.
   */
  readonly complete?: boolean;
}

interface ManifestBody {
  manifests?: { digest: string }[];
  config?: { digest: string };
  layers?: { digest: string }[];
}

export function startAuditor(options: AuditorOptions): Auditor {
  const reader = registryReader(options.backup, readerCredentials(options.backup));
  const stopping = new AbortController();
  const violations: Violation[] = [];
  let checks = 0;
  let rounds = 0;

  async function round(): Promise<void> {
    // image → where it is used; each distinct image is checked once per round.
    const uses = new Map<string, { workload: string; container: string }[]>();
    for (const kind of KINDS) {
      for (const w of await workloads(options.api, kind).listAll()) {
        const ns = w.metadata.namespace ?? '';
        if (options.ignoreNamespaces?.has(ns)) continue;
        for (const [container, image] of Object.entries(imagesOf(w))) {
          if (!image.startsWith(`${options.backup.host}/`)) continue;
          const list = uses.get(image) ?? [];
          list.push({ workload: `${kind} ${ns}/${w.metadata.name}`, container });
          uses.set(image, list);
        }
      }
    }
    await Promise.all(
      [...uses].map(async ([image, where]) => {
        const problem = await check(image);
        checks++;
        if (problem === undefined) return;
        const at = new Date().toISOString();
        for (const use of where) violations.push({ at, image, problem, ...use });
      }),
    );
  }

  async function check(image: string): Promise<string | undefined> {
    const parts = splitImage(image, options.backup.host)!;
    const reference = parts.digest ?? parts.tag ?? 'latest';
    const head = await reader.headManifest(parts.repository, reference, stopping.signal);
    if (head.status === 404) return `top manifest ${reference} missing from ${parts.repository}`;
    if (head.status !== 200) return `HEAD of ${parts.repository}:${reference} answered HTTP ${head.status}`;
    if (parts.digest !== undefined && head.digest !== parts.digest) {
      return `manifest digest ${head.digest} is not the pinned ${parts.digest}`;
    }
    return options.complete ? incomplete(parts.repository, head.digest ?? reference) : undefined;
  }

  /** What is missing below the manifest `digest` (children, config, layers); undefined when nothing. */
  async function incomplete(repository: string, digest: string, depth = 0): Promise<string | undefined> {
    const read = await reader.getManifest(repository, digest, stopping.signal);
    if (read.status !== 200 || read.body === undefined) {
      return `manifest ${digest} of ${repository}: HTTP ${read.status}`;
    }
    if (read.digest !== undefined && read.digest !== digest) {
      return `manifest ${digest} of ${repository} served as ${read.digest}`;
    }
    const manifest = JSON.parse(read.body.toString('utf8')) as ManifestBody;
    if (manifest.manifests !== undefined) {
      if (depth > 2) return `manifest ${digest} of ${repository}: indexes nested too deep`;
      for (const child of manifest.manifests) {
        const problem = await incomplete(repository, child.digest, depth + 1);
        if (problem !== undefined) return problem;
      }
      return undefined;
    }
    const blobs = [
      ...(manifest.config ? [['config', manifest.config.digest] as const] : []),
      ...(manifest.layers ?? []).map((l) => ['layer', l.digest] as const),
    ];
    for (const [what, blob] of blobs) {
      const status = await reader.headBlob(repository, blob, stopping.signal);
      if (status !== 200) return `${what} ${blob} of manifest ${digest} in ${repository}: HTTP ${status}`;
    }
    return undefined;
  }

  const loop = (async () => {
    while (!stopping.signal.aborted) {
      try {
        await round();
        rounds++;
      } catch (error) {
        // The API or the registry being briefly unreachable is no violation; the next round looks
        // again. Stopping aborts a HEAD in flight: also not a finding.
        if (!stopping.signal.aborted) {
          const message = error instanceof Error ? error.message : String(error);
          process.stderr.write(`# auditor: round failed (retried): ${message}\n`);
        }
      }
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
    }
  })();

  return {
    checks: () => checks,
    rounds: () => rounds,
    async stop() {
      stopping.abort();
      await loop;
      return violations;
    },
  };
}
