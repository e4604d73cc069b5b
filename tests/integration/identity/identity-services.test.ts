import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PasswordHasher } from '@core/identity/password-hasher';
import { makeReadyCore } from '../../helpers/test-core';

/**
 * The API key and user services at the service level: paging, what create/remove record, that a removed key stops
 * authenticating at once, a removed or re-passworded user's token, and the messages of the refusals a caller acts on.
 * Passwords go through a cheap hasher port (the scrypt one has its own tests), so these stay fast.
 */
const cheap: PasswordHasher = {
  hash: async (p) => `plain$${p}`,
  verify: async (p, stored) => stored === `plain$${p}`,
  dummyHash: async () => 'plain$\u0000',
};
let t: Awaited<ReturnType<typeof makeReadyCore>>;
let ws: string;

beforeAll(async () => {
  t = await makeReadyCore({ passwordHasher: cheap });
  ws = t.core.workspaces.defaultWorkspace().id;
});
afterAll(() => t.close());

describe('API keys', () => {
  it('create shows the key once, keeps each scope once, and records apikey.created with the scopes', () => {
    const k = t.core.apiKeys.create({ workspaceId: ws, name: 'ci', scopes: ['secrets:read', 'secrets:read', 'audit:read'] }, t.admin);
    expect(k).toMatchObject({ name: 'ci', workspaceId: ws, scopes: ['secrets:read', 'audit:read'] });
    expect(k.key).toMatch(/^p1k_[\w-]{43}$/);
    const ev = t.core.audit.list({ workspaceId: ws, action: 'apikey.created' }, t.admin).items.find((e) => e.target?.id === k.id);
    expect(ev).toMatchObject({ target: { type: 'apikey', id: k.id, name: 'ci' }, details: { scopes: ['secrets:read', 'audit:read'] } });
    expect(JSON.stringify(ev)).not.toContain(k.key);
  });

  it('authenticates a stored key to its principal and notes when it was used; an unknown key is nobody', () => {
    const k = t.core.apiKeys.create({ workspaceId: ws, name: 'used', scopes: ['datastores:read'] }, t.admin);
    expect(t.core.apiKeys.authenticate(k.key)).toEqual({ id: k.id, name: 'used', workspaceId: ws, scopes: ['datastores:read'] });
    const listed = t.core.apiKeys.list({ workspaceId: ws }, t.admin).items.find((i) => i.id === k.id);
    expect(listed?.lastUsedAt).not.toBeNull();
    expect(t.core.apiKeys.authenticate(`${k.key}x`)).toBeNull();
    expect(t.core.apiKeys.scopesIn(k.id, ws)).toEqual(['datastores:read']);
    expect(t.core.apiKeys.scopesIn(k.id, 'another-workspace')).toBeNull();
  });

  it('remove revokes at once (the next authentication is nobody), records apikey.deleted, and an unknown id is NOT_FOUND', () => {
    const k = t.core.apiKeys.create({ workspaceId: ws, name: 'short-lived', scopes: ['secrets:write'] }, t.admin);
    expect(t.core.apiKeys.remove({ workspaceId: ws, id: k.id }, t.admin)).toEqual({ id: k.id });
    expect(t.core.apiKeys.authenticate(k.key)).toBeNull();
    expect(t.core.apiKeys.scopesIn(k.id, ws)).toBeNull();
    expect(t.core.apiKeys.list({ workspaceId: ws }, t.admin).items.map((i) => i.id)).not.toContain(k.id);
    const ev = t.core.audit.list({ workspaceId: ws, action: 'apikey.deleted' }, t.admin).items.find((e) => e.target?.id === k.id);
    expect(ev).toMatchObject({ target: { type: 'apikey', id: k.id, name: 'short-lived' } });
    expect(() => t.core.apiKeys.remove({ workspaceId: ws, id: k.id }, t.admin)).toThrow(expect.objectContaining({ code: 'NOT_FOUND', message: 'API key not found' }));
  });

  it('lists in pages: a cursor while more follow, none on the last page, everything by default', () => {
    for (const n of ['p1', 'p2', 'p3']) t.core.apiKeys.create({ workspaceId: ws, name: `page-${n}`, scopes: ['audit:read'] }, t.admin);
    const all = t.core.apiKeys.list({ workspaceId: ws }, t.admin);
    expect(all.nextCursor).toBeNull();
    const ids = all.items.map((i) => i.id);
    expect(ids.length).toBeGreaterThanOrEqual(3);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = t.core.apiKeys.list({ workspaceId: ws, limit: 2, cursor }, t.admin);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.id));
      if (!page.nextCursor) break;
      expect(page.items).toHaveLength(2);
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(ids);
    const exact = t.core.apiKeys.list({ workspaceId: ws, limit: ids.length }, t.admin);
    expect(exact.items).toHaveLength(ids.length);
    expect(exact.nextCursor).toBeNull();
  });
});

describe('users', () => {
  it('lists members in pages like the keys', async () => {
    for (const n of ['ua', 'ub', 'uc']) await t.core.users.create({ workspaceId: ws, username: `paged-${n}`, password: 'pw-long-enough-1', role: 'viewer' }, t.admin);
    const all = t.core.users.list({ workspaceId: ws }, t.admin);
    expect(all.nextCursor).toBeNull();
    const ids = all.items.map((u) => u.id);
    const first = t.core.users.list({ workspaceId: ws, limit: ids.length - 1 }, t.admin);
    expect(first.items.map((u) => u.id)).toEqual(ids.slice(0, -1));
    expect(first.nextCursor).not.toBeNull();
    const rest = t.core.users.list({ workspaceId: ws, limit: ids.length - 1, cursor: first.nextCursor! }, t.admin);
    expect(rest.items.map((u) => u.id)).toEqual(ids.slice(-1));
    expect(rest.nextCursor).toBeNull();
  });

  it('a username that already has a role here is a 409 naming it; an unknown user is NOT_FOUND', async () => {
    await t.core.users.create({ workspaceId: ws, username: 'twice', password: 'pw-long-enough-2', role: 'editor' }, t.admin);
    await expect(t.core.users.create({ workspaceId: ws, username: 'twice', password: 'pw-long-enough-2', role: 'viewer' }, t.admin)).rejects.toMatchObject({
      code: 'CONFLICT',
      field: 'username',
      message: '"twice" already has a role in this workspace; change it instead',
    });
    await expect(t.core.users.update({ workspaceId: ws, id: 'no-such-user', role: 'viewer' }, t.admin)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'user not found' });
  });

  it("a token stops working when its user is removed or the password changes, saying so", async () => {
    const u = await t.core.users.create({ workspaceId: ws, username: 'session-user', password: 'pw-long-enough-3', role: 'editor' }, t.admin);
    const first = await t.core.users.login('session-user', 'pw-long-enough-3', '127.0.0.1');
    expect(await t.core.users.authenticate(first.token)).toEqual({ id: u.id, username: 'session-user' });
    await t.core.users.update({ workspaceId: ws, id: u.id, password: 'pw-long-enough-4' }, t.admin);
    const gone = { code: 'UNAUTHENTICATED', message: 'the token is no longer valid (user removed or password changed); sign in again' };
    await expect(t.core.users.authenticate(first.token)).rejects.toMatchObject(gone);
    const second = await t.core.users.login('session-user', 'pw-long-enough-4', '127.0.0.1');
    t.core.users.remove({ workspaceId: ws, id: u.id }, t.admin);
    await expect(t.core.users.authenticate(second.token)).rejects.toMatchObject(gone);
  });
});
