import { describe, expect, it } from 'vitest';
import { createHttpBridge } from '../../../renderer/src/api/bridge';
import { createSessionStore } from '../../../renderer/src/features/session/session-store';

const WS = '11111111-1111-4111-8111-111111111111';

/** A fake console server: records the headers of each call and answers as admin or, with a user token, as viewer. */
function fakeServer() {
  const seen: Array<Record<string, string>> = [];
  let expired = false;
  const fetchImpl = (async (_url: string, init: { headers: Record<string, string>; body: string }) => {
    seen.push(init.headers);
    const channel = decodeURIComponent(String(_url).split('/ipc/')[1]!);
    const user = init.headers['x-user-token'];
    const json = (status: number, body: unknown) => ({ status, json: async () => body }) as Response;
    if (user && expired) return json(401, { ok: false, error: { code: 'UNAUTHENTICATED', message: 'expired' } });
    if (channel === 'auth:login') return json(200, { ok: true, value: { token: 'jwt-1', expiresAt: new Date().toISOString() } });
    if (channel === 'workspaces:list') return json(200, { ok: true, value: [{ id: WS, name: 'Default', createdAt: '', updatedAt: '' }] });
    if (channel === 'session:info') {
      const actor = user ? { kind: 'user', id: 'u1', name: 'vera', origin: '127.0.0.1' } : { kind: 'local', id: 'local:me', name: 'me', origin: '127.0.0.1' };
      return json(200, { ok: true, value: { actor, roles: { [WS]: user ? 'viewer' : 'admin' }, mode: 'headless', version: 't' } });
    }
    return json(404, { ok: false, error: { code: 'NOT_FOUND', message: channel } });
  }) as unknown as typeof fetch;
  return { seen, fetchImpl, expire: () => (expired = true) };
}

function memoryStorage() {
  const m = new Map<string, string>();
  return { getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v), removeItem: (k: string) => void m.delete(k) };
}

describe('console sign-in as a user', () => {
  it('sends the user token after sign-in, derives can() from the role, and falls back when the sign-in ends', async () => {
    const srv = fakeServer();
    const storage = memoryStorage();
    const api = createHttpBridge('http://x', 'console-token', srv.fetchImpl, storage);
    const session = createSessionStore(api);
    await session.getState().load();
    expect(session.getState().can('workspace.create')).toBe(true);

    expect(await session.getState().signIn('vera', 'pw')).toBeNull();
    expect(srv.seen.at(-1)).toMatchObject({ 'x-console-token': 'console-token', 'x-user-token': 'jwt-1' });
    expect(session.getState().role()).toBe('viewer');
    expect(session.getState().can('workspace.create')).toBe(false);
    expect(session.getState().can('connection.list')).toBe(true);
    expect(storage.getItem('provenance.userToken')).toBe('jwt-1');

    srv.expire();
    await session.getState().load();
    expect(session.getState().session?.actor.kind).toBe('local');
    expect(storage.getItem('provenance.userToken')).toBeNull();
    expect(srv.seen.at(-1)!['x-user-token']).toBeUndefined();
  });
});
