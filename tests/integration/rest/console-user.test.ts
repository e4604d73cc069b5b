import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startRestBench, type RestBench } from './rest-harness';

let b: RestBench;
beforeAll(async () => (b = await startRestBench()));
afterAll(() => b.stop());

const ipc = (channel: string, input: unknown, headers: Record<string, string>) =>
  b.call('POST', `/ipc/${channel}`, { headers, body: { input } });

describe('console bridge: sign in as a local user', () => {
  it('with a user token the console acts as that user, with their role', async () => {
    const viewer = await b.user('viewer');
    const consoleHeaders = { 'x-console-token': b.consoleToken };
    const login = await ipc('auth:login', { username: viewer.username, password: PASSWORD }, consoleHeaders);
    expect(login.status).toBe(200);
    const token = (login.json as { value: { token: string } }).value.token;
    const asViewer = { ...consoleHeaders, 'x-user-token': token };

    const info = await ipc('session:info', undefined, asViewer);
    expect(info.json).toMatchObject({ ok: true, value: { actor: { kind: 'user', id: viewer.id }, roles: { [b.defaultWs]: 'viewer' } } });
    // The renderer's first load (one round trip) is that same user's view, not the console admin's.
    const boot = await ipc('app:bootstrap', undefined, asViewer);
    expect(boot.json).toMatchObject({ ok: true, value: { session: { actor: { kind: 'user', id: viewer.id }, roles: { [b.defaultWs]: 'viewer' } } } });
    expect((boot.json as { value: { session: unknown } }).value.session).toEqual((info.json as { value: unknown }).value);
    const before = b.snapshot();
    const denied = await ipc('workspaces:create', { name: 'not allowed' }, asViewer);
    expect(denied.status).toBe(403);
    expect(b.snapshot()).toBe(before);
    // Without the user token, the same console is the OS admin again.
    expect((await ipc('users:list', { workspaceId: b.defaultWs }, consoleHeaders)).status).toBe(200);
    expect((await ipc('users:list', { workspaceId: b.defaultWs }, asViewer)).status).toBe(403);
  });

  it('a user token alone (without the console token) or a bad one is refused', async () => {
    const admin = await b.user('admin');
    const token = admin.headers.authorization!.slice(7);
    expect((await ipc('session:info', undefined, { 'x-user-token': token })).status).toBe(401);
    expect((await ipc('app:bootstrap', undefined, { 'x-user-token': token })).status).toBe(401);
    const bad = await ipc('session:info', undefined, { 'x-console-token': b.consoleToken, 'x-user-token': 'nope' });
    expect(bad.status).toBe(401);
    expect(bad.json).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
  });

  it('malformed JSON on the bridge comes back in the envelope', async () => {
    const r = await b.call('POST', '/ipc/session:info', { headers: { 'x-console-token': b.consoleToken }, raw: '{nope' });
    expect(r.status).toBe(400);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'body' } });
  });
});
