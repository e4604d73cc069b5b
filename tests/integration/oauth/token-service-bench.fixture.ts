// The deps a token service built by hand in a test takes from a test core: the core's own access, audit, bus, vault
// and connections, the system actor, a stub OAuth app whose token endpoint is `baseUrl` (or none), and a quick policy.
// Shared by oauth-token-edges and oauth-token-contention so both build the service the way the core does.
import { SYSTEM_ACTOR } from '@core/index';
import type { RefreshPolicy } from '@core/oauth/oauth-token-service';
import type { makeReadyCore } from '../../helpers/test-core';

type TestCore = Awaited<ReturnType<typeof makeReadyCore>>;

/** attempts 3, back-off 100 ms to 1 s, a minute of expiry skew, offline retry in 5 s, a 30 s lease. */
export const BENCH_POLICY = { attempts: 3, baseDelayMs: 100, maxDelayMs: 1_000, expirySkewMs: 60_000, offlineRetryMs: 5_000, leaseMs: 30_000 } satisfies Partial<RefreshPolicy>;

export function coreTokenDeps(t: TestCore, app: { baseUrl: string } | null) {
  return {
    access: t.core.access,
    audit: t.core.audit,
    bus: t.core.bus,
    vault: t.core.vault,
    connections: t.core.connections,
    apps: {
      internal: {
        clientFor: () => (app ? ({ app: { clientId: 'stub-client', settings: { baseUrl: app.baseUrl } }, clientSecret: 'stub-client-secret' } as never) : null),
      },
    },
    system: SYSTEM_ACTOR,
  };
}
