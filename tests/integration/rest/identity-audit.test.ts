import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startRestBench, type RestBench } from './rest-harness';

let b: RestBench;
beforeAll(async () => (b = await startRestBench()));
afterAll(() => b.stop());

describe('users and API keys are audited with the actor and the client IP', () => {
  it('user.created / updated / deleted and apikey.created / deleted, readable via GET /audit-events', async () => {
    const admin = await b.user('admin');
    const u = await b.call('POST', '/users', { headers: admin.headers, body: { username: 'audited', password: PASSWORD, role: 'editor' } });
    const id = (u.json as { id: string }).id;
    await b.call('PATCH', `/users/${id}`, { headers: admin.headers, body: { role: 'viewer', password: 'another fine password' } });
    await b.call('DELETE', `/users/${id}`, { headers: admin.headers });
    const k = await b.call('POST', '/api-keys', { headers: admin.headers, body: { name: 'audited key', scopes: ['audit:read'] } });
    const keyId = (k.json as { id: string }).id;
    const key = (k.json as { key: string }).key;
    await b.call('DELETE', `/api-keys/${keyId}`, { headers: admin.headers });

    const page1 = await b.call('GET', '/audit-events?limit=3', { headers: admin.headers });
    expect(page1.status).toBe(200);
    const first = page1.json as { items: Array<{ action: string }>; nextCursor: string };
    expect(first.items.map((e) => e.action)).toEqual(['apikey.deleted', 'apikey.created', 'user.deleted']);
    const page2 = await b.call('GET', `/audit-events?limit=2&cursor=${first.nextCursor}`, { headers: admin.headers });
    const second = page2.json as { items: Array<{ action: string; actor: { kind: string; id: string; name: string }; origin: string; details: Record<string, unknown> }> };
    expect(second.items.map((e) => e.action)).toEqual(['user.updated', 'user.created']);
    for (const e of second.items) {
      expect(e.actor).toEqual({ kind: 'user', id: admin.id, name: admin.username });
      expect(e.origin).toBe('127.0.0.1');
    }
    expect(second.items[0]!.details).toEqual({ changed: ['role', 'password'], role: { from: 'editor', to: 'viewer' } });
    const all = JSON.stringify((await b.call('GET', '/audit-events?limit=500', { headers: admin.headers })).json);
    expect(all).not.toContain(key);
    expect(all).not.toContain(PASSWORD);

    const filtered = await b.call('GET', '/audit-events?action=user.deleted&risk=medium', { headers: admin.headers });
    expect((filtered.json as { items: Array<{ action: string }> }).items.map((e) => e.action)).toEqual(['user.deleted']);
  });

  it('GET /me reports the role for a user and the scopes for a key', async () => {
    const editor = await b.user('editor');
    const me = await b.call('GET', '/me', { headers: editor.headers });
    expect(me.json).toMatchObject({ actor: { kind: 'user', id: editor.id }, workspaceId: b.defaultWs, role: 'editor', scopes: null });
    const key = b.key(['secrets:read', 'audit:read']);
    const meKey = await b.call('GET', '/me', { headers: key.headers });
    expect(meKey.json).toMatchObject({ actor: { kind: 'apiKey', id: key.id }, role: null, scopes: ['secrets:read', 'audit:read'] });
  });

  it('POST /api-keys may name the key workspace; the caller must administer it', async () => {
    const other = b.core.workspaces.create(`Team ${b.nextId()}`, b.admin).id;
    const created = await b.call('POST', '/api-keys', { headers: b.owner(), body: { name: 'for other', scopes: ['admin'], workspaceId: other } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ workspaceId: other });
    const admin = await b.user('admin');
    const before = b.snapshot();
    const denied = await b.call('POST', '/api-keys', { headers: admin.headers, body: { name: 'sneaky', scopes: ['admin'], workspaceId: other } });
    expect(denied.status).toBe(403);
    expect(b.snapshot()).toBe(before);
  });
});
