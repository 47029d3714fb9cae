// node --test global setup: everything the environment started is stopped once, after all suites.
import { stopSharedControlPlane } from './env/shared.ts';

export async function globalTeardown(): Promise<void> {
  await stopSharedControlPlane();
}
