import { createHttpServer } from '@core/http/http-server';
import type { CorePorts } from '@core/index';
import { makeReadyCore, makeTestCore } from './test-core';

/**
 * A real core behind the real loopback HTTP server (console bridge + REST) on a free port. `ready` initializes and
 * unlocks the vault first (sign-in needs it: the JWT signing key is sealed by the vault).
 */
export async function startTestServer(env: NodeJS.ProcessEnv = {}, opts: { ready?: boolean; ports?: CorePorts } = {}) {
  const t = opts.ready ? await makeReadyCore(opts.ports) : makeTestCore(opts.ports);
  const consoleToken = 'test-console-token-' + Math.random().toString(36).slice(2);
  const { createAuthenticator } = await import('@core/http/rest/auth');
  const server = createHttpServer(t.core, t.handlers, { port: 0, consoleToken, authenticate: createAuthenticator(t.core, env) });
  const { url, port } = await server.listen();
  return {
    ...t,
    url,
    port,
    consoleToken,
    server,
    async stop() {
      await server.close();
      t.close();
    },
  };
}
