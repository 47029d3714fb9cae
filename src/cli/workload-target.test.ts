import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWorkloadTarget } from './workload-target.ts';

describe('KIND/NAME as kubectl spells it', () => {
  const accepted: [string, string, string][] = [
    ['deployment/web', 'Deployment', 'web'],
    ['deploy/web', 'Deployment', 'web'],
    ['Deployment/web', 'Deployment', 'web'],
    ['deployments/web', 'Deployment', 'web'],
    ['deployment.apps/web', 'Deployment', 'web'],
    ['deployments.v1.apps/web', 'Deployment', 'web'],
    ['ds/agent', 'DaemonSet', 'agent'],
    ['DaemonSets/agent', 'DaemonSet', 'agent'],
    ['sts/db-0.x', 'StatefulSet', 'db-0.x'],
    ['statefulset.apps/db', 'StatefulSet', 'db'],
    ['cj/nightly', 'CronJob', 'nightly'],
    ['cronjob.batch/nightly', 'CronJob', 'nightly'],
  ];
  for (const [text, kind, name] of accepted) {
    it(`reads ${text}`, () => assert.deepEqual(parseWorkloadTarget(text), { kind, name }));
  }
  const refused = [
    'web',
    'deployment/',
    '/web',
    'deployment/web/x',
    'job/web',
    'pod/web',
    'deployment.batch/web',
    'cronjob.apps/web',
    'deployment/Web',
    'deployments.v1.v2.apps/web',
  ];
  for (const text of refused) {
    it(`refuses ${text}, naming it`, () => {
      assert.throws(
        () => parseWorkloadTarget(text),
        (err: Error) => err.message.startsWith(JSON.stringify(text)),
      );
    });
  }
});
