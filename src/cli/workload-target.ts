// `KIND/NAME` of one workload, spelled as kubectl accepts it: the kind in any case, singular,
// plural or short (`deploy`, `ds`, `sts`, `cj`), optionally with its API group (`deployment.apps`).
import { WORKLOAD_KINDS, type WorkloadKind } from '../controllers/api/workload-types.ts';
import { objectName } from './config/values.ts';

export interface WorkloadTarget {
  readonly kind: WorkloadKind;
  readonly name: string;
}

/** kubectl's short names (`kubectl api-resources`). */
const SHORT_NAMES: Readonly<Record<WorkloadKind, string>> = {
  Deployment: 'deploy',
  DaemonSet: 'ds',
  StatefulSet: 'sts',
  CronJob: 'cj',
};

const GROUPS: Readonly<Record<WorkloadKind, string>> = {
  Deployment: 'apps',
  DaemonSet: 'apps',
  StatefulSet: 'apps',
  CronJob: 'batch',
};

/** The kind a kubectl spelling names, or undefined. */
export function workloadKindOf(text: string): WorkloadKind | undefined {
  const [resource = '', ...group] = text.toLowerCase().split('.');
  return WORKLOAD_KINDS.find((kind) => {
    const singular = kind.toLowerCase();
    const spellings = [singular, `${singular}s`, SHORT_NAMES[kind]];
    // kubectl also takes `deployments.v1.apps`: the version sits between resource and group.
    const groupOk = group.length === 0 || group.at(-1) === GROUPS[kind];
    return groupOk && group.length <= 2 && spellings.includes(resource);
  });
}

/** Throws an Error whose message names the argument and what was expected. */
export function parseWorkloadTarget(text: string): WorkloadTarget {
  const [kindText = '', name = '', extra] = text.split('/');
  const kind = workloadKindOf(kindText);
  if (extra !== undefined || kind === undefined || !objectName.safeParse(name).success) {
    throw new Error(
      `${JSON.stringify(text)} is not KIND/NAME of a workload: expected deployment/NAME, daemonset/NAME, ` +
        'statefulset/NAME or cronjob/NAME (or deploy, ds, sts, cj)',
    );
  }
  return { kind, name };
}
