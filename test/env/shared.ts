// One control plane per test run, shared by every suite: starting one costs tens of seconds on a
// 2-core machine. Tests run in one process (--test-isolation=none), so a module-level promise is
// enough; the global teardown (test/global-setup.ts) stops it. Test-only: `lifeboat dev` starts its
// own control plane with src/devenv directly.
import { startControlPlane, type ControlPlane } from '../../src/devenv/index.ts';

const SHARED_NODES = 3;

// Kept on globalThis, not in a module variable: the test runner may load this module more than
// once (global setup and test files resolve it separately), and all copies must share one cluster.
const slot = Symbol.for('lifeboat.test-env.shared-control-plane');
const holder = globalThis as { [slot]?: Promise<ControlPlane> };

/** The run's shared control plane, with 3 kwok nodes; started by the first caller. */
export function sharedControlPlane(): Promise<ControlPlane> {
  holder[slot] ??= startControlPlane({ nodes: SHARED_NODES });
  return holder[slot];
}

export async function stopSharedControlPlane(): Promise<void> {
  const current = holder[slot];
  delete holder[slot];
  if (current) await (await current.catch(() => undefined))?.stop();
}
