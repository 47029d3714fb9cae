// One status condition set the way metav1.Condition's helpers set it, for every condition an
// ImageBackup carries (Ready, SourceAvailable).
import { capText } from '../../common/cap-text.ts';
import { conditionSchema, type Condition, type ImageBackupStatus } from '../api/image-backup-schema.ts';

/** What the CRD accepts (B6): a longer reason or message would make the whole status write a 422. */
export const MAX_MESSAGE = conditionSchema.shape.message.maxLength ?? 32_768;
const MAX_REASON = conditionSchema.shape.reason.maxLength ?? 1_024;

/**
 * The conditions of `current` with `type` set, the others as they were. `lastTransitionTime` moves
 * only when the status changes; reason and message are capped to what the CRD accepts.
 */
export function withCondition(
  current: ImageBackupStatus | undefined,
  type: string,
  set: { status: Condition['status']; reason: string; message: string; generation: number; now: Date },
): Condition[] {
  const others = (current?.conditions ?? []).filter((c) => c.type !== type);
  const previous = current?.conditions?.find((c) => c.type === type);
  const lastTransitionTime =
    previous !== undefined && previous.status === set.status
      ? previous.lastTransitionTime
      : set.now.toISOString();
  return [
    ...others,
    {
      type,
      status: set.status,
      observedGeneration: set.generation,
      lastTransitionTime,
      reason: capText(set.reason, MAX_REASON),
      message: capText(set.message, MAX_MESSAGE),
    },
  ];
}
