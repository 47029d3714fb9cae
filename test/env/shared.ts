// One control plane per test run, shared by every suite: starting one costs tens of seconds on a
// 2-core machine. Tests run in one process (--test-isolation=none), so a module-level promise is
// enough; the global teardown (test/global-setup.ts) stops it.
import { startControlPlane, type ControlPlane } from './control-plane.ts';

const SHARED_NODES = 3;
let shared: Promise<ControlPlane> | undefined;

/** The run's shared control plane, with 3 kwok nodes; started by the first caller. */
export function sharedControlPlane(): Promise<ControlPlane> {
  shared ??= startControlPlane({ nodes: SHARED_NODES });
  return shared;
}

export async function stopSharedControlPlane(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (current) await (await current.catch(() => undefined))?.stop();
}
