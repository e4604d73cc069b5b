import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startRestBench, type RestBench } from './rest-harness';

let b: RestBench;
beforeAll(async () => (b = await startRestBench()));
afterAll(() => b.stop());

describe('one user, a role in several workspaces', () => {
  it('joins another workspace only with their current password; roles are per workspace', async () => {
    const alice = await b.user('viewer');
    const teamB = b.core.workspaces.create('Team B', b.admin).id;
    const adminB = await b.user('admin', teamB);
    const inB = { ...adminB.headers, 'x-workspace-id': teamB };

    const before = b.snapshot();
    const guess = await b.call('POST', '/users', { headers: inB, body: { username: alice.username, password: 'not her password', role: 'admin' } });
    expect(guess.status).toBe(409);
    expect(guess.json.error?.field).toBe('username');
    expect(b.snapshot()).toBe(before);

    const joined = await b.call('POST', '/users', { headers: inB, body: { username: alice.username, password: PASSWORD, role: 'editor' } });
    expect(joined.status).toBe(201);
    expect(joined.json).toMatchObject({ id: alice.id, role: 'editor' });
    const again = await b.call('POST', '/users', { headers: inB, body: { username: alice.username, password: PASSWORD, role: 'viewer' } });
    expect(again.status).toBe(409);

    expect((await b.call('GET', '/me', { headers: { ...alice.headers, 'x-workspace-id': teamB } })).json).toMatchObject({ role: 'editor' });
    expect((await b.call('GET', '/me', { headers: alice.headers })).json).toMatchObject({ role: 'viewer' });
  });

  it("an admin of one workspace cannot change the password of a user who also belongs to another", async () => {
    const bob = await b.user('editor');
    const teamC = b.core.workspaces.create('Team C', b.admin).id;
    const adminC = await b.user('admin', teamC);
    const inC = { ...adminC.headers, 'x-workspace-id': teamC };
    expect((await b.call('POST', '/users', { headers: inC, body: { username: bob.username, password: PASSWORD, role: 'viewer' } })).status).toBe(201);

    const before = b.snapshot();
    const takeover = await b.call('PATCH', `/users/${bob.id}`, { headers: inC, body: { password: 'attacker chosen password' } });
    expect(takeover.status).toBe(403);
    expect(b.snapshot()).toBe(before);
    expect((await b.call('GET', '/me', { headers: bob.headers })).status).toBe(200);

    // Their role in Team C is Team C's admin's to change, and removing them there leaves the account and its other role.
    expect((await b.call('PATCH', `/users/${bob.id}`, { headers: inC, body: { role: 'editor' } })).status).toBe(200);
    expect((await b.call('DELETE', `/users/${bob.id}`, { headers: inC })).status).toBe(204);
    expect((await b.call('GET', '/me', { headers: bob.headers })).json).toMatchObject({ role: 'editor' });
    expect((await b.call('GET', '/me', { headers: { ...bob.headers, 'x-workspace-id': teamC } })).json).toMatchObject({ role: null });

    // An admin of all their workspaces (the owner key) may change it.
    expect((await b.call('PATCH', `/users/${bob.id}`, { headers: b.owner(), body: { password: 'a fresh passphrase here' } })).status).toBe(200);
  });
});
