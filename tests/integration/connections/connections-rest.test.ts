import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/test-server';
import { canary, textContainsCanary } from '../../helpers/canary';
import { startFakeProviders, type FakeProviders } from '../../fakes/fake-providers';

const KEY = 'owner-key-for-connection-tests';
let s: Awaited<ReturnType<typeof startTestServer>>;
let fake: FakeProviders;
beforeAll(async () => {
  fake = await startFakeProviders();
  s = await startTestServer({ PROVENANCE_ADMIN_API_KEY: KEY });
  await s.core.vault.initializeWithKeychain(s.admin);
});
afterAll(async () => {
  await s.stop();
  await fake.close();
});

async function api(method: string, path: string, body?: unknown, key = KEY) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

describe('REST /connections with the owner key', () => {
  it('walks the docs: create, list, get (accessed), test, pause, update credential, test 4xx, delete, 404', async () => {
    const secret = canary('rest-dd');
    const bodies: string[] = [];
    const created = await api('POST', '/connections', { name: 'DD', provider: 'datadog', authType: 'apikey', credential: fake.good.datadog, settings: fake.settings('datadog') });
    expect(created.status).toBe(201);
    const id = created.json!.id as string;
    bodies.push(created.text);

    const list = await api('GET', '/connections');
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({ items: [{ id, name: 'DD', provider: 'datadog', status: 'active' }], nextCursor: null });
    expect(Object.keys((list.json!.items as object[])[0]!)).not.toContain('settings');

    const got = await api('GET', `/connections/${id}`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({ id, hasCredential: true, statusHistory: [{ to: 'active' }] });
    const accessed = s.core.audit.list({ workspaceId: s.core.workspaces.defaultWorkspace().id, action: 'connection.accessed' }, s.admin).items[0]!;
    expect(accessed).toMatchObject({ risk: 'high', actor: { kind: 'apiKey', id: 'owner' }, target: { id } });

    const ok = await api('POST', `/connections/${id}/test`);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ outcome: 'valid', ok: true, httpStatus: 200 });

    const paused = await api('PATCH', `/connections/${id}`, { status: 'paused' });
    expect(paused.status).toBe(200);
    expect(paused.json).toMatchObject({ status: 'paused' });

    const upd = await api('PATCH', `/connections/${id}`, { credential: secret });
    expect(upd.status).toBe(200);
    bodies.push(upd.text);
    const bad = await api('POST', `/connections/${id}/test`);
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({ error: { code: 'INVALID_CREDENTIAL', message: expect.stringContaining('403') }, result: { outcome: 'invalid_credential', httpStatus: 403 } });
    bodies.push(bad.text);

    fake.setMode('rate_limited');
    const limited = await api('POST', `/connections/${id}/test`);
    fake.setMode('normal');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');

    expect((await api('DELETE', `/connections/${id}`)).status).toBe(204);
    const gone = await api('GET', `/connections/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.json).toEqual({ error: { code: 'NOT_FOUND', message: 'connection not found' } });
    expect(textContainsCanary(bodies.join('\n'), [secret])).toBeNull();
  });

  it('GET /connections/{id} is recorded on every call and takes no openingId (that is the desktop\'s, one record per opening)', async () => {
    const created = await api('POST', '/connections', { name: 'PD rest reads', provider: 'pagerduty', authType: 'apikey', credential: 'k' });
    const id = created.json!.id as string;
    const ws = s.core.workspaces.defaultWorkspace().id;
    const reads = () => s.core.audit.list({ workspaceId: ws, action: 'connection.accessed' }, s.admin).items.filter((e) => e.target?.id === id).length;
    expect((await api('GET', `/connections/${id}`)).status).toBe(200);
    expect((await api('GET', `/connections/${id}`)).status).toBe(200);
    expect(reads()).toBe(2);
    const opening = await api('GET', `/connections/${id}?openingId=${crypto.randomUUID()}`);
    expect(opening).toMatchObject({ status: 400 });
    expect(opening.text).toContain('openingId');
    expect(reads()).toBe(2);
    expect((await api('DELETE', `/connections/${id}`)).status).toBe(204);
  });

  it('credential fields: a Datadog application key is set, tested, cleared; never in a body; a wrong Snowflake passphrase is a 400 on its field', async () => {
    const app = canary('rest-ddapp');
    const created = await api('POST', '/connections', {
      name: 'DD app',
      provider: 'datadog',
      authType: 'apikey',
      credential: fake.good.datadog,
      credentialFields: { applicationKey: app },
      settings: fake.settings('datadog'),
    });
    expect(created.status).toBe(201);
    const id = created.json!.id as string;
    const got = await api('GET', `/connections/${id}`);
    expect(got.json).toMatchObject({ storedCredentialFields: { applicationKey: { secretId: null } } });
    const bad = await api('POST', `/connections/${id}/test`);
    expect(bad.status).toBe(422);
    expect(bad.json).toMatchObject({ error: { code: 'INVALID_CREDENTIAL', message: expect.stringContaining('application key') }, result: { httpStatus: 403 } });
    const fixed = await api('PATCH', `/connections/${id}`, { credentialFields: { applicationKey: fake.datadogApplicationKey.good } });
    expect(fixed.status).toBe(200);
    expect((await api('POST', `/connections/${id}/test`)).status).toBe(200);
    const cleared = await api('PATCH', `/connections/${id}`, { credentialFields: { applicationKey: null } });
    expect(cleared.json).toMatchObject({ storedCredentialFields: {} });
    expect(textContainsCanary([created.text, got.text, bad.text, fixed.text, cleared.text].join('\n'), [app, fake.datadogApplicationKey.good])).toBeNull();

    const wrong = await api('POST', '/connections', {
      name: 'SF',
      provider: 'snowflake',
      authType: 'serviceaccount',
      credential: fake.snowflakeEncrypted.pem,
      credentialFields: { passphrase: 'wrong-passphrase' },
      settings: fake.settings('snowflake'),
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'credentialFields.passphrase' } });
    expect(wrong.text).not.toContain('wrong-passphrase');
  });

  it('400 naming the field for bad input; 401 without a key; DELETE of a referenced connection is 409 until ?force=true', async () => {
    const missing = await api('POST', '/connections', { name: 'J', provider: 'jira', authType: 'apikey', credential: 't', settings: { siteUrl: 'https://x.atlassian.net' } });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'settings.email' } });
    const unknown = await api('POST', '/connections', { name: 'J', provider: 'myspace', authType: 'apikey', credential: 't' });
    expect(unknown.json).toMatchObject({ error: { field: 'provider' } });
    const badStatus = await api('PATCH', '/connections/00000000-0000-4000-8000-000000000000', { status: 'error' });
    expect(badStatus.status).toBe(400);
    expect((await api('GET', '/connections', undefined, 'wrong')).status).toBe(401);

    const c = await api('POST', '/connections', { name: 'PD', provider: 'pagerduty', authType: 'apikey', credential: 'k' });
    const id = c.json!.id as string;
    s.core.references.set(s.core.workspaces.defaultWorkspace().id, { type: 'workflow_step', id: 'w1', name: 'Page on-call' }, { type: 'connection', id });
    const refused = await api('DELETE', `/connections/${id}`);
    expect(refused.status).toBe(409);
    expect((refused.json!.error as { message: string }).message).toContain('Page on-call');
    expect((await api('DELETE', `/connections/${id}?force=true`)).status).toBe(204);
  });
});
