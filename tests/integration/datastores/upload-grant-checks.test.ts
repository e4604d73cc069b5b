import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer } from '../../helpers/test-server';
import { UPLOAD_ENDPOINT_MISSING } from '../../../electron/core/datastores/upload-grant-service';

/**
 * Each check a filesystem upload URL passes at use, one at a time (upload-url-grants.test.ts covers single use and the
 * issuer; datastore-http.test.ts tampered tokens): the grant row the token names must exist, be for this datastore
 * and key, and be unused; its issuer kind must be one we know; the signed expiry holds to the second; the URL is only
 * served while the local API server runs; and what the audit event of a new URL says.
 */
const OWNER = 'owner-key-for-upload-grant-checks';
let s: Awaited<ReturnType<typeof startTestServer>>;
let ws: string;
let dsId: string;
let otherDs: string;
const DENIED = 'this upload URL is invalid or has expired; ask for a new one with POST /datastores/{id}/upload-url';
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${s.url}${path}`, { ...init, headers: { 'x-api-key': OWNER, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

async function newDatastore(name: string) {
  const r = await api('/datastores', { method: 'POST', body: JSON.stringify({ name }) });
  expect(r.status).toBe(201);
  return ((await r.json()) as { id: string }).id;
}

beforeAll(async () => {
  s = await startTestServer({ PROVENANCE_ADMIN_API_KEY: OWNER }, { ready: true });
  ws = s.core.workspaces.defaultWorkspace().id;
  dsId = await newDatastore('Checks');
  otherDs = await newDatastore('Checks other');
});
afterAll(() => s.stop());

async function uploadUrl(key: string, extra: Record<string, unknown> = {}) {
  const r = await api(`/datastores/${dsId}/upload-url`, { method: 'POST', body: JSON.stringify({ key, contentType: 'text/plain', ...extra }) });
  expect(r.status).toBe(200);
  return (await r.json()) as { url: string; headers: Record<string, string>; expiresAt: string };
}
const grantRow = (key: string) => `(SELECT nonce FROM datastore_upload_grants WHERE key = '${key}')`;
const setRow = (key: string, set: string) => s.core.db.prepare(`UPDATE datastore_upload_grants SET ${set} WHERE nonce = ${grantRow(key)}`).run();
const put = (u: { url: string; headers: Record<string, string> }, body = 'bytes') => fetch(u.url, { method: 'PUT', headers: u.headers, body });
async function refused(r: Response, status: number, message: string) {
  expect(r.status).toBe(status);
  expect(await r.json()).toMatchObject({ error: { message } });
}
const stored = (key: string) =>
  (s.core.db.prepare('SELECT COUNT(*) AS n FROM datastore_objects WHERE datastore_id = ? AND key = ?').get(dsId, key) as { n: number }).n;

describe('a filesystem upload URL at use', () => {
  it('is refused when its grant row is gone, names another datastore or another key, and stores nothing', async () => {
    const gone = await uploadUrl('row-gone.txt');
    s.core.db.prepare(`DELETE FROM datastore_upload_grants WHERE nonce = ${grantRow('row-gone.txt')}`).run();
    await refused(await put(gone), 403, DENIED);

    const moved = await uploadUrl('row-moved.txt');
    setRow('row-moved.txt', `datastore_id = '${otherDs}'`);
    await refused(await put(moved), 403, DENIED);

    const rekeyed = await uploadUrl('row-rekeyed.txt');
    setRow('row-rekeyed.txt', `key = 'elsewhere.txt'`);
    await refused(await put(rekeyed), 403, DENIED);
    for (const k of ['row-gone.txt', 'row-moved.txt', 'row-rekeyed.txt', 'elsewhere.txt']) expect(stored(k)).toBe(0);
  });

  it('is 409 once its grant row says it was used, and stores nothing', async () => {
    const u = await uploadUrl('row-used.txt');
    setRow('row-used.txt', `used_at = '2026-01-01T00:00:00.000Z'`);
    await refused(await put(u), 409, 'this upload URL was already used; ask for a new one');
    expect(stored('row-used.txt')).toBe(0);
  });

  it('is refused when its issuer kind is not one we know, with the message for a person (not a key)', async () => {
    const u = await uploadUrl('row-kind.txt');
    setRow('row-kind.txt', `issuer_kind = 'martian'`);
    await refused(await put(u), 403, 'whoever issued this upload URL may no longer write to this datastore; ask for a new upload URL');
    expect(stored('row-kind.txt')).toBe(0);
  });

  it('an API key that lost the scope: the message says the key was revoked or may no longer write', async () => {
    const r = await s.invoke('apiKeys:create', { workspaceId: ws, name: 'grant-checks-key', scopes: ['datastores:write'] } as never);
    if (!r.ok) throw new Error(r.error.message);
    const k = r.value as { id: string; key: string };
    const ur = await fetch(`${s.url}/datastores/${dsId}/upload-url`, {
      method: 'POST',
      headers: { 'x-api-key': k.key, 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'key-scope.txt', contentType: 'text/plain' }),
    });
    const u = (await ur.json()) as { url: string; headers: Record<string, string> };
    s.core.db.prepare(`UPDATE api_keys SET scopes = '["datastores:read"]' WHERE id = ?`).run(k.id);
    await refused(await put(u), 403, 'the key that issued this upload URL was revoked (or may no longer write to this datastore); ask for a new upload URL');
  });

  it('holds until the second its signed expiry names, and not a millisecond after', async () => {
    const a = await uploadUrl('expiry-edge.txt', { expiresIn: 60 });
    const b = await uploadUrl('expiry-past.txt', { expiresIn: 60 });
    const edge = Math.floor(Date.parse(a.expiresAt) / 1000) * 1000;
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(edge);
      expect((await put(a)).status).toBe(200);
      vi.setSystemTime(Math.floor(Date.parse(b.expiresAt) / 1000) * 1000 + 1);
      await refused(await put(b), 403, DENIED);
    } finally {
      vi.useRealTimers();
    }
  });

  it('must be sent with the content type signed into it, and says which', async () => {
    const u = await uploadUrl('ctype.txt');
    await refused(await fetch(u.url, { method: 'PUT', headers: { 'content-type': 'text/html' }, body: 'x' }), 403, 'this upload URL was signed for Content-Type text/plain; send exactly that header');
    await refused(await fetch(u.url, { method: 'PUT', body: new Uint8Array([1]) }), 403, 'this upload URL was signed for Content-Type text/plain; send exactly that header');
  });
});

describe('what a filesystem upload URL stores', () => {
  it("is recorded as the upload URL's doing on behalf of its issuer, from a presigned URL", async () => {
    const u = await uploadUrl('audited-put.txt');
    expect((await put(u, 'audited bytes')).status).toBe(200);
    const ev = s.core.audit.list({ workspaceId: ws, action: 'datastore.object_uploaded' }, s.admin).items.find((e) => (e.details as { objectKey?: string }).objectKey === 'audited-put.txt');
    expect(ev).toMatchObject({ actor: { kind: 'system', id: 'upload-url', name: 'owner key' }, origin: 'presigned-url' });
  });

  it('a token sent to another datastore is refused as invalid before its content type is looked at', async () => {
    const u = await uploadUrl('retarget.txt');
    const elsewhere = u.url.replace(`/datastores/${dsId}/`, `/datastores/${otherDs}/`);
    await refused(await fetch(elsewhere, { method: 'PUT', headers: { 'content-type': 'text/html' }, body: 'x' }), 403, DENIED);
  });
});

describe('issuing a filesystem upload URL', () => {
  it('records what was granted in the audit event (maxBytes null when unlimited), and leaves no pending S3 upload row', async () => {
    const u = await uploadUrl('audited.txt', { maxBytes: 64, expiresIn: 120 });
    await uploadUrl('audited-unlimited.txt');
    const events = s.core.audit.list({ workspaceId: ws, action: 'datastore.upload_url_created' }, s.admin).items;
    const byKey = (k: string) => events.find((e) => (e.details as { objectKey?: string }).objectKey === k);
    expect(byKey('audited.txt')).toMatchObject({
      target: { type: 'datastore', id: dsId, name: 'Checks' },
      details: { objectKey: 'audited.txt', contentType: 'text/plain', expiresAt: u.expiresAt, maxBytes: 64 },
    });
    expect(byKey('audited-unlimited.txt')).toMatchObject({ details: { maxBytes: null } });
    expect(s.core.db.prepare('SELECT COUNT(*) AS n FROM datastore_pending_uploads').get()).toEqual({ n: 0 });
  });

  it('is UNAVAILABLE while the local API server is not running, and records nothing', async () => {
    const before = s.core.audit.list({ workspaceId: ws, action: 'datastore.upload_url_created' }, s.admin).items.length;
    s.core.datastores.setLocalApiUrl(null);
    try {
      await expect(
        s.core.datastores.createUploadUrl(s.admin, { workspaceId: ws, datastoreId: dsId, key: 'offline.txt', contentType: 'text/plain' }),
      ).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        message: UPLOAD_ENDPOINT_MISSING,
      });
    } finally {
      s.core.datastores.setLocalApiUrl(s.url);
    }
    expect(s.core.audit.list({ workspaceId: ws, action: 'datastore.upload_url_created' }, s.admin).items).toHaveLength(before);
  });
});
