import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { PasswordHasher } from '@core/identity/password-hasher';
import { makeReadyCore } from '../../helpers/test-core';

/**
 * The API key and user services at the service level: paging, what create/remove record, that a removed key stops
 * authenticating at once, a removed or re-passworded user's token, and the messages of the refusals a caller acts on.
 * Passwords go through a cheap hasher port (the scrypt one has its own tests), so these stay fast.
 */
let hashes = 0;
const cheap: PasswordHasher = {
  hash: async (p) => (hashes++, `plain$${p}`),
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

describe('the owner key', () => {
  it('authenticates to admin in every workspace while registered, and to nobody once cleared', () => {
    t.core.apiKeys.registerOwnerKey('owner-key-identity-services');
    expect(t.core.apiKeys.authenticate('owner-key-identity-services')).toEqual({ id: 'owner', name: 'owner key', workspaceId: null, scopes: ['admin'] });
    expect(t.core.apiKeys.scopesIn('owner', ws)).toEqual(['admin']);
    expect(t.core.apiKeys.authenticate('owner-key-identity-servicez')).toBeNull();
    t.core.apiKeys.registerOwnerKey(undefined);
    expect(t.core.apiKeys.authenticate('owner-key-identity-services')).toBeNull();
    expect(t.core.apiKeys.scopesIn('owner', ws)).toBeNull();
  });
});

describe('users: what each change does and records', () => {
  const PW = 'pw-long-enough-9';
  const events = (action: string) => t.core.audit.list({ workspaceId: ws, action: action as never }, t.admin).items;

  it('create records user.created with the role; the same username elsewhere joins only with its current password', async () => {
    const u = await t.core.users.create({ workspaceId: ws, username: 'joiner', password: PW, role: 'editor' }, t.admin);
    expect(events('user.created').find((e) => e.target?.id === u.id)).toMatchObject({ target: { type: 'user', id: u.id, name: 'joiner' }, details: { role: 'editor' } });
    const ws2 = t.core.workspaces.create('Joiners', t.admin).id;
    await expect(t.core.users.create({ workspaceId: ws, username: 'joiner', password: 'wrong-password-1', role: 'viewer' }, t.admin)).rejects.toMatchObject({
      code: 'CONFLICT',
      message: '"joiner" already has a role in this workspace; change it instead',
    });
    await expect(t.core.users.create({ workspaceId: ws2, username: 'joiner', password: 'wrong-password-1', role: 'viewer' }, t.admin)).rejects.toMatchObject({
      code: 'CONFLICT',
      field: 'username',
      message: 'a user named "joiner" already exists; to give them a role here too, enter their current password, or choose another username',
    });
    const joined = await t.core.users.create({ workspaceId: ws2, username: 'joiner', password: PW, role: 'viewer' }, t.admin);
    expect(joined).toMatchObject({ id: u.id, role: 'viewer' });
    const ev = t.core.audit.list({ workspaceId: ws2, action: 'user.created' }, t.admin).items.find((e) => e.target?.id === u.id);
    expect(ev).toMatchObject({ target: { type: 'user', id: u.id, name: 'joiner' }, details: { role: 'viewer', existingAccount: true } });

    // Removing one membership keeps the account; removing the last deletes it. Both say so.
    expect(t.core.users.remove({ workspaceId: ws2, id: u.id }, t.admin)).toEqual({ id: u.id });
    const kept = t.core.audit.list({ workspaceId: ws2, action: 'user.deleted' }, t.admin).items.find((e) => e.target?.id === u.id);
    expect(kept).toMatchObject({ target: { type: 'user', id: u.id, name: 'joiner' }, details: { role: 'viewer', accountDeleted: false } });
    expect(t.core.users.roleIn(u.id, ws)).toBe('editor');
    t.core.users.remove({ workspaceId: ws, id: u.id }, t.admin);
    expect(events('user.deleted').find((e) => e.target?.id === u.id)).toMatchObject({ details: { role: 'editor', accountDeleted: true } });
    await expect(t.core.users.login('joiner', PW, '127.0.0.1')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('update sets the role and the password, touches the user, and records exactly what changed', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2026-07-01T00:00:00.000Z'));
      const u = await t.core.users.create({ workspaceId: ws, username: 'changer', password: PW, role: 'viewer' }, t.admin);
      vi.setSystemTime(new Date('2026-07-02T00:00:00.000Z'));
      const r = await t.core.users.update({ workspaceId: ws, id: u.id, role: 'editor' }, t.admin);
      expect(r).toMatchObject({ role: 'editor', updatedAt: '2026-07-02T00:00:00.000Z' });
      await t.core.users.update({ workspaceId: ws, id: u.id, password: 'pw-long-enough-10' }, t.admin);
      const updates = events('user.updated').filter((e) => e.target?.id === u.id);
      expect(updates[0]?.target).toEqual({ type: 'user', id: u.id, name: 'changer' });
      const changes = updates.map((e) => e.details);
      expect(changes).toEqual([{ changed: ['password'] }, { changed: ['role'], role: { from: 'viewer', to: 'editor' } }]);
      await expect(t.core.users.login('changer', PW, '10.0.0.1')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      expect((await t.core.users.login('changer', 'pw-long-enough-10', '10.0.0.1')).token).toBeTruthy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('an unknown user is NOT_FOUND before a password is hashed', async () => {
    const before = hashes;
    await expect(t.core.users.update({ workspaceId: ws, id: 'no-such-user', password: 'pw-long-enough-11' }, t.admin)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(hashes).toBe(before);
  });

  it("changing the password of someone who is also in a workspace you do not administer is FORBIDDEN, saying why", async () => {
    const boss = await t.core.users.create({ workspaceId: ws, username: 'boss', password: PW, role: 'admin' }, t.admin);
    const both = await t.core.users.create({ workspaceId: ws, username: 'both', password: PW, role: 'viewer' }, t.admin);
    const elsewhere = t.core.workspaces.create('Elsewhere', t.admin).id;
    await t.core.users.create({ workspaceId: elsewhere, username: 'both', password: PW, role: 'viewer' }, t.admin);
    const asBoss = { kind: 'user' as const, id: boss.id, name: 'boss', origin: '127.0.0.1' };
    await expect(t.core.users.update({ workspaceId: ws, id: both.id, password: 'pw-long-enough-12' }, asBoss)).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'this user also has a role in a workspace you do not administer; only an admin of all their workspaces can change their password',
    });
    expect((await t.core.users.update({ workspaceId: ws, id: both.id, role: 'editor' }, asBoss)).role).toBe('editor');
  });

  it('tokens carry a 16-character tag of the password hash, not the hash', async () => {
    await t.core.users.create({ workspaceId: ws, username: 'tagged', password: PW, role: 'viewer' }, t.admin);
    const { token } = await t.core.users.login('tagged', PW, '127.0.0.1');
    const pwh = decodeJwt(token).pwh as string;
    expect(pwh).toMatch(/^[\w-]{16}$/);
    expect(token).not.toContain(`plain$${PW}`);
  });

  it('users list: a page exactly as long as the rest has no cursor', () => {
    const ids = t.core.users.list({ workspaceId: ws }, t.admin).items.map((u) => u.id);
    const exact = t.core.users.list({ workspaceId: ws, limit: ids.length }, t.admin);
    expect(exact.items).toHaveLength(ids.length);
    expect(exact.nextCursor).toBeNull();
  });
});

describe('users created at the same moment', () => {
  it('two creates of one new username: one account, the other a 409', async () => {
    const input = { workspaceId: ws, username: 'racer', password: 'pw-long-enough-20', role: 'viewer' as const };
    const r = await Promise.allSettled([t.core.users.create(input, t.admin), t.core.users.create(input, t.admin)]);
    expect(r.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((r.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      code: 'CONFLICT',
      field: 'username',
      message: 'a user named "racer" already exists; choose another username',
    });
  });

  it('two joins of one existing account to a workspace: one membership, the other a 409', async () => {
    await t.core.users.create({ workspaceId: ws, username: 'racing-joiner', password: 'pw-long-enough-21', role: 'viewer' }, t.admin);
    const ws4 = t.core.workspaces.create('Race', t.admin).id;
    const input = { workspaceId: ws4, username: 'racing-joiner', password: 'pw-long-enough-21', role: 'editor' as const };
    const r = await Promise.allSettled([t.core.users.create(input, t.admin), t.core.users.create(input, t.admin)]);
    expect(r.map((x) => x.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((r.find((x) => x.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({
      code: 'CONFLICT',
      field: 'username',
      message: '"racing-joiner" already has a role in this workspace; change it instead',
    });
  });
});

describe('sign-in failures', () => {
  const failed = (wsId: string) => t.core.audit.list({ workspaceId: wsId, action: 'user.login_failed' }, t.admin).items;

  it('a wrong password is recorded in every workspace of the user, as that user, from the client', async () => {
    const u = await t.core.users.create({ workspaceId: ws, username: 'typo', password: 'pw-long-enough-13', role: 'viewer' }, t.admin);
    const ws3 = t.core.workspaces.create('Typos', t.admin).id;
    await t.core.users.create({ workspaceId: ws3, username: 'typo', password: 'pw-long-enough-13', role: 'viewer' }, t.admin);
    await expect(t.core.users.login('typo', 'not-it', '10.1.1.1')).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'the username or password is wrong' });
    for (const w of [ws, ws3]) {
      expect(failed(w).find((e) => e.target?.id === u.id)).toMatchObject({
        actor: { kind: 'user', id: u.id, name: 'typo' },
        origin: '10.1.1.1',
        target: { type: 'user', id: u.id, name: 'typo' },
        outcome: 'failure',
        details: { reason: 'wrong_password' },
      });
    }
  });

  it('a user of one other workspace only has the failure recorded there, not in the default workspace', async () => {
    const solo = t.core.workspaces.create('Solo', t.admin).id;
    const u = await t.core.users.create({ workspaceId: solo, username: 'solo-user', password: 'pw-long-enough-22', role: 'viewer' }, t.admin);
    await expect(t.core.users.login('solo-user', 'nope', '10.4.4.4')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(failed(solo).filter((e) => e.target?.id === u.id)).toHaveLength(1);
    expect(failed(ws).filter((e) => e.target?.id === u.id)).toHaveLength(0);
  });

  it('an unknown username is recorded in the default workspace as an anonymous caller', async () => {
    await expect(t.core.users.login('nobody-here', 'x', '10.2.2.2')).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'the username or password is wrong' });
    expect(failed(ws).find((e) => e.target?.name === 'nobody-here')).toMatchObject({
      actor: { kind: 'anonymous', id: 'anonymous', name: 'nobody-here' },
      origin: '10.2.2.2',
      target: { type: 'user', id: 'unknown', name: 'nobody-here' },
      outcome: 'failure',
      details: { reason: 'unknown_user' },
    });
  });

  it('attempts count per username whatever its case; a lock is RATE_LIMITED, denied, and a success forgives earlier typos', async () => {
    const u = await t.core.users.create({ workspaceId: ws, username: 'caser', password: 'pw-long-enough-14', role: 'viewer' }, t.admin);
    for (let i = 0; i < 4; i++) await expect(t.core.users.login(i % 2 ? 'CASER' : 'caser', 'bad', '10.3.3.3')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await t.core.users.login('caser', 'pw-long-enough-14', '10.3.3.3');
    for (let i = 0; i < 4; i++) await expect(t.core.users.login('Caser', 'bad', '10.3.3.3')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(t.core.users.login('caser', 'bad', '10.3.3.3')).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(t.core.users.login('CASER', 'pw-long-enough-14', '10.3.3.3')).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      message: 'too many failed sign-ins for this username; try again in 300 seconds',
    });
    expect(failed(ws).find((e) => e.target?.id === u.id && (e.details as { reason?: string }).reason === 'rate_limited')).toMatchObject({
      actor: { kind: 'user', id: u.id },
      outcome: 'denied',
    });
  });
});
