// Whether a workload would survive its sources vanishing now, as far as the caches tell (issue 15
// item 6): the verdict behind `lifeboat_workloads{protection}`. Read off the controller's own
// decision (decide.ts) and the snapshot it was made from, never restated: no registry is asked, so
// a backup the registry lost is found by `lifeboat verify` or the next recheck, not here.
//
//   excluded  — lifeboat leaves the workload alone by the operator's choice: its namespace is
//               excluded or terminating, it is annotated `lifeboat.dev/ignore=true`, or every image
//               is left out by `--exclude-images` / `--source-registries`;
//   protected — every other image runs from the backup registry, each one lifeboat moved there on a
//               backup that is Ready, and the namespace holds the pull secret;
//   exposed   — anything else: not rewritten yet (whatever holds it back), an image that is not a
//               valid reference, reverted by another writer, a backup no longer Ready, no pull secret.
import type { Decision, WorkloadSnapshot } from './decide.ts';

export const PROTECTIONS = ['protected', 'exposed', 'excluded'] as const;
export type Protection = (typeof PROTECTIONS)[number];

/** The decision's `leave` reasons that mean "hands off": nothing of the workload is lifeboat's. */
const HANDS_OFF: ReadonlySet<string> = new Set(['namespace-excluded', 'namespace-terminating', 'ignored']);
/** Images the operator left out: neither protected nor exposed. */
const LEFT_OUT: ReadonlySet<string> = new Set(['excluded-image', 'registry-not-selected']);

export function workloadProtection(
  decision: Decision,
  snapshot: Pick<WorkloadSnapshot, 'backups' | 'pullSecretPresent'>,
): Protection {
  if (decision.step === 'leave' && HANDS_OFF.has(decision.reason)) return 'excluded';
  const { images, invalid } = decision.eligibility;
  if (invalid.length > 0) return 'exposed';
  const counted = images.filter((i) => i.skipReason === undefined || !LEFT_OUT.has(i.skipReason));
  if (counted.length === 0) return 'excluded';
  // Only an image already in the backup registry can be protected; the backup lifeboat moved it to
  // (recorded in ORIGINAL_IMAGES) must still be Ready. An image written there by someone else has
  // no backup of lifeboat's to check: being in the backup registry is all it can have.
  const onBackups = new Map((decision.plan?.onBackups ?? []).map((b) => [b.container, b.backupName]));
  for (const image of counted) {
    if (image.skipReason !== 'already-backed-up') return 'exposed';
    const name = onBackups.get(image.container);
    if (name !== undefined && snapshot.backups.get(name)?.status?.phase !== 'Ready') return 'exposed';
  }
  return snapshot.pullSecretPresent ? 'protected' : 'exposed';
}
