// Summarises a V8 .cpuprofile (from `node --cpu-prof`) into self time per function, so the report can
// say where lifeboat's CPU goes (hashing, stream plumbing, GC, idle waiting on the network or registry).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** Self time by function, largest first: `name (file:line)` → ms. */
  readonly top: readonly { readonly fn: string; readonly ms: number; readonly share: number }[];
}

export function summariseProfile(file: string, topN = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<string, number>();
  // Each sample's time is the delta to the next sample (V8's own attribution).
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i] ?? -1);
    if (node === undefined) continue;
    const delta = profile.timeDeltas[i + 1] ?? 0;
    const { functionName, url, lineNumber } = node.callFrame;
    const key =
      url === ''
        ? functionName || '(anonymous)'
        : `${functionName || '(anonymous)'} (${basename(url)}:${lineNumber + 1})`;
    selfUs.set(key, (selfUs.get(key) ?? 0) + delta);
  }
  const totalUs = profile.endTime - profile.startTime;
  const top = [...selfUs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, topN)
    .map(([fn, us]) => ({ fn, ms: us / 1000, share: us / totalUs }));
  return { totalMs: totalUs / 1000, top };
}
