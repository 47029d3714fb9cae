// The embedded environment: real servers on loopback, built from the pinned binaries of tools/.
// `lifeboat dev` runs it for people; the integration tests and benchmarks run the same code, so what
// a developer tries by hand is what the tests exercise. Nothing here is a fake: each server is the
// upstream implementation, and fixtures are pushed by crane, never by lifeboat's own code.
export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.ts';
export {
  startRegistry,
  type LocalRegistry,
  type LocalRegistryOptions,
  type LocalRegistryAuth,
  type LifeboatTokenAuth,
} from './registry.ts';
export { createTokenServicePki, tlsSecretData, type TokenServicePki } from './token-service-pki.ts';
export { pushImage, pushIndex, type PushedImage, type PushedIndex, type FixtureOptions } from './fixtures.ts';
export { toolPath, toolsBin, runTool, type ToolRun } from './tools.ts';
export { startTokenServer, type TokenServer, type TokenServerOptions } from './token-server.ts';
export { freePort } from './ports.ts';
export { waitFor, type WaitOptions } from './wait.ts';
