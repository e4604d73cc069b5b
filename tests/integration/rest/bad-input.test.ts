import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startRestBench, type Credential, type RestBench } from './rest-harness';

let b: RestBench;
let admin: Credential & { id: string; username: string };
beforeAll(async () => {
  b = await startRestBench();
  admin = await b.user('admin');
});
afterAll(() => b.stop());

/** Runs a request and asserts its status, its error envelope, and that nothing persisted changed. */
async function refused(status: number, code: string, method: string, path: string, opts: Parameters<RestBench['call']>[2]) {
  const before = b.snapshot();
  const r = await b.call(method, path, opts);
  expect(r.status, JSON.stringify(r.json)).toBe(status);
  expect(r.json.error?.code).toBe(code);
  expect(Object.keys(r.json)).toEqual(['error']);
  expect(b.snapshot()).toBe(before);
  return r;
}

describe('bad input over REST: each gets its status and writes nothing', () => {
  it('malformed JSON → 400 naming the body', async () => {
    const r = await refused(400, 'INVALID_INPUT', 'POST', '/users', { headers: admin.headers, raw: '{"username": "x", ' });
    expect(r.json.error?.field).toBe('body');
  });

  it('a body that is not an object → 400', async () => {
    await refused(400, 'INVALID_INPUT', 'POST', '/users', { headers: admin.headers, raw: '[1,2]' });
    await refused(400, 'INVALID_INPUT', 'POST', '/workspaces', { headers: admin.headers, raw: '"name"' });
  });

  it('unknown fields → 400 naming the field', async () => {
    const r = await refused(400, 'INVALID_INPUT', 'POST', '/users', { headers: admin.headers, body: { username: 'eve', password: PASSWORD, role: 'viewer', isRoot: true } });
    expect(r.json.error).toMatchObject({ field: 'isRoot', message: 'unknown field: isRoot' });
    const w = await refused(400, 'INVALID_INPUT', 'PATCH', `/users/${admin.id}`, { headers: admin.headers, body: { role: 'viewer', workspaceId: b.defaultWs } });
    expect(w.json.error?.field).toBe('workspaceId');
    const q = await refused(400, 'INVALID_INPUT', 'GET', '/audit-events?colour=blue', { headers: admin.headers });
    expect(q.json.error?.field).toBe('colour');
  });

  it('every route table reads bodies the same way: not an object, or setting what the URL or caller decides → 400 naming it', async () => {
    const h = b.owner();
    const id = '00000000-0000-4000-8000-000000000000';
    for (const path of ['/connections', '/secrets', '/datastores', '/oauth-apps', '/connections/authorize', '/users', '/workspaces']) {
      const r = await refused(400, 'INVALID_INPUT', 'POST', path, { headers: h, raw: '[1,2]' });
      expect(r.json.error, path).toMatchObject({ field: 'body', message: 'the body must be a JSON object' });
    }
    const fixed: Array<[string, string, string]> = [
      ['POST', '/secrets', 'workspaceId'],
      ['POST', '/connections', 'workspaceId'],
      ['POST', '/datastores', 'workspaceId'],
      ['POST', '/oauth-apps', 'workspaceId'],
      ['PATCH', `/secrets/${id}`, 'id'],
      ['PATCH', `/connections/${id}`, 'id'],
      ['POST', `/datastores/${id}/upload-url`, 'datastoreId'],
    ];
    for (const [method, path, field] of fixed) {
      const r = await refused(400, 'INVALID_INPUT', method, path, { headers: h, body: { name: 'n', [field]: b.defaultWs } });
      expect(r.json.error, `${method} ${path}`).toMatchObject({ field, message: `unknown field: ${field}` });
    }
  });

  it('wrong types and values → 400 naming the field', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/users', { username: 'eve', password: PASSWORD, role: 'owner' }, 'role'],
      ['POST', '/users', { username: 'eve', password: 12, role: 'viewer' }, 'password'],
      ['POST', '/users', { username: 'eve', password: 'short', role: 'viewer' }, 'password'],
      ['POST', '/users', { username: 'eve' }, 'password'],
      ['POST', '/api-keys', { name: 'k', scopes: 'admin' }, 'scopes'],
      ['POST', '/api-keys', { name: 'k', scopes: ['root'] }, 'scopes.0'],
      ['POST', '/api-keys', { name: 'k', scopes: [] }, 'scopes'],
      ['POST', '/workspaces', { name: 42 }, 'name'],
      ['PATCH', '/settings', { restApi: { port: 'eighty' } }, 'restApi.port'],
      ['PATCH', '/settings', { restApi: { port: 80 } }, 'restApi.port'],
      ['POST', '/auth/login', { username: 'x' }, 'password'],
      // Found by the fuzz suite: an S3 endpoint that is no http(s) URL, or a region the SDK cannot use, was accepted
      // and every object call then answered 503.
      ['POST', '/datastores', { name: 's3-file', backend: { type: 's3', endpoint: 'file:///etc/passwd', region: 'us-east-1', bucket: 'b', accessKeyId: 'A', secretAccessKey: 'B' } }, 'backend.endpoint'],
      ['POST', '/datastores', { name: 's3-js', backend: { type: 's3', endpoint: 'javascript:alert(1)', region: 'us-east-1', bucket: 'b', accessKeyId: 'A', secretAccessKey: 'B' } }, 'backend.endpoint'],
      ['POST', '/datastores', { name: 's3-region', backend: { type: 's3', region: '東京', bucket: 'b', accessKeyId: 'A', secretAccessKey: 'B' } }, 'backend.region'],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await refused(400, 'INVALID_INPUT', method, path, { headers: admin.headers, body });
      expect(r.json.error?.field, `${method} ${path} ${JSON.stringify(body)}`).toBe(field);
    }
    const lim = await refused(400, 'INVALID_INPUT', 'GET', '/audit-events?limit=lots', { headers: admin.headers });
    expect(lim.json.error?.field).toBe('limit');
    const id = await refused(400, 'INVALID_INPUT', 'PATCH', '/users/not-a-uuid', { headers: admin.headers, body: { role: 'viewer' } });
    expect(id.json.error?.field).toBe('id');
  });

  it('a body over 1 MiB → 413', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });
    const r = await refused(413, 'PAYLOAD_TOO_LARGE', 'POST', '/workspaces', { headers: admin.headers, raw: big });
    expect(r.json.error?.message).toContain('1 MiB');
  });

  it('a missing or unknown credential → 401', async () => {
    await refused(401, 'UNAUTHENTICATED', 'POST', '/workspaces', { body: { name: 'anon' } });
    await refused(401, 'UNAUTHENTICATED', 'POST', '/workspaces', { headers: { 'x-api-key': 'p1k_made-up' }, body: { name: 'guess' } });
    await refused(401, 'UNAUTHENTICATED', 'POST', '/workspaces', { headers: { authorization: 'Basic YWRtaW46YWRtaW4=' }, body: { name: 'basic' } });
  });

  it('a forged JWT (signed with another key, or alg none, or tampered) → 401', async () => {
    const forged = await new SignJWT({ name: admin.username, pwh: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(admin.id)
      .setIssuer('provenanceone-desktop')
      .setAudience('provenanceone-api')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('not-the-real-signing-key-32-bytes!!'));
    await refused(401, 'UNAUTHENTICATED', 'POST', '/workspaces', { headers: { authorization: `Bearer ${forged}` }, body: { name: 'forged' } });

    const real = admin.headers.authorization!.slice('Bearer '.length);
    const [h, p, sig] = real.split('.') as [string, string, string];
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, sub: 'someone-else' })).toString('base64url')}.${sig}`;
    await refused(401, 'UNAUTHENTICATED', 'POST', '/workspaces', { headers: { authorization: `Bearer ${tampered}` }, body: { name: 'tampered' } });
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${p}.`;
    await refused(401, 'UNAUTHENTICATED', 'POST', '/workspaces', { headers: { authorization: `Bearer ${none}` }, body: { name: 'none' } });
  });

  it('an expired JWT → 401 that says to sign in again', async () => {
    const u = await b.user('admin');
    b.clock.advance(2 * 60 * 60 * 1000);
    try {
      const r = await refused(401, 'UNAUTHENTICATED', 'POST', '/workspaces', { headers: u.headers, body: { name: 'late' } });
      expect(r.json.error?.message).toContain('expired');
    } finally {
      b.clock.advance(-2 * 60 * 60 * 1000);
    }
    expect((await b.call('GET', '/me', { headers: u.headers })).status).toBe(200);
  });

  it("a token of a removed user, or from before a password change, → 401", async () => {
    const u = await b.user('editor');
    expect((await b.call('GET', '/me', { headers: u.headers })).status).toBe(200);
    expect((await b.call('PATCH', `/users/${u.id}`, { headers: admin.headers, body: { password: 'a brand new passphrase' } })).status).toBe(200);
    await refused(401, 'UNAUTHENTICATED', 'GET', '/me', { headers: u.headers });
    const v = await b.user('viewer');
    expect((await b.call('DELETE', `/users/${v.id}`, { headers: admin.headers })).status).toBe(204);
    await refused(401, 'UNAUTHENTICATED', 'GET', '/me', { headers: v.headers });
  });

  it('a revoked API key → 401, and a key is shown only once and never listed', async () => {
    const created = await b.call('POST', '/api-keys', { headers: admin.headers, body: { name: 'ci', scopes: ['admin'] } });
    expect(created.status).toBe(201);
    const { id, key } = created.json as { id: string; key: string };
    expect(key).toMatch(/^p1k_/);
    expect((await b.call('GET', '/me', { headers: { 'x-api-key': key } })).status).toBe(200);
    const list = await b.call('GET', '/api-keys', { headers: admin.headers });
    expect(JSON.stringify(list.json)).not.toContain(key);
    const listed = (list.json.items as Array<{ id: string; lastUsedAt: string | null }>).find((k) => k.id === id)!;
    expect(listed.lastUsedAt).not.toBeNull();
    expect((await b.call('DELETE', `/api-keys/${id}`, { headers: admin.headers })).status).toBe(204);
    await refused(401, 'UNAUTHENTICATED', 'POST', '/workspaces', { headers: { 'x-api-key': key }, body: { name: 'revoked' } });
    await refused(404, 'NOT_FOUND', 'DELETE', `/api-keys/${id}`, { headers: admin.headers });
  });

  it('conflicts → 409, unknown resources → 404, unknown workspace → 403', async () => {
    await refused(409, 'CONFLICT', 'POST', '/users', { headers: admin.headers, body: { username: admin.username.toUpperCase(), password: PASSWORD, role: 'viewer' } });
    await refused(409, 'CONFLICT', 'POST', '/workspaces', { headers: admin.headers, body: { name: 'default' } });
    await refused(404, 'NOT_FOUND', 'PATCH', '/users/00000000-0000-4000-8000-000000000000', { headers: admin.headers, body: { role: 'viewer' } });
    await refused(404, 'NOT_FOUND', 'GET', '/no-such-thing', { headers: admin.headers });
    await refused(403, 'FORBIDDEN', 'GET', '/users', { headers: { ...admin.headers, 'x-workspace-id': '00000000-0000-4000-8000-000000000000' } });
  });
});

describe('brute force: failed sign-ins are rate limited per username and client', () => {
  it('locks after 5 failures with 429 and Retry-After, even for the right password, and records each failure', async () => {
    const u = await b.user('viewer');
    for (let i = 0; i < 5; i++) {
      const r = await b.call('POST', '/auth/login', { body: { username: u.username, password: 'wrong password guess' } });
      expect(r.status).toBe(401);
      expect(r.json.error?.message).toBe('the username or password is wrong');
    }
    const locked = await b.call('POST', '/auth/login', { body: { username: u.username, password: PASSWORD } });
    expect(locked.status).toBe(429);
    expect(locked.json.error?.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);

    // Another username from the same client is not affected.
    const other = await b.user('viewer');
    expect((await b.call('POST', '/auth/login', { body: { username: other.username, password: PASSWORD } })).status).toBe(200);

    const failures = b.core.audit.list({ workspaceId: b.defaultWs, action: 'user.login_failed', limit: 100 }, b.admin).items.filter((e) => e.target.id === u.id);
    expect(failures).toHaveLength(6);
    expect(failures[0]).toMatchObject({ outcome: 'denied', origin: '127.0.0.1', details: { reason: 'rate_limited' } });
    expect(JSON.stringify(failures)).not.toContain('wrong password guess');

    // After the lock window the right password works again and clears the count.
    b.clock.advance(6 * 60 * 1000);
    expect((await b.call('POST', '/auth/login', { body: { username: u.username, password: PASSWORD } })).status).toBe(200);
  });

  it('an unknown username answers exactly like a wrong password', async () => {
    const r = await b.call('POST', '/auth/login', { body: { username: 'nobody-here', password: 'whatever it is' } });
    expect(r.status).toBe(401);
    expect(r.json.error?.message).toBe('the username or password is wrong');
  });
});
