export { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './control-plane.ts';
export { sharedControlPlane } from './shared.ts';
export { startRegistry, type TestRegistry, type RegistryOptions, type RegistryAuth } from './registry.ts';
export { pushImage, pushIndex, type PushedImage, type PushedIndex, type FixtureOptions } from './fixtures.ts';
export { toolPath, toolsBin, runTool, type ToolRun } from './tools.ts';
export { startTokenServer, type TokenServer } from './token-server.ts';
export { freePort } from './ports.ts';
export { waitFor } from './wait.ts';
