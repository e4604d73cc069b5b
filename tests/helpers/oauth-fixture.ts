import type { CorePorts } from '@core/index';
import { makeReadyCore, unwrap } from './test-core';
import { TEST_CLIENT, driveBrowser, startOidcServer, type OidcServer, type OidcServerOptions } from '../fakes/oidc-server';

/** A clock the test moves by hand (the token service schedules on it; the authorization server keeps real time). */
export function fakeClock(start = Date.now()) {
  let t = start;
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
    set(ms: number) {
      t = ms;
    },
  };
}

export const FAST_RETRIES = { baseDelayMs: 5, maxDelayMs: 50, attempts: 3, offlineRetryMs: 1_000 };

/**
 * A ready core + the real oidc-provider on loopback + the Okta-shaped OAuth app registered for it.
 * `authorize()` runs the whole consent flow the way a browser would and returns the connection id.
 */
export async function oauthFixture(opts: { server?: OidcServerOptions; ports?: CorePorts; dataDir?: string; oidc?: OidcServer } = {}) {
  const oidc = opts.oidc ?? (await startOidcServer(opts.server));
  const clock = fakeClock();
  const t = await makeReadyCore({ clock, oauthRefreshPolicy: FAST_RETRIES, ...opts.ports }, opts.dataDir);
  const ws = t.core.workspaces.defaultWorkspace().id;
  const app = unwrap(
    await t.invoke('oauthApps:create', {
      workspaceId: ws,
      provider: 'okta',
      clientId: TEST_CLIENT.clientId,
      clientSecret: TEST_CLIENT.clientSecret,
      scopes: ['openid', 'profile'],
      settings: { baseUrl: oidc.issuer },
    }),
  );

  async function waitFlow(flowId: string) {
    for (let i = 0; i < 200; i++) {
      const s = unwrap(await t.invoke('oauth:flowStatus', { workspaceId: ws, flowId }));
      if (s.state !== 'pending') return s;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error('flow still pending');
  }

  async function authorize(name = 'Okta prod') {
    const started = unwrap(await t.invoke('oauth:authorize', { workspaceId: ws, name, provider: 'okta', settings: { orgUrl: oidc.issuer } }));
    const page = await driveBrowser(started.authorizationUrl);
    const status = await waitFlow(started.flowId);
    return { started, page, status, connectionId: status.connectionId };
  }

  return {
    ...t,
    oidc,
    clock,
    ws,
    app,
    authorize,
    waitFlow,
    async stop() {
      t.close();
      if (!opts.oidc) await oidc.close();
    },
  };
}
