import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DB_FILE } from '@core/db/database';
import type { Logger } from '@core/ports';
import { oauthFixture } from '../../helpers/oauth-fixture';

/**
 * The refresh path under another process's write lock (issue 14, item 7): the request path gives up after 250 ms now,
 * but a rotated refresh token must never be lost, so the refresh waits the lock out without blocking the event loop.
 */
let fx: Awaited<ReturnType<typeof oauthFixture>> | undefined;
let other: Database.Database | undefined;
afterEach(async () => {
  if (other?.inTransaction) other.exec('ROLLBACK');
  other?.close();
  other = undefined;
  await fx?.stop();
  fx = undefined;
});

function waitingLogger() {
  const waiters = new Map<string, () => void>();
  const seen = new Set<string>();
  const logger: Logger = {
    log: (_level, message) => {
      seen.add(message);
      waiters.get(message)?.();
    },
  };
  const next = (message: string) => (seen.has(message) ? Promise.resolve() : new Promise<void>((r) => waiters.set(message, r)));
  return { logger, next };
}

describe('OAuth refresh while another process holds the database', () => {
  it('a rotated refresh token is committed after the lock is released, never lost', async () => {
    const log = waitingLogger();
    fx = await oauthFixture({ ports: { logger: log.logger } });
    const id = (await fx.authorize()).connectionId!;
    fx.oidc.setRotation(true);
    other = new Database(path.join(fx.dataDir, DB_FILE));
    other.pragma('busy_timeout = 0');
    const generation = () => (fx!.core.db.prepare('SELECT generation FROM oauth_tokens WHERE connection_id = ?').get(id) as { generation: number }).generation;
    const before = generation();

    // The provider has issued the rotated token when the lock is taken; the app's commit of it meets the lock.
    const lock = other;
    let armed = true;
    fx.oidc.provider.on('grant.success', () => {
      if (armed) lock.exec('BEGIN IMMEDIATE');
      armed = false;
    });
    fx.clock.advance(2 * 3600_000);
    const token = fx.core.oauth.tokens.internal.getAccessToken(id);
    await log.next('oauth: database busy, waiting to write');
    expect(generation()).toBe(before); // not committed while locked
    other.exec('COMMIT');
    expect(typeof (await token)).toBe('string');
    expect(generation()).toBe(before + 1);

    // The stored (rotated) refresh token is the live one: the next refresh works, no invalid_grant anywhere.
    fx.clock.advance(2 * 3600_000);
    expect(typeof (await fx.core.oauth.tokens.internal.getAccessToken(id))).toBe('string');
    expect(fx.oidc.stats.refreshInvalidGrant).toBe(0);
    expect(fx.oidc.stats.refreshOk).toBe(2);
  });

  it('the lease waits for the lock too, instead of failing the caller', async () => {
    fx = await oauthFixture();
    const id = (await fx.authorize()).connectionId!;
    other = new Database(path.join(fx.dataDir, DB_FILE));
    other.pragma('busy_timeout = 0');
    other.exec('BEGIN IMMEDIATE');
    fx.clock.advance(2 * 3600_000);
    const token = fx.core.oauth.tokens.internal.getAccessToken(id);
    const before = fx.oidc.stats.tokenRequests;
    // Released from a later turn of the event loop: the refresh's first lease attempt has met the lock by then.
    await new Promise<void>((r) => setImmediate(r));
    expect(fx.oidc.stats.tokenRequests).toBe(before);
    other.exec('COMMIT');
    expect(typeof (await token)).toBe('string');
    expect(fx.oidc.stats.refreshOk).toBe(1);
  });
});
