import { createHash, randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { count } from '../../helpers/test-core';
import { startTestServer } from '../../helpers/test-server';

const OWNER = 'owner-key-for-datastore-tests';
let s: Awaited<ReturnType<typeof startTestServer>>;
let dsId: string;
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${s.url}${path}`, { ...init, headers: { 'x-api-key': OWNER, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

beforeAll(async () => {
  s = await startTestServer({ PROVENANCE_ADMIN_API_KEY: OWNER });
  await s.core.vault.initializeWithKeychain(s.admin);
  const r = await api('/datastores', { method: 'POST', body: JSON.stringify({ name: 'Uploads', description: 'from REST' }) });
  expect(r.status).toBe(201);
  dsId = ((await r.json()) as { id: string }).id;
});
afterAll(() => s.stop());
afterEach(() => vi.useRealTimers());

async function uploadUrl(key: string, contentType = 'text/csv', extra: Record<string, unknown> = {}) {
  const r = await api(`/datastores/${dsId}/upload-url`, { method: 'POST', body: JSON.stringify({ key, contentType, ...extra }) });
  expect(r.status).toBe(200);
  return (await r.json()) as { url: string; method: 'PUT'; headers: Record<string, string>; expiresAt: string };
}

describe('datastores REST', () => {
  it('lists and gets datastores, and validates the body', async () => {
    const list = (await (await api('/datastores')).json()) as { items: Array<{ id: string }>; nextCursor: string | null };
    expect(list.items.map((d) => d.id)).toContain(dsId);
    expect(list.nextCursor).toBeNull();
    expect((await api(`/datastores/${dsId}`)).status).toBe(200);
    const bad = await api('/datastores', { method: 'POST', body: JSON.stringify({ description: 'no name' }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'name' } });
    expect((await fetch(`${s.url}/datastores`)).status).toBe(401);
  });

  it('upload URL → PUT with no auth header → download: the same bytes by SHA-256, larger than the JSON limit', async () => {
    const body = randomBytes(3 * 1024 * 1024 + 5);
    const u = await uploadUrl('reports/2026-05-01.csv');
    expect(u).toMatchObject({ method: 'PUT', headers: { 'content-type': 'text/csv' } });
    expect(u.url.startsWith(`${s.url}/datastores/${dsId}/upload/`)).toBe(true);
    const put = await fetch(u.url, { method: 'PUT', headers: u.headers, body });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ key: 'reports/2026-05-01.csv', size: body.length, sha256: sha(body) });

    const got = await api(`/datastores/${dsId}/objects/reports/2026-05-01.csv`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('text/csv');
    expect(sha(Buffer.from(await got.arrayBuffer()))).toBe(sha(body));

    const listed = (await (await api(`/datastores/${dsId}/objects?prefix=reports/&delimiter=/`)).json()) as { items: Array<{ key: string }> };
    expect(listed.items.map((i) => i.key)).toEqual(['reports/2026-05-01.csv']);
    const ev = s.core.audit.list({ workspaceId: s.core.workspaces.defaultWorkspace().id, action: 'datastore.upload_url_created' }, s.admin).items[0];
    expect(ev).toMatchObject({ actor: { kind: 'apiKey' }, details: { objectKey: 'reports/2026-05-01.csv', contentType: 'text/csv' } });
  });

  it('refuses tampered, re-targeted, wrong-type and expired URLs with 403 and stores nothing', async () => {
    const before = count(s.core.db, 'datastore_objects');
    const u = await uploadUrl('only/this-key.csv');
    const token = u.url.split('/upload/')[1]!;
    const [payload, sig] = token.split('.');
    const grant = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as Record<string, unknown>;
    const otherKeyPayload = Buffer.from(JSON.stringify({ ...grant, k: 'other/key.csv' })).toString('base64url');
    const longerPayload = Buffer.from(JSON.stringify({ ...grant, e: (grant.e as number) + 86400 })).toString('base64url');
    const flipped = sig!.slice(0, -2) + (sig!.endsWith('AA') ? 'BB' : 'AA');
    const other = (await (await api('/datastores', { method: 'POST', body: JSON.stringify({ name: 'Other store' }) })).json()) as { id: string };
    const attempts = [
      u.url.replace(token, `${payload}.${flipped}`), // tampered signature
      u.url.replace(token, `${otherKeyPayload}.${sig}`), // another key under the same signature
      u.url.replace(token, `${longerPayload}.${sig}`), // a later expiry
      u.url.replace(`/datastores/${dsId}/`, `/datastores/${other.id}/`), // another datastore
      u.url.replace(token, payload!), // no signature
    ];
    for (const url of attempts) {
      const r = await fetch(url, { method: 'PUT', headers: u.headers, body: 'a,b' });
      expect(r.status, url).toBe(403);
      expect(await r.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    const wrongType = await fetch(u.url, { method: 'PUT', headers: { 'content-type': 'text/html' }, body: '<script>' });
    expect(wrongType.status).toBe(403);

    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 16 * 60 * 1000);
    const expired = await fetch(u.url, { method: 'PUT', headers: u.headers, body: 'a,b' });
    expect(expired.status).toBe(403);
    vi.useRealTimers();
    expect(count(s.core.db, 'datastore_objects')).toBe(before);
  });

  it('enforces the size limit signed into the URL', async () => {
    const u = await uploadUrl('limited.bin', 'application/octet-stream', { maxBytes: 1000 });
    const r = await fetch(u.url, { method: 'PUT', headers: u.headers, body: randomBytes(5000) });
    expect(r.status).toBe(413);
    const ok = await fetch(u.url, { method: 'PUT', headers: u.headers, body: randomBytes(1000) });
    expect(ok.status).toBe(200);
  });

  it('gives 403 for another workspace’s datastore upload URL (x-workspace-id)', async () => {
    const ws = (await (await api('/workspaces', { method: 'POST', body: JSON.stringify({ name: 'Elsewhere' }) })).json()) as { id: string };
    const r = await api(`/datastores/${dsId}/upload-url`, {
      method: 'POST',
      headers: { 'x-workspace-id': ws.id },
      body: JSON.stringify({ key: 'x.csv', contentType: 'text/csv' }),
    });
    expect(r.status).toBe(403);
  });

  it('PUT /datastores/{id}/objects/{key} streams the bytes in with the API key (issue 16): the same bytes by SHA-256, audited as the key', async () => {
    const body = randomBytes(2 * 1024 * 1024 + 7);
    const put = await api(`/datastores/${dsId}/objects/direct/a%2Fb.bin`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body });
    expect(put.status).toBe(200);
    expect(await put.json()).toMatchObject({ key: 'direct/a/b.bin', size: body.length, sha256: sha(body) });
    const got = await api(`/datastores/${dsId}/objects/direct/a/b.bin`);
    expect(sha(Buffer.from(await got.arrayBuffer()))).toBe(sha(body));
    const ev = s.core.audit.list({ workspaceId: s.core.workspaces.defaultWorkspace().id, action: 'datastore.object_uploaded' }, s.admin).items[0];
    expect(ev).toMatchObject({ actor: { kind: 'apiKey' }, details: { objectKey: 'direct/a/b.bin', size: body.length, sha256: sha(body) } });
  });

  it('refuses bad resumable-upload input with a 4xx naming it, and stores nothing', async () => {
    const before = count(s.core.db, 'datastore_objects');
    const fp = 'client-fingerprint-0123456789';
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ 'x-upload-offset': '8388608' }, 400, 'x-upload-offset'],
      [{ 'x-upload-fingerprint': 'short' }, 400, 'x-upload-fingerprint'],
      [{ 'x-upload-fingerprint': fp, 'x-upload-offset': '-1' }, 400, 'x-upload-offset'],
      [{ 'x-upload-fingerprint': fp, 'x-upload-offset': '1e3' }, 400, 'x-upload-offset'],
      // A filesystem datastore holds nothing to continue from.
      [{ 'x-upload-fingerprint': fp, 'x-upload-offset': '8388608' }, 409, 'x-upload-offset'],
    ];
    for (const [headers, status, field] of cases) {
      const r = await api(`/datastores/${dsId}/objects/resumed.bin`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', ...headers }, body: 'x'.repeat(100) });
      expect(r.status, JSON.stringify(headers)).toBe(status);
      expect((await r.json()) as unknown, JSON.stringify(headers)).toMatchObject({ error: { field } });
    }
    const status = await api(`/datastores/${dsId}/uploads?key=resumed.bin&size=100&fingerprint=${fp}`);
    expect(await status.json()).toEqual({ resumable: false, partSize: null, uploadedBytes: 0, partsDone: 0 });
    for (const q of ['key=resumed.bin&size=-1&fingerprint=' + fp, 'key=resumed.bin&size=100', 'key=resumed.bin&size=100&fingerprint=' + fp + '&extra=1', 'size=100&fingerprint=' + fp]) {
      expect((await api(`/datastores/${dsId}/uploads?${q}`)).status, q).toBe(400);
    }
    expect(count(s.core.db, 'datastore_objects')).toBe(before);
  });

  it('deletes an object (204) and emits datastore.object_deleted', async () => {
    const u = await uploadUrl('to-delete/file.txt', 'text/plain');
    expect((await fetch(u.url, { method: 'PUT', headers: u.headers, body: 'bye' })).status).toBe(200);
    const del = await fetch(`${s.url}/datastores/${dsId}/objects/to-delete/file.txt`, { method: 'DELETE', headers: { 'x-api-key': OWNER } });
    expect(del.status).toBe(204);
    expect((await api(`/datastores/${dsId}/objects/to-delete/file.txt`)).status).toBe(404);
    const ev = s.core.audit.list({ workspaceId: s.core.workspaces.defaultWorkspace().id, action: 'datastore.object_deleted' }, s.admin).items[0];
    expect(ev).toMatchObject({ details: { objectKey: 'to-delete/file.txt' } });
  });
});

describe('console upload (x-console-token, raw body) and download (a ticket)', () => {
  const wsId = () => s.core.workspaces.defaultWorkspace().id;
  const consoleUrl = (key: string, extra = '') => `${s.url}/console/datastores/${dsId}/objects?workspaceId=${wsId()}&key=${encodeURIComponent(key)}${extra}`;

  it('streams a file in, pushes progress, and downloads it as an attachment', async () => {
    const body = randomBytes(2 * 1024 * 1024);
    const events: string[] = [];
    const off = s.core.bus.subscribe((e, p) => {
      if (e === 'datastores:uploadProgress' && (p as { uploadId: string }).uploadId === 'c1') events.push((p as { state: string }).state);
    });
    const r = await fetch(consoleUrl('drop/photo.png', '&uploadId=c1'), {
      method: 'PUT',
      headers: { 'x-console-token': s.consoleToken, 'content-type': 'image/png' },
      body,
    });
    off();
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ key: 'drop/photo.png', size: body.length, sha256: sha(body), contentType: 'image/png' });
    expect(events.at(-1)).toBe('done');

    // A download link carries a ticket for this one object, never the console token.
    const t = await fetch(`${s.url}/console/tickets`, {
      method: 'POST',
      headers: { 'x-console-token': s.consoleToken, 'content-type': 'application/json' },
      body: JSON.stringify({ purpose: 'download', workspaceId: wsId(), datastoreId: dsId, key: 'drop/photo.png' }),
    });
    expect(t.status).toBe(200);
    const { ticket } = (await t.json()) as { ticket: string };
    const d = await fetch(`${s.url}/console/datastores/${dsId}/object?workspaceId=${wsId()}&key=drop/photo.png&download=1&ticket=${ticket}`);
    expect(d.status).toBe(200);
    expect(d.headers.get('content-disposition')).toContain('attachment; filename="photo.png"');
    expect(sha(Buffer.from(await d.arrayBuffer()))).toBe(sha(body));
  });

  it('refuses a missing or wrong console token', async () => {
    for (const headers of [{}, { 'x-console-token': 'nope' }] as Record<string, string>[]) {
      const r = await fetch(consoleUrl('x.txt'), { method: 'PUT', headers: { ...headers, 'content-type': 'text/plain' }, body: 'x' });
      expect(r.status).toBe(401);
    }
  });
});

describe('API key scopes on the datastore REST endpoints (docs: datastores:read / datastores:write)', () => {
  async function key(scopes: string[], workspaceId = s.core.workspaces.defaultWorkspace().id) {
    const r = await s.invoke('apiKeys:create', { workspaceId, name: `k-${scopes.join('-')}-${Math.random()}`, scopes } as never);
    if (!r.ok) throw new Error(r.error.message);
    return (r.value as { key: string }).key;
  }
  const as = (k: string, path: string, init: RequestInit = {}) =>
    fetch(`${s.url}${path}`, { ...init, headers: { 'x-api-key': k, ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers as Record<string, string>) } });

  it('a read key reads and lists but cannot write; a write key can ask for an upload URL', async () => {
    const u = await uploadUrl('scoped/readme.txt', 'text/plain');
    expect((await fetch(u.url, { method: 'PUT', headers: u.headers, body: 'read me' })).status).toBe(200);
    const read = await key(['datastores:read']);
    expect((await as(read, '/datastores')).status).toBe(200);
    expect((await as(read, `/datastores/${dsId}/objects?prefix=scoped/`)).status).toBe(200);
    expect(await (await as(read, `/datastores/${dsId}/objects/scoped/readme.txt`)).text()).toBe('read me');
    const body = JSON.stringify({ key: 'scoped/x.txt', contentType: 'text/plain' });
    expect((await as(read, `/datastores/${dsId}/upload-url`, { method: 'POST', body })).status).toBe(403);
    expect((await as(read, `/datastores/${dsId}/objects/scoped/readme.txt`, { method: 'DELETE' })).status).toBe(403);
    expect((await as(read, '/datastores', { method: 'POST', body: JSON.stringify({ name: 'nope' }) })).status).toBe(403);
    const write = await key(['datastores:write']);
    expect((await as(write, `/datastores/${dsId}/upload-url`, { method: 'POST', body })).status).toBe(200);
    const secretsOnly = await key(['secrets:read']);
    expect((await as(secretsOnly, `/datastores/${dsId}/objects/scoped/readme.txt`)).status).toBe(403);
  });

  it("a write key of another workspace gets 403 for this datastore's upload URL", async () => {
    const other = (await (await api('/workspaces', { method: 'POST', body: JSON.stringify({ name: 'Keyed elsewhere' }) })).json()) as { id: string };
    const foreign = await key(['datastores:write'], other.id);
    const r = await as(foreign, `/datastores/${dsId}/upload-url`, { method: 'POST', body: JSON.stringify({ key: 'x.csv', contentType: 'text/csv' }) });
    expect(r.status).toBe(403);
    const d = await as(foreign, `/datastores/${dsId}/objects/scoped/readme.txt`);
    expect(d.status).toBe(403);
  });
});
