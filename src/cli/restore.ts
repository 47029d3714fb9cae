// `lifeboat restore [-n NS | -A] [KIND/NAME]`: puts back the images lifeboat's rewrite replaced,
// from each workload's lifeboat.dev/original-images annotation, and removes the annotation. Wiring
// only: the patch is planned by planRestore (controllers/workloads/restore.ts). One line per workload
// on stdout; logs on stderr. Exit 0 when every workload was restored, 1 when one failed, 2 for bad
// arguments. A running `lifeboat run` would rewrite the workloads again: stop it first.
import { Command } from 'commander';
import type { ContainerRestore, RestorePlan } from '../controllers/workloads/restore.ts';
import type { Workload, WorkloadKind } from '../controllers/api/workload-types.ts';
import type { KubeObject, ResourceClient } from '../kube/index.ts';
import { addFlags } from './config/commander.ts';
import { readConfigOrReport } from './read-config.ts';
import { RESTORE_FLAGS, type RestoreConfig } from './config/restore-flags.ts';
import { workloadScope } from './config/shared-flags.ts';
import { connectOrReport } from './connect.ts';
import { messageOf, reportError } from './exit.ts';
import { createProcessLogger } from './logging.ts';
import { parseWorkloadTarget, type WorkloadTarget } from './workload-target.ts';

/** What is listed and patched: the structural workload, named. */
type WorkloadObject = Workload & KubeObject;

/** Plans per workload when other writers keep changing it under us (each a 422/409, re-read). */
const RACE_ATTEMPTS = 5;

export function restoreCommand(): Command {
  const command = new Command('restore')
    .description(
      'Put back the original images of the workloads lifeboat rewrote (from their lifeboat.dev/original-images ' +
        'annotation) and remove its annotations; containers changed since are left alone. Stop `lifeboat run` first, ' +
        'or it rewrites them again.',
    )
    .argument(
      '[kind/name]',
      'only this workload: deployment/NAME, daemonset/NAME, statefulset/NAME, cronjob/NAME',
    );
  addFlags(command, RESTORE_FLAGS);
  return command.action(async (target: string | undefined, _flags: unknown, cmd: Command) => {
    const config = readConfigOrReport(cmd, RESTORE_FLAGS, workloadScope);
    if (!config) return;
    let selected: WorkloadTarget | undefined;
    try {
      selected = target === undefined ? undefined : parseWorkloadTarget(target);
    } catch (err) {
      reportError(messageOf(err), 'usage');
      return;
    }
    await restore(config, selected);
  });
}

/** `web → nginx:1.25, cache left (now redis:8)`: what the plan does to each listed container. */
function describeContainers(containers: readonly ContainerRestore[]): string {
  const parts = containers.map((c) => {
    switch (c.action) {
      case 'restore':
        return `${c.container} → ${c.original}`;
      case 'original':
        return `${c.container} already ${c.original}`;
      case 'changed':
        return `${c.container} left as ${c.current ?? ''} (changed since)`;
      case 'missing':
        return `${c.container} gone`;
    }
  });
  return parts.join(', ');
}

async function restore(config: RestoreConfig, target: WorkloadTarget | undefined): Promise<void> {
  const kube = await import('../kube/index.ts');
  const { planRestore } = await import('../controllers/workloads/restore.ts');
  const logger = createProcessLogger({
    format: config.logFormat,
    level: config.logLevel,
    out: process.stderr,
  });
  const api = await connectOrReport(config, logger);
  if (!api) return;
  let failed = 0;
  let found = 0;
  const namespace = config.namespace;

  /** Plans and patches one workload, planning again on fresh state after a lost race. */
  const restoreOne = async (
    kind: WorkloadKind,
    client: ResourceClient<WorkloadObject>,
    read: WorkloadObject,
  ): Promise<void> => {
    const { name, namespace: ns = '' } = read.metadata;
    const label = `${kind} ${ns}/${name}`;
    let current: WorkloadObject | undefined = read;
    for (let attempt = 1; current !== undefined; attempt++) {
      const plan: RestorePlan | undefined = planRestore(kind, current);
      if (plan === undefined) return; // the annotation went meanwhile: nothing of ours is left
      if (config.dryRun) {
        process.stdout.write(`${label}: would restore: ${describeContainers(plan.containers)}\n`);
        return;
      }
      try {
        await client.jsonPatch(name, plan.patch, { namespace: ns });
        process.stdout.write(`${label}: restored: ${describeContainers(plan.containers)}\n`);
        logger.info({ kind, namespace: ns, name, containers: plan.containers }, 'workload restored');
        return;
      } catch (err) {
        if (attempt >= RACE_ATTEMPTS || !(kube.isInvalid(err) || kube.isConflict(err))) throw err;
        logger.debug(
          { kind, namespace: ns, name, err },
          'workload changed under the patch: reading it again',
        );
      }
      current = await client.find(name, { namespace: ns });
    }
    logger.info({ kind, namespace: ns, name }, 'workload deleted before it was restored');
  };

  try {
    const kinds = target === undefined ? config.kinds : [target.kind];
    for (const kind of kinds) {
      const resource = Object.values(kube.RESOURCES).find((r) => r.kind === kind);
      if (resource === undefined) throw new Error(`no resource for kind ${kind}`);
      const client = kube.resourceClient<WorkloadObject>(api, resource);
      const workloads = await client.listAll({
        namespace,
        fieldSelector: target === undefined ? undefined : `metadata.name=${target.name}`,
      });
      found += workloads.length;
      for (const workload of workloads) {
        try {
          await restoreOne(kind, client, workload);
        } catch (err) {
          failed++;
          const { name, namespace: ns } = workload.metadata;
          reportError(`${kind} ${ns ?? ''}/${name}: ${messageOf(err)}`);
        }
      }
    }
    if (target !== undefined && found === 0) {
      const where = namespace === undefined ? 'any namespace' : `namespace ${namespace}`;
      reportError(`${target.kind} ${target.name} not found in ${where}`);
      failed++;
    }
  } catch (err) {
    reportError(messageOf(err));
    failed++;
  } finally {
    await api.close();
  }
  if (failed > 0) process.exitCode = 1;
}
