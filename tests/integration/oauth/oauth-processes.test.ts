import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir, unwrap } from '../../helpers/test-core';
import { oauthFixture } from '../../helpers/oauth-fixture';
import { startWorker } from '../../helpers/oauth-worker';
import { createFileKeyStore } from '../../fakes/file-key-store';

let fx: Awaited<ReturnType<typeof oauthFixture>> | undefined;
let keyDir: string | undefined;
afterEach(async () => {
  await fx?.stop();
  fx = undefined;
  if (keyDir) fs.rmSync(keyDir, { recursive: true, force: true });
});

async function setup() {
  keyDir = tempDir('p1-keys-');
  fx = await oauthFixture({ ports: { keyStore: createFileKeyStore(keyDir) } });
  const id = (await fx.authorize()).connectionId!;
  return { fx, id, keyDir };
}

describe('single flight across two app processes on one data dir', () => {
  it('two processes and 1 000 concurrent callers: one refresh per process, serialized by the lease, 0 invalid_grant', { timeout: 90_000 }, async () => {
    const { fx, id, keyDir } = await setup();
    fx.oidc.setTokenDelay(300); // both processes are mid-refresh at the same time unless the lease serializes them
    const worker = await startWorker({ dataDir: fx.dataDir, keyDir, connectionId: id, callers: 500 });
    fx.clock.advance(2 * 3600_000); // this process's access token is stale too
    worker.go();
    const here = await Promise.allSettled(Array.from({ length: 500 }, () => fx.core.oauth.tokens.internal.getAccessToken(id)));
    const there = await worker.result();
    expect(here.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(there).toMatchObject({ ok: 500, errors: [], distinctTokens: 1 });
    expect(new Set(here.map((r) => (r as PromiseFulfilledResult<string>).value)).size).toBe(1);
    // Access tokens live in each process's memory only, so each process refreshes once; never both with one token.
    expect(fx.oidc.stats.refreshOk).toBe(2);
    expect(fx.oidc.stats.refreshInvalidGrant).toBe(0);
    const c = unwrap(await fx.invoke('connections:get', { workspaceId: fx.ws, id }));
    expect(c.status).toBe('active');
  });

  it('kill -9 in the middle of a refresh, restart: the connection is still valid', { timeout: 90_000 }, async () => {
    const { fx, id, keyDir } = await setup();
    fx.oidc.setTokenDelay(2_000);
    const victim = await startWorker({ dataDir: fx.dataDir, keyDir, connectionId: id, callers: 1 });
    const before = fx.oidc.stats.tokenRequests;
    victim.go();
    for (let i = 0; i < 200 && fx.oidc.stats.tokenRequests === before; i++) await new Promise((r) => setTimeout(r, 25));
    expect(fx.oidc.stats.tokenRequests).toBe(before + 1); // its refresh request is in flight, its lease held
    const lease = fx.core.db.prepare('SELECT lease_owner FROM oauth_tokens WHERE connection_id = ?').get(id) as { lease_owner: string };
    expect(lease.lease_owner).toMatch(new RegExp(`^${victim.pid}:`));
    victim.kill9();
    await victim.exited;
    fx.oidc.setTokenDelay(0);

    // The restarted process does not wait out the dead holder's lease, and its refresh token still works.
    const restarted = await startWorker({ dataDir: fx.dataDir, keyDir, connectionId: id, callers: 10 });
    restarted.go();
    expect(await restarted.result()).toMatchObject({ ok: 10, errors: [], distinctTokens: 1 });
    expect(fx.oidc.stats.refreshInvalidGrant).toBe(0);
    const c = unwrap(await fx.invoke('connections:get', { workspaceId: fx.ws, id }));
    expect(c.status).toBe('active');
    expect(c.oauth?.refreshState).toBe('ok');
  });
});
