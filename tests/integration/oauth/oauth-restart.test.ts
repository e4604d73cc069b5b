import { afterEach, describe, expect, it } from 'vitest';
import { count, makeTestCore, unwrap } from '../../helpers/test-core';
import { FAST_RETRIES, oauthFixture } from '../../helpers/oauth-fixture';
import { createMemoryKeyStore } from '../../fakes/memory-key-store';

let fx: Awaited<ReturnType<typeof oauthFixture>> | undefined;
afterEach(async () => {
  await fx?.stop();
  fx = undefined;
});

describe('rotation after a restart, and cleanup', () => {
  it('catches up at once after a restart (or sleep) that overslept the refresh window', async () => {
    const keyStore = createMemoryKeyStore();
    fx = await oauthFixture({ ports: { keyStore } });
    const id = (await fx.authorize()).connectionId!;
    fx.core.close(); // the app quits with a live access token in memory only

    fx.clock.advance(3 * 3600_000); // …and comes back long after the token expired
    const again = makeTestCore({ keyStore, clock: fx.clock, oauthRefreshPolicy: FAST_RETRIES }, fx.dataDir);
    try {
      await again.core.start();
      expect(again.core.vault.isUnlocked()).toBe(true);
      await again.core.scheduler.runDue();
      await again.core.oauth.tokens.internal.settle();
      expect(fx.oidc.stats.refreshOk).toBe(1);
      expect(fx.oidc.stats.refreshInvalidGrant).toBe(0);
      // the token the job fetched is served from memory: no second refresh
      expect(await again.core.oauth.tokens.internal.getAccessToken(id)).toBeTruthy();
      expect(fx.oidc.stats.refreshOk).toBe(1);
      const info = unwrap(await again.invoke('connections:get', { workspaceId: fx.ws, id })).oauth!;
      expect(Date.parse(info.nextRefreshAt!)).toBeGreaterThan(fx.clock.now().getTime());

      // Deleting the connection removes its sealed refresh token with it.
      unwrap(await again.invoke('connections:delete', { workspaceId: fx.ws, id }));
      expect(count(again.core.db, 'oauth_tokens')).toBe(0);
      await expect(again.core.oauth.tokens.internal.getAccessToken(id)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'connection not found' });
    } finally {
      again.core.close();
    }
  });
});
