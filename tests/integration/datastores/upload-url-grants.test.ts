import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { count } from '../../helpers/test-core';
import { startTestServer } from '../../helpers/test-server';
import { S3RVER_CREDS, startS3rver } from '../../helpers/s3rver';

/**
 * Signed upload URLs (issue 14, item 6): one URL stores one object once — a nonce signed into it is consumed in the
 * transaction that writes the object's row — and it is only as good as its issuer: a URL whose API key was deleted,
 * or whose user may no longer write, is refused at use.
 */
const OWNER = 'owner-key-for-upload-grant-tests';
let s: Awaited<ReturnType<typeof startTestServer>>;
let ws: string;
let dsId: string;
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const api = (path: string, init: RequestInit & { key?: string } = {}) =>
  fetch(`${s.url}${path}`, { ...init, headers: { 'x-api-key': init.key ?? OWNER, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

beforeAll(async () => {
  s = await startTestServer({ PROVENANCE_ADMIN_API_KEY: OWNER }, { ready: true });
  ws = s.core.workspaces.defaultWorkspace().id;
  const r = await api('/datastores', { method: 'POST', body: JSON.stringify({ name: 'Grants' }) });
  expect(r.status).toBe(201);
  dsId = ((await r.json()) as { id: string }).id;
});
afterAll(() => s.stop());

async function uploadUrl(key: string, as?: string) {
  const r = await api(`/datastores/${dsId}/upload-url`, { method: 'POST', key: as, body: JSON.stringify({ key, contentType: 'text/plain' }) });
  expect(r.status).toBe(200);
  return (await r.json()) as { url: string; headers: Record<string, string> };
}
const head = async (key: string) => (await (await api(`/datastores/${dsId}/objects/${key}`)).text());

describe('signed upload URLs are single-use', () => {
  it('a second PUT of the same URL is 409 and changes nothing', async () => {
    const u = await uploadUrl('once.txt');
    expect((await fetch(u.url, { method: 'PUT', headers: u.headers, body: 'first' })).status).toBe(200);
    const events = s.core.audit.list({ workspaceId: ws, action: 'datastore.object_uploaded' }, s.admin).items.length;
    const again = await fetch(u.url, { method: 'PUT', headers: u.headers, body: 'replayed' });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'CONFLICT', message: 'this upload URL was already used; ask for a new one' } });
    expect(await head('once.txt')).toBe('first');
    expect(s.core.audit.list({ workspaceId: ws, action: 'datastore.object_uploaded' }, s.admin).items).toHaveLength(events);
  });

  it('two PUTs of one URL at once store one object: the other is refused and its bytes removed', async () => {
    const u = await uploadUrl('race.txt');
    const [a, b] = await Promise.all([
      fetch(u.url, { method: 'PUT', headers: u.headers, body: 'one' }),
      fetch(u.url, { method: 'PUT', headers: u.headers, body: 'two' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const kept = a.status === 200 ? 'one' : 'two';
    expect(await head('race.txt')).toBe(kept);
    const stored = s.core.db.prepare('SELECT COUNT(*) AS n FROM datastore_objects WHERE datastore_id = ? AND key = ?').get(dsId, 'race.txt') as { n: number };
    expect(stored.n).toBe(1);
  });

  it('a failed PUT (over the size limit) does not use the URL up', async () => {
    const r = await api(`/datastores/${dsId}/upload-url`, { method: 'POST', body: JSON.stringify({ key: 'small.bin', contentType: 'application/octet-stream', maxBytes: 4 }) });
    const u = (await r.json()) as { url: string; headers: Record<string, string> };
    expect((await fetch(u.url, { method: 'PUT', headers: u.headers, body: 'too large' })).status).toBe(413);
    expect((await fetch(u.url, { method: 'PUT', headers: u.headers, body: 'ok' })).status).toBe(200);
    expect((await fetch(u.url, { method: 'PUT', headers: u.headers, body: 'ok' })).status).toBe(409);
  });

  it('grants that expired are purged when the next URL is issued', async () => {
    await uploadUrl('expiring.txt');
    const before = count(s.core.db, 'datastore_upload_grants');
    expect(before).toBeGreaterThan(0);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(Date.now() + 8 * 24 * 3600 * 1000);
      await uploadUrl('later.txt');
      expect(count(s.core.db, 'datastore_upload_grants')).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('an upload URL is only as good as its issuer', () => {
  async function apiKey(scopes: string[]) {
    const r = await s.invoke('apiKeys:create', { workspaceId: ws, name: `k-${Math.random()}`, scopes } as never);
    if (!r.ok) throw new Error(r.error.message);
    return r.value as { id: string; key: string };
  }

  it("a URL issued by an API key is refused once the key is deleted", async () => {
    const k = await apiKey(['datastores:write']);
    const u = await uploadUrl('revoked.txt', k.key);
    const del = await s.invoke('apiKeys:delete', { workspaceId: ws, id: k.id } as never);
    expect(del.ok).toBe(true);
    const r = await fetch(u.url, { method: 'PUT', headers: u.headers, body: 'after revocation' });
    expect(r.status).toBe(403);
    expect(await r.json()).toMatchObject({ error: { code: 'FORBIDDEN', message: expect.stringContaining('the key that issued this upload URL was revoked') } });
    expect((await api(`/datastores/${dsId}/objects/revoked.txt`)).status).toBe(404);
  });

  it('a URL issued by a key that still holds datastores:write works', async () => {
    const k = await apiKey(['datastores:write']);
    const u = await uploadUrl('kept-key.txt', k.key);
    expect((await fetch(u.url, { method: 'PUT', headers: u.headers, body: 'fine' })).status).toBe(200);
  });

  it('a URL issued by a user who may no longer write is refused', async () => {
    const user = await s.core.users.create({ workspaceId: ws, username: `writer-${Date.now()}`, password: 'correct horse battery staple', role: 'editor' }, s.admin);
    const actor = { kind: 'user' as const, id: user.id, name: user.username, origin: '127.0.0.1' };
    s.core.datastores.setLocalApiUrl(s.url);
    const u = await s.core.datastores.createUploadUrl(actor, { workspaceId: ws, datastoreId: dsId, key: 'demoted.txt', contentType: 'text/plain' });
    await s.core.users.update({ workspaceId: ws, id: user.id, role: 'viewer' }, s.admin);
    const r = await fetch(u.url, { method: 'PUT', headers: u.headers, body: 'after demotion' });
    expect(r.status).toBe(403);
  });
});

describe('S3 pre-signed uploads', () => {
  let s3: Awaited<ReturnType<typeof startS3rver>>;
  beforeAll(async () => {
    s3 = await startS3rver();
    await s3.createBucket('grants');
  }, 30_000);
  afterAll(async () => s3?.stop());

  it('two listings at once bring a pre-signed upload in once (one row, one audit event)', async () => {
    const c = await s.invoke('datastores:create', {
      workspaceId: ws,
      name: 'S3 grants',
      backend: { type: 's3', endpoint: s3.endpoint, region: 'us-east-1', bucket: 'grants', forcePathStyle: true, accessKeyId: S3RVER_CREDS.accessKeyId, secretAccessKey: S3RVER_CREDS.secretAccessKey },
    });
    if (!c.ok) throw new Error(c.error.message);
    const id = c.value.id;
    const u = await s.invoke('datastores:uploadUrl', { workspaceId: ws, datastoreId: id, key: 'direct.csv', contentType: 'text/csv' });
    if (!u.ok) throw new Error(u.error.message);
    const body = 'a,b\n';
    expect((await fetch(u.value.url, { method: 'PUT', headers: u.value.headers, body })).status).toBe(200);
    const lists = await Promise.all([1, 2, 3].map(() => s.core.datastores.listObjects(s.admin, { workspaceId: ws, datastoreId: id })));
    for (const l of lists) expect(l.items.map((i) => [i.key, i.sha256])).toEqual([['direct.csv', sha(body)]]);
    const uploaded = s.core.audit.list({ workspaceId: ws, action: 'datastore.object_uploaded' }, s.admin).items.filter((e) => e.target?.id === id);
    expect(uploaded).toHaveLength(1);
  });

  it('S3 upload URLs live at most an hour: they cannot be made single-use', async () => {
    const c = await s.invoke('datastores:create', {
      workspaceId: ws,
      name: 'S3 short',
      backend: { type: 's3', endpoint: s3.endpoint, region: 'us-east-1', bucket: 'grants', forcePathStyle: true, accessKeyId: S3RVER_CREDS.accessKeyId, secretAccessKey: S3RVER_CREDS.secretAccessKey },
    });
    if (!c.ok) throw new Error(c.error.message);
    const r = await s.invoke('datastores:uploadUrl', { workspaceId: ws, datastoreId: c.value.id, key: 'x', contentType: 'text/plain', expiresIn: 7200 });
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_INPUT',
        field: 'expiresIn',
        message: 'S3 upload URLs go straight to S3, where they cannot be made single-use or revoked, so they live at most 3600 seconds',
      },
    });
    // An hour exactly is allowed, and the URL says so.
    const hour = await s.invoke('datastores:uploadUrl', { workspaceId: ws, datastoreId: c.value.id, key: 'x', contentType: 'text/plain', expiresIn: 3600 });
    if (!hour.ok) throw new Error(hour.error.message);
    expect(new URL(hour.value.url).searchParams.get('X-Amz-Expires')).toBe('3600');
    // S3 cannot hold a PUT to a size: a size limit is refused rather than silently not enforced.
    const limited = await s.invoke('datastores:uploadUrl', { workspaceId: ws, datastoreId: c.value.id, key: 'x', contentType: 'text/plain', maxBytes: 10 });
    expect(limited).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'maxBytes', message: 'maxBytes is only supported by filesystem datastores' } });
  });
});
