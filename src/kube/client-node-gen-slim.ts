// What client-node's dist/config.js imports from its generated API client, and nothing more: loaded
// in place of dist/gen/index.js by the hook in client-node-slim.ts.
export { createConfiguration } from '@kubernetes/client-node/dist/gen/configuration.js';
export { ServerConfiguration } from '@kubernetes/client-node/dist/gen/servers.js';
