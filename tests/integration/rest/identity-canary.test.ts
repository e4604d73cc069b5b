import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canary, scanForCanaries, textContainsCanary } from '../../helpers/canary';
import { startRestBench, type RestBench } from './rest-harness';

let b: RestBench;
beforeAll(async () => (b = await startRestBench()));
afterAll(() => b.stop());

describe('passwords, API keys and tokens never reach the data dir in plaintext', () => {
  it('after creating users, changing a password, signing in, and creating and using API keys', async () => {
    const password = canary('pw');
    const newPassword = canary('pw2');
    const created = await b.call('POST', '/users', { headers: b.owner(), body: { username: 'canary-user', password, role: 'admin' } });
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    const wrong = canary('wrongpw');
    expect((await b.call('POST', '/auth/login', { body: { username: 'canary-user', password: wrong } })).status).toBe(401);
    const login = await b.call('POST', '/auth/login', { body: { username: 'canary-user', password } });
    const token = (login.json as { token: string }).token;
    const key = await b.call('POST', '/api-keys', { headers: { authorization: `Bearer ${token}` }, body: { name: 'canary key', scopes: ['audit:read'] } });
    const apiKey = (key.json as { key: string }).key;
    expect((await b.call('GET', '/audit-events', { headers: { 'x-api-key': apiKey } })).status).toBe(200);
    expect((await b.call('PATCH', `/users/${id}`, { headers: b.owner(), body: { password: newPassword } })).status).toBe(200);

    const secrets = [password, newPassword, wrong, apiKey, token];
    // Checkpoint so the WAL is folded into the main file too; both are scanned either way.
    b.core.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(scanForCanaries(secrets, b.dataDir)).toEqual([]);
    const audit = JSON.stringify(b.core.audit.list({ workspaceId: b.defaultWs, limit: 500 }, b.admin));
    expect(textContainsCanary(audit, secrets)).toBeNull();
    const users = await b.call('GET', '/users', { headers: b.owner() });
    expect(textContainsCanary(JSON.stringify(users.json), secrets)).toBeNull();
    expect(JSON.stringify(users.json)).not.toContain('scrypt');
  });

  it('the JWT signing key is stored sealed by the vault, bound to its record', () => {
    const row = b.core.db.prepare('SELECT sealed FROM signing_keys').get() as { sealed: Buffer };
    expect(row.sealed.length).toBeGreaterThan(32);
    expect(b.core.vault.open(row.sealed, 'identity:jwt-signing-key')).toHaveLength(32);
    expect(() => b.core.vault.open(row.sealed, 'connection:x:credential')).toThrow();
  });

  it('sign-in is refused while the vault is locked, and works again after unlocking', async () => {
    await b.call('POST', '/users', { headers: b.owner(), body: { username: 'lockme', password: 'a long enough password', role: 'viewer' } });
    b.core.vault.lock(b.admin);
    try {
      const r = await b.call('POST', '/auth/login', { body: { username: 'lockme', password: 'a long enough password' } });
      expect(r.status).toBe(423);
      expect(r.json.error?.code).toBe('VAULT_LOCKED');
    } finally {
      await b.core.vault.unlockWithKeychain(b.admin);
    }
    expect((await b.call('POST', '/auth/login', { body: { username: 'lockme', password: 'a long enough password' } })).status).toBe(200);
  });
});
