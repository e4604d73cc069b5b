import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@shared/domain/actor';
import { createUploadGrantService, UPLOAD_ENDPOINT_MISSING } from '@core/datastores/upload-grant-service';
import { signUploadGrant, type UploadGrant } from '@core/datastores/upload-grant-token';
import { startTestServer } from '../../helpers/test-server';
import { storedDatastore } from '../../helpers/stored-datastore';

/**
 * The two paths of the upload grant service the other upload tests cannot reach (issue 18):
 * - A token signed with the app's own key but carrying no nonce (the shape issued before URLs were single-use) is
 *   refused as invalid before anything else about it is looked at, its content type included. The test signs it the
 *   way the app does: the HMAC key the vault seals in the settings row, opened under its AAD, through the same token
 *   module; a token re-signed from an issued URL's grant proves the key is the app's.
 * - An S3 datastore whose presigner fails: the caller gets the backend's failure in words (never the provider's
 *   message), and nothing is recorded. The SDK presigns locally, so the backend is a hand-made one that throws.
 * - Where a filesystem URL points: the running local server, else the desktop's upload endpoint, started once for
 *   callers that ask at the same time, and tried again after a start that failed (a failed start must not stick).
 */
const OWNER = 'owner-key-for-upload-grant-edges';
const DENIED = 'this upload URL is invalid or has expired; ask for a new one with POST /datastores/{id}/upload-url';
const PRESIGN_SETTING = 'datastores.presign_key';
const PRESIGN_AAD = 'settings:datastores.presign-key';

describe('a filesystem upload token signed with the app key but without a nonce', () => {
  let s: Awaited<ReturnType<typeof startTestServer>>;
  let dsId: string;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${s.url}${path}`, { ...init, headers: { 'x-api-key': OWNER, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

  beforeAll(async () => {
    s = await startTestServer({ PROVENANCE_ADMIN_API_KEY: OWNER }, { ready: true });
    const r = await api('/datastores', { method: 'POST', body: JSON.stringify({ name: 'Edges' }) });
    expect(r.status).toBe(201);
    dsId = ((await r.json()) as { id: string }).id;
  });
  afterAll(() => s.stop());

  async function uploadUrl(key: string) {
    const r = await api(`/datastores/${dsId}/upload-url`, { method: 'POST', body: JSON.stringify({ key, contentType: 'text/plain' }) });
    expect(r.status).toBe(200);
    return (await r.json()) as { url: string; headers: Record<string, string> };
  }
  /** The app's signing key, as the service gets it: the sealed settings row opened by the vault under its AAD. */
  function appKey(): Buffer {
    const sealed = s.core.db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(PRESIGN_SETTING) as string;
    return s.core.vault.open(Buffer.from(sealed, 'base64'), PRESIGN_AAD);
  }
  const grantOf = (url: string) => JSON.parse(Buffer.from(url.split('/upload/')[1]!.split('.')[0]!, 'base64url').toString('utf8')) as UploadGrant;
  const putToken = (token: string, contentType: string | null, body = 'forged') =>
    fetch(`${s.url}/datastores/${dsId}/upload/${token}`, { method: 'PUT', headers: contentType === null ? {} : { 'content-type': contentType }, body });
  const stored = (key: string) =>
    (s.core.db.prepare('SELECT COUNT(*) AS n FROM datastore_objects WHERE datastore_id = ? AND key = ?').get(dsId, key) as { n: number }).n;

  it('the key the test signs with is the app key: an issued grant re-signed with it stores', async () => {
    const u = await uploadUrl('resigned.txt');
    const token = signUploadGrant(appKey(), grantOf(u.url));
    const r = await putToken(token, 'text/plain', 'resigned bytes');
    expect(r.status, await r.clone().text()).toBe(200);
    expect(stored('resigned.txt')).toBe(1);
  });

  it('is refused as invalid whatever content type it is sent with, and stores nothing', async () => {
    // An issued grant (for this datastore, unexpired) with its nonce taken out, signed with the app key.
    const withoutNonce = grantOf((await uploadUrl('no-nonce.txt')).url);
    delete withoutNonce.n;
    const token = signUploadGrant(appKey(), withoutNonce);
    for (const contentType of ['text/html', null, 'text/plain']) {
      const r = await putToken(token, contentType);
      expect(r.status).toBe(403);
      // Not "signed for Content-Type text/plain": a token without a nonce is no grant at all, so nothing it says is read.
      expect(await r.json()).toEqual({ error: { code: 'FORBIDDEN', message: DENIED } });
    }
    expect(stored('no-nonce.txt')).toBe(0);
  });
});

const actor: Actor = { kind: 'user', id: 'u-1', name: 'ada', origin: 'test' };
describe('an S3 upload URL whose presign fails', () => {
  const ds = storedDatastore({ id: 'ds-s3', workspaceId: 'ws-1', name: 'Bucket', backendType: 's3' });

  function service(presignPut: () => Promise<{ url: string; headers: Record<string, string> }>) {
    const written: string[] = [];
    const svc = createUploadGrantService({
      store: {
        transaction: <T>(fn: () => T) => fn(),
        findDatastore: () => ds,
        upsertPendingUpload: () => void written.push('pending upload'),
        sealedPresignKey: () => null,
        insertSealedPresignKey: () => void written.push('presign key'),
        insertUploadGrant: () => void written.push('grant'),
        findUploadGrant: () => undefined,
        consumeUploadGrant: () => false,
        purgeUploadGrants: () => (written.push('purge'), 0),
      } as never,
      guard: { load: () => ds } as never,
      access: { allowed: () => true },
      backends: { backendFor: async () => ({ presignPut }) as never },
      objects: { putStream: async () => { throw new Error('not used'); } } as never,
      vault: { isUnlocked: () => true, seal: (b) => b, open: (b) => b },
      audit: { record: () => (written.push('audit'), 'audit-id') },
      clock: { now: () => new Date('2026-01-01T00:00:00.000Z') },
    });
    return { svc, written };
  }
  const ask = (svc: ReturnType<typeof service>['svc']) =>
    svc.createUploadUrl(actor, { workspaceId: ds.workspaceId, datastoreId: ds.id, key: 'a.txt', contentType: 'text/plain' });

  it('is the backend error in words (an unreachable endpoint), and records nothing', async () => {
    const { svc, written } = service(async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND bucket.example.invalid'), { code: 'ENOTFOUND' });
    });
    await expect(ask(svc)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'the S3 endpoint of datastore "Bucket" is unreachable; check the endpoint URL and your network, then use Test',
    });
    expect(written).toEqual([]);
  });

  it("never echoes the provider's message (it may quote a credential), only the error's name", async () => {
    const { svc, written } = service(async () => {
      throw Object.assign(new Error('could not load credentials: secret AKIA-SECRET-VALUE'), { name: 'CredentialsProviderError' });
    });
    const err = await ask(svc).then(
      () => null,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(err).toMatchObject({
      code: 'UNAVAILABLE',
      message: 'datastore "Bucket" could not complete the operation (CredentialsProviderError); use Test to check the backend',
    });
    expect(err?.message).not.toContain('AKIA-SECRET-VALUE');
    expect(written).toEqual([]);
  });

  it('a presigner that answers gives its URL and headers, recorded as a pending upload (the same service, working)', async () => {
    const { svc, written } = service(async () => ({ url: 'https://bucket.example.invalid/a.txt?sig', headers: { 'content-type': 'text/plain' } }));
    await expect(ask(svc)).resolves.toEqual({
      url: 'https://bucket.example.invalid/a.txt?sig',
      method: 'PUT',
      headers: { 'content-type': 'text/plain' },
      expiresAt: '2026-01-01T00:15:00.000Z',
    });
    expect(written).toEqual(['purge', 'pending upload', 'audit']);
  });
});

describe('where a filesystem upload URL points', () => {
  const ds = storedDatastore({ id: 'ds-fs', workspaceId: 'ws-1', name: 'Drops', backendType: 'filesystem' });
  function service() {
    const grants: string[] = [];
    const svc = createUploadGrantService({
      store: {
        transaction: <T>(fn: () => T) => fn(),
        findDatastore: () => ds,
        upsertPendingUpload: () => {},
        sealedPresignKey: () => Buffer.alloc(32, 7),
        insertSealedPresignKey: () => {},
        insertUploadGrant: (g: { nonce: string }) => void grants.push(g.nonce),
        findUploadGrant: () => undefined,
        consumeUploadGrant: () => false,
        purgeUploadGrants: () => 0,
      } as never,
      guard: { load: () => ds } as never,
      access: { allowed: () => true },
      backends: { backendFor: async () => ({}) as never },
      objects: { putStream: async () => { throw new Error('not used'); } } as never,
      vault: { isUnlocked: () => true, seal: (b) => b, open: (b) => b },
      audit: { record: () => 'audit-id' },
      clock: { now: () => new Date('2026-01-01T00:00:00.000Z') },
    });
    const ask = (key = 'a.txt') => svc.createUploadUrl(actor, { workspaceId: ds.workspaceId, datastoreId: ds.id, key, contentType: 'text/plain' });
    return { svc, ask, grants };
  }
  /** A starter the test settles by hand: `starts` counts the calls, `settle` resolves or rejects the latest one. */
  function heldStarter() {
    const pending: Array<{ resolve: (url: string) => void; reject: (e: unknown) => void }> = [];
    const start = () => new Promise<string>((resolve, reject) => void pending.push({ resolve, reject }));
    return { start, pending };
  }

  it('the running local server when there is one (no endpoint is started); none and no starter: says how to turn one on', async () => {
    const { svc, ask, grants } = service();
    let started = 0;
    svc.setUploadEndpointStarter(async () => (started++, 'http://127.0.0.1:2'));
    svc.setLocalApiUrl('http://127.0.0.1:1');
    expect((await ask()).url).toMatch(/^http:\/\/127\.0\.0\.1:1\/datastores\/ds-fs\/upload\/[\w-]+\.[\w-]+$/);
    expect(started).toBe(0);
    svc.setLocalApiUrl(null);
    svc.setUploadEndpointStarter(null);
    await expect(ask('b.txt')).rejects.toMatchObject({ code: 'UNAVAILABLE', message: UPLOAD_ENDPOINT_MISSING });
    expect(grants).toHaveLength(1);
  });

  it('two URLs asked for at once start the endpoint once, and both point at it', async () => {
    const { svc, ask } = service();
    const h = heldStarter();
    svc.setUploadEndpointStarter(h.start);
    const both = Promise.all([ask('a.txt'), ask('b.txt')]);
    await Promise.resolve();
    expect(h.pending).toHaveLength(1);
    h.pending[0]!.resolve('http://127.0.0.1:3');
    const [a, b] = await both;
    expect(a.url.startsWith('http://127.0.0.1:3/datastores/ds-fs/upload/')).toBe(true);
    expect(b.url.startsWith('http://127.0.0.1:3/datastores/ds-fs/upload/')).toBe(true);
    expect(h.pending).toHaveLength(1);
  });

  it('an endpoint that cannot start is UNAVAILABLE in plain words (not its error), records no grant, and the next URL tries again', async () => {
    const { svc, ask, grants } = service();
    const h = heldStarter();
    svc.setUploadEndpointStarter(h.start);
    const first = ask('a.txt');
    await Promise.resolve();
    h.pending[0]!.reject(Object.assign(new Error('listen EADDRINUSE 127.0.0.1:3'), { code: 'EADDRINUSE' }));
    await expect(first).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'the local upload endpoint could not start (the details are in the app log): try again, or turn on Settings → REST API',
    });
    expect(grants).toEqual([]);
    const second = ask('b.txt');
    await Promise.resolve();
    expect(h.pending).toHaveLength(2);
    h.pending[1]!.resolve('http://127.0.0.1:4');
    expect((await second).url.startsWith('http://127.0.0.1:4/datastores/ds-fs/upload/')).toBe(true);
    expect(grants).toHaveLength(1);
  });
});
