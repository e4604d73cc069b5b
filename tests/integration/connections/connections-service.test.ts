// One file (~530 lines): the connection service's behaviour end to end against the fake providers, sharing one core,
// one set of fake provider servers and their fixtures; each describe block is one capability of the docs.
import { createPrivateKey } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Input } from '@shared/ipc/contract';
import type { LogLevel } from '@core/ports';
import { count, makeReadyCore, makeTestCore, unwrap } from '../../helpers/test-core';
import { roleActors } from '../../helpers/actors';
import { canary, scanForCanaries, textContainsCanary } from '../../helpers/canary';
import { startFakeProviders, type FakeProviders } from '../../fakes/fake-providers';

let fake: FakeProviders;
let t: Awaited<ReturnType<typeof makeReadyCore>>;
let ws: string;
const logs: string[] = [];
const logger = { log: (level: LogLevel, message: string, fields?: Record<string, unknown>) => void logs.push(JSON.stringify({ level, message, ...fields })) };

beforeAll(async () => (fake = await startFakeProviders()));
afterAll(() => fake.close());
beforeEach(async () => {
  logs.length = 0;
  t = await makeReadyCore({ connectionTestTimeoutMs: 2000, logger });
  ws = t.core.workspaces.defaultWorkspace().id;
});
afterEach(() => {
  fake.setMode('normal');
  t.close();
});

const datadog = (over: Partial<Input<'connections:create'>> = {}): Input<'connections:create'> => ({
  workspaceId: ws,
  name: 'Datadog prod',
  provider: 'datadog',
  authType: 'apikey',
  credential: fake.good.datadog,
  settings: fake.settings('datadog'),
  ...over,
});
const snowflake = (over: Partial<Input<'connections:create'>> = {}): Input<'connections:create'> => ({
  workspaceId: ws,
  name: 'Snowflake prod',
  provider: 'snowflake',
  authType: 'serviceaccount',
  credential: fake.snowflakeEncrypted.pem,
  credentialFields: { passphrase: fake.snowflakeEncrypted.passphrase },
  settings: fake.settings('snowflake'),
  ...over,
});
const written = () => [
  count(t.core.db, 'connections'),
  count(t.core.db, 'audit_events'),
  count(t.core.db, 'connection_status_history'),
  count(t.core.db, 'connection_credential_fields'),
];
/** The good Snowflake key, encrypted under another passphrase. */
const encryptedWith = (passphrase: string) =>
  createPrivateKey(fake.good.snowflake).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();

describe('validation: 400 naming the field, nothing written', () => {
  const cases: Array<[string, () => Record<string, unknown>, string]> = [
    ['unknown provider', () => ({ ...datadog(), provider: 'myspace' }), 'provider'],
    ['authType that does not match the provider', () => ({ ...datadog(), authType: 'oauth2' }), 'authType'],
    ['an unknown authType', () => ({ ...datadog(), authType: 'password' }), 'authType'],
    ['missing credential (API key provider)', () => datadog({ credential: undefined }), 'credential'],
    ['blank credential', () => datadog({ credential: '   ' }), 'credential'],
    ['missing name', () => datadog({ name: ' ' }), 'name'],
    ['missing Jira email', () => ({ ...datadog(), provider: 'jira', settings: { siteUrl: 'https://x.atlassian.net' } }), 'settings.email'],
    ['missing Jira site', () => ({ ...datadog(), provider: 'jira', settings: { email: 'a@b.co' } }), 'settings.siteUrl'],
    ['missing Zendesk subdomain', () => ({ ...datadog(), provider: 'zendesk', settings: { email: 'a@b.co' } }), 'settings.subdomain'],
    ['missing ServiceNow user', () => ({ ...datadog(), provider: 'servicenow', authType: 'serviceaccount', settings: { instanceUrl: 'https://x.service-now.com' } }), 'settings.username'],
    ['missing Snowflake account', () => ({ ...datadog(), provider: 'snowflake', authType: 'serviceaccount', credential: fake.good.snowflake, settings: { user: 'u' } }), 'settings.account'],
    ['missing Okta org URL', () => ({ workspaceId: ws, name: 'okta', provider: 'okta', authType: 'oauth2' }), 'settings.orgUrl'],
    ['an unknown Datadog site', () => datadog({ settings: { site: 'example.com' } }), 'settings.site'],
    ['a setting the provider does not have', () => datadog({ settings: { site: 'datadoghq.com', colour: 'red' } }), 'settings.colour'],
    ['a plain-http base URL off this machine', () => datadog({ settings: { site: 'datadoghq.com', baseUrl: 'http://api.example.com' } }), 'settings.baseUrl'],
    ['a credential for an OAuth provider', () => ({ workspaceId: ws, name: 's', provider: 'slack', authType: 'oauth2', credential: 'xoxb-1' }), 'credential'],
    ['an encrypted Snowflake key without its passphrase', () => snowflake({ credentialFields: undefined }), 'credentialFields.passphrase'],
    ['an encrypted Snowflake key with a blank passphrase', () => snowflake({ credentialFields: { passphrase: '  ' } }), 'credentialFields.passphrase'],
    ['an encrypted Snowflake key with a wrong passphrase', () => snowflake({ credentialFields: { passphrase: 'not-the-passphrase' } }), 'credentialFields.passphrase'],
    ['a passphrase for an unencrypted Snowflake key', () => snowflake({ credential: fake.good.snowflake }), 'credentialFields.passphrase'],
    ['a damaged encrypted Snowflake key', () => snowflake({ credential: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAA\n-----END ENCRYPTED PRIVATE KEY-----' }), 'credentialFields.passphrase'],
    ['an unknown credential field', () => datadog({ credentialFields: { appKey: 'x' } }), 'credentialFields.appKey'],
    ['a credential field of another provider', () => datadog({ credentialFields: { passphrase: 'x' } }), 'credentialFields.passphrase'],
    ['an application key on two lines', () => datadog({ credentialFields: { applicationKey: 'abc\ndef' } }), 'credentialFields.applicationKey'],
    ['an application key both as a value and a vault secret', () => datadog({ credentialFields: { applicationKey: 'k' }, credentialFieldSecretIds: { applicationKey: '11111111-1111-4111-8111-111111111111' } }), 'credentialFields.applicationKey'],
    ['a vault secret for an unknown credential field', () => datadog({ credentialFieldSecretIds: { appKey: '11111111-1111-4111-8111-111111111111' } }), 'credentialFieldSecretIds.appKey'],
    ['a credential field for an OAuth provider', () => ({ workspaceId: ws, name: 's', provider: 'slack', authType: 'oauth2', credentialFields: { applicationKey: 'k' } }), 'credentialFields.applicationKey'],
    ['a Snowflake key that does not parse', () => ({ ...datadog(), provider: 'snowflake', authType: 'serviceaccount', credential: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----', settings: { account: 'a', user: 'u' } }), 'credential'],
    ['an unknown field', () => ({ ...datadog(), owner: 'me' }), 'owner'],
  ];
  for (const [what, input, field] of cases) {
    it(what, async () => {
      const before = written();
      const r = await t.invoke('connections:create', input() as never);
      expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field } });
      expect(written()).toEqual(before);
    });
  }

  it('a duplicate name (case-insensitive) is a CONFLICT on name', async () => {
    unwrap(await t.invoke('connections:create', datadog()));
    const before = written();
    expect(await t.invoke('connections:create', datadog({ name: 'DATADOG PROD' }))).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'name' } });
    expect(written()).toEqual(before);
  });

  it('a locked vault refuses to store a credential and nothing is written', async () => {
    t.core.vault.lock(t.admin);
    const before = written();
    expect(await t.invoke('connections:create', datadog())).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(written().slice(0, 1)).toEqual(before.slice(0, 1));
    expect(count(t.core.db, 'connection_status_history')).toBe(before[2]);
  });

  it('PATCH refuses status error (platform-managed) and bad settings, naming the field', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog()));
    expect(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'error' as never })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'status' } });
    expect(await t.invoke('connections:update', { workspaceId: ws, id: c.id, settings: { site: 'datadoghq.example' } })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'settings.site' } });
    expect(t.core.connections.internal.get(ws, c.id).settings.site).toBe('datadoghq.com');
  });
});

describe('status transitions', () => {
  it('active → paused → active, each recorded in the history and the audit log', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog()));
    expect(unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'paused' })).status).toBe('paused');
    expect(unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'active' })).status).toBe('active');
    const d = unwrap(await t.invoke('connections:get', { workspaceId: ws, id: c.id }));
    expect(d.statusHistory.map((h) => [h.from, h.to])).toEqual([
      ['paused', 'active'],
      ['active', 'paused'],
      [null, 'active'],
    ]);
    const updates = t.core.audit.list({ workspaceId: ws, action: 'connection.updated' }, t.admin).items;
    expect(updates.map((e) => e.details.status)).toEqual(['active', 'paused']);
  });

  it('active → error on a 401 at test; new credentials keep error until a test says valid; the old credential is overwritten', async () => {
    const c = unwrap(await t.invoke('connections:create', { ...datadog(), provider: 'jira', settings: fake.settings('jira'), credential: fake.bad.jira }));
    const r = unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    expect(r).toMatchObject({ outcome: 'invalid_credential', httpStatus: 401 });
    expect(t.core.connections.internal.get(ws, c.id)).toMatchObject({ status: 'error', lastError: { code: 'invalid_credential' } });
    const fixed = unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credential: fake.good.jira }));
    // Untested: the status and the last error still say what the last test found.
    expect(fixed).toMatchObject({ status: 'error', lastError: { code: 'invalid_credential' } });
    expect((await t.core.connections.internal.credentialFor(ws, c.id)).credential).toBe(fake.good.jira);
    expect(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).outcome).toBe('valid');
    expect(t.core.connections.internal.get(ws, c.id)).toMatchObject({ status: 'active', lastError: null });
  });

  it('error → active after a later valid test', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog()));
    fake.setMode('normal');
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credential: fake.bad.datadog }));
    unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    expect(t.core.connections.internal.get(ws, c.id).status).toBe('error');
    // The provider's view changes (e.g. the key was re-enabled there): the next valid test restores it.
    t.core.db.prepare('UPDATE connections SET credential_sealed = ? WHERE id = ?').run(t.core.vault.seal(Buffer.from(fake.good.datadog), `connection:${c.id}:credential`), c.id);
    unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    expect(t.core.connections.internal.get(ws, c.id)).toMatchObject({ status: 'active', lastError: null });
  });

  it('refuses PATCH status active on an error connection, and keeps paused through a credential update', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog({ credential: fake.bad.datadog })));
    unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    expect(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'active' })).toMatchObject({ ok: false, error: { code: 'PRECONDITION_FAILED' } });
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'paused' }));
    // Testing a paused connection is allowed (checking new credentials before resuming); it stays paused.
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credential: fake.good.datadog }));
    expect(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).outcome).toBe('valid');
    expect(t.core.connections.internal.get(ws, c.id).status).toBe('paused');
    expect(unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'active' })).status).toBe('active');
  });

  it('resuming a connection whose last test failed brings it back to error, not active', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog({ credential: fake.bad.datadog })));
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'paused' }));
    unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    expect(t.core.connections.internal.get(ws, c.id).status).toBe('paused');
    expect(unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'active' })).status).toBe('error');
  });

  it('an OAuth connection waits for authorization; its credential source is pluggable', async () => {
    const c = unwrap(await t.invoke('connections:create', { workspaceId: ws, name: 'Slack', provider: 'slack', authType: 'oauth2', settings: fake.settings('slack') }));
    expect(c).toMatchObject({ status: 'error', hasCredential: false, lastError: { code: 'not_authorized' }, settings: { scopes: 'chat:write channels:read' } });
    expect(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).toMatchObject({ ok: false, error: { code: 'PRECONDITION_FAILED', message: expect.stringContaining('Authorize') } });
    t.core.connections.internal.registerCredentialSource('oauth2', async () => fake.good.slack);
    expect(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).outcome).toBe('valid');
    expect(t.core.connections.internal.get(ws, c.id).status).toBe('active');
    t.core.connections.internal.markError(ws, c.id, { code: 'refresh_failed', message: 'refresh token revoked' }, t.admin);
    expect(t.core.connections.internal.get(ws, c.id)).toMatchObject({ status: 'error', lastError: { code: 'refresh_failed' } });
  });
});

describe('Datadog application key (optional, write-only)', () => {
  const calls = () => fake.requests.filter((r) => r.provider === 'datadog').map((r) => r.path);

  it('is sealed like the credential, never returned, used by the test and given to code that uses the connection', async () => {
    const app = fake.datadogApplicationKey.good;
    const c = unwrap(await t.invoke('connections:create', datadog({ credentialFields: { applicationKey: app } })));
    expect(c.storedCredentialFields).toEqual({ applicationKey: { secretId: null } });
    expect(JSON.stringify(c)).not.toContain(app);
    const row = t.core.db.prepare('SELECT sealed, secret_id FROM connection_credential_fields WHERE connection_id = ? AND key = ?').get(c.id, 'applicationKey') as { sealed: Buffer; secret_id: null };
    expect(row.sealed.includes(Buffer.from(app))).toBe(false);
    expect(t.core.vault.open(row.sealed, `connection:${c.id}:credential:applicationKey`).toString()).toBe(app);
    expect(await t.core.connections.internal.credentialFor(ws, c.id)).toMatchObject({ credential: fake.good.datadog, credentialFields: { applicationKey: app } });
    const created = t.core.audit.list({ workspaceId: ws, action: 'connection.created' }, t.admin).items[0]!;
    expect(created.details).toMatchObject({ setFields: ['credentialFields.applicationKey'] });

    fake.requests.length = 0;
    const r = unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    expect(r).toMatchObject({ outcome: 'valid', httpStatus: 200, message: expect.stringContaining('application key') });
    expect(r.endpoint).toContain('/api/v2/validate_keys');
    expect(calls()).toEqual(['/api/v1/validate', '/api/v2/validate_keys']);
  });

  it('a bad application key is invalid_credential naming the application key; replacing it brings the connection back; null removes it', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog({ credentialFields: { applicationKey: fake.datadogApplicationKey.bad } })));
    const bad = unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    expect(bad).toMatchObject({ outcome: 'invalid_credential', ok: false, httpStatus: 403 });
    expect(bad.message).toMatch(/rejected the application key/);
    expect(bad.message).toContain('accepted the API key');
    expect(t.core.connections.internal.get(ws, c.id)).toMatchObject({ status: 'error', lastError: { code: 'invalid_credential' } });

    // Replaced like any write-only field: a new value is new credentials, untested until the next test (error → active then).
    const fixed = unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credentialFields: { applicationKey: fake.datadogApplicationKey.good } }));
    expect(fixed).toMatchObject({ status: 'error', lastError: { code: 'invalid_credential' }, storedCredentialFields: { applicationKey: { secretId: null } } });
    expect((await t.core.connections.internal.credentialFor(ws, c.id)).credentialFields).toEqual({ applicationKey: fake.datadogApplicationKey.good });
    expect(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).outcome).toBe('valid');
    expect(t.core.connections.internal.get(ws, c.id)).toMatchObject({ status: 'active', lastError: null });

    const cleared = unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credentialFields: { applicationKey: null } }));
    expect(cleared.storedCredentialFields).toEqual({});
    expect(count(t.core.db, 'connection_credential_fields')).toBe(0);
    const updates = t.core.audit.list({ workspaceId: ws, action: 'connection.updated' }, t.admin).items;
    expect(updates[0]!.details).toEqual({ changed: ['credentialFields.applicationKey'], removed: ['credentialFields.applicationKey'] });
    expect(updates[1]!.details).toEqual({ changed: ['credentialFields.applicationKey'] });
    fake.requests.length = 0;
    expect(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).outcome).toBe('valid');
    expect(calls()).toEqual(['/api/v1/validate']);
  });

  it('a bad API key is reported as the API key even with a good application key (validate_keys is not reached)', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog({ credential: fake.bad.datadog, credentialFields: { applicationKey: fake.datadogApplicationKey.good } })));
    fake.requests.length = 0;
    const r = unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    expect(r).toMatchObject({ outcome: 'invalid_credential', httpStatus: 403, message: expect.stringContaining('rejected the API key') });
    expect(calls()).toEqual(['/api/v1/validate']);
  });

  it('test before saving checks the application key too', async () => {
    const draft = { workspaceId: ws, provider: 'datadog' as const, authType: 'apikey' as const, credential: fake.good.datadog, settings: fake.settings('datadog') };
    expect(unwrap(await t.invoke('connections:testDraft', { ...draft, credentialFields: { applicationKey: fake.datadogApplicationKey.good } })).outcome).toBe('valid');
    const bad = unwrap(await t.invoke('connections:testDraft', { ...draft, credentialFields: { applicationKey: fake.datadogApplicationKey.bad } }));
    expect(bad).toMatchObject({ outcome: 'invalid_credential', message: expect.stringContaining('application key') });
    expect(count(t.core.db, 'connections')).toBe(0);
  });

  it('a locked vault refuses a new application key and nothing changes', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog()));
    t.core.vault.lock(t.admin);
    const before = written();
    expect(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credentialFields: { applicationKey: 'k' } })).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
    expect(written()).toEqual(before);
  });
});

describe('Snowflake encrypted private key (PKCS#8) with a passphrase', () => {
  it('right passphrase: stored sealed, and the test passes against Snowflake (JWT verified with the public key)', async () => {
    const c = unwrap(await t.invoke('connections:create', snowflake()));
    expect(c).toMatchObject({ hasCredential: true, storedCredentialFields: { passphrase: { secretId: null } } });
    const r = unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    expect(r).toMatchObject({ outcome: 'valid', ok: true, httpStatus: 200 });
    const row = t.core.db.prepare('SELECT sealed FROM connection_credential_fields WHERE connection_id = ?').get(c.id) as { sealed: Buffer };
    expect(row.sealed.includes(Buffer.from(fake.snowflakeEncrypted.passphrase))).toBe(false);
    const { name: _n, ...draft } = snowflake();
    expect(unwrap(await t.invoke('connections:testDraft', draft)).outcome).toBe('valid');
  });

  it('wrong or missing passphrase on test before saving is a field error; nothing is sent to Snowflake', async () => {
    const { name: _n, ...draft } = snowflake();
    fake.requests.length = 0;
    expect(await t.invoke('connections:testDraft', { ...draft, credentialFields: { passphrase: 'wrong' } })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', field: 'credentialFields.passphrase', message: expect.stringContaining('does not decrypt') },
    });
    expect(await t.invoke('connections:testDraft', { ...draft, credentialFields: {} })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_INPUT', field: 'credentialFields.passphrase', message: expect.stringContaining('encrypted') },
    });
    expect(fake.requests).toEqual([]);
  });

  it('update: a passphrase that does not open the stored key is refused and nothing changes; clearing it is refused too', async () => {
    const c = unwrap(await t.invoke('connections:create', snowflake()));
    const before = written();
    expect(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credentialFields: { passphrase: 'wrong' } })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'credentialFields.passphrase' } });
    expect(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credentialFields: { passphrase: null } })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'credentialFields.passphrase' } });
    expect(written()).toEqual(before);
    expect((await t.core.connections.internal.credentialFor(ws, c.id)).credentialFields).toEqual({ passphrase: fake.snowflakeEncrypted.passphrase });
  });

  it('update: a new key encrypted under the stored passphrase needs nothing else; another passphrase comes with its key; an unencrypted key drops the passphrase', async () => {
    const c = unwrap(await t.invoke('connections:create', snowflake()));
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credential: encryptedWith(fake.snowflakeEncrypted.passphrase) }));
    const rekeyed = encryptedWith('another-passphrase');
    expect(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credential: rekeyed })).toMatchObject({ ok: false, error: { field: 'credentialFields.passphrase' } });
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credential: rekeyed, credentialFields: { passphrase: 'another-passphrase' } }));
    expect(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).outcome).toBe('valid');

    const plain = unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credential: fake.good.snowflake }));
    expect(plain.storedCredentialFields).toEqual({});
    expect(t.core.audit.list({ workspaceId: ws, action: 'connection.updated' }, t.admin).items[0]!.details).toEqual({
      changed: ['credential', 'credentialFields.passphrase'],
      removed: ['credentialFields.passphrase'],
    });
    expect(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).outcome).toBe('valid');
  });
});

describe('use by other code', () => {
  it('a paused connection is refused ("connection is paused"); a deleted one is "connection not found"', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog()));
    expect((await t.core.connections.internal.credentialFor(ws, c.id)).credential).toBe(fake.good.datadog);
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'paused' }));
    await expect(t.core.connections.internal.credentialFor(ws, c.id)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringMatching(/^connection is paused/) });
    unwrap(await t.invoke('connections:delete', { workspaceId: ws, id: c.id }));
    await expect(t.core.connections.internal.credentialFor(ws, c.id)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'connection not found' });
  });

  it('another workspace cannot see or use the connection', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog()));
    const other = unwrap(await t.invoke('workspaces:create', { name: 'Other' }));
    expect(await t.invoke('connections:get', { workspaceId: other.id, id: c.id })).toMatchObject({ ok: false, error: { message: 'connection not found' } });
    expect(unwrap(await t.invoke('connections:list', { workspaceId: other.id })).items).toEqual([]);
    await expect(t.core.connections.internal.credentialFor(other.id, c.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('references', () => {
  it('a connection can keep its credential in a vault secret: the reference is indexed', async () => {
    const secretId = '11111111-1111-4111-8111-111111111111';
    const c = unwrap(await t.invoke('connections:create', datadog({ credential: undefined, credentialSecretId: secretId })));
    expect(c).toMatchObject({ hasCredential: true, credentialSecretId: secretId });
    expect(t.core.references.referencesTo({ type: 'secret', id: secretId })).toEqual([{ fromType: 'connection', fromId: c.id, fromName: 'Datadog prod' }]);
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credential: 'new-key' }));
    expect(t.core.references.referencesTo({ type: 'secret', id: secretId })).toEqual([]);
  });

  it('a credential field can be a vault secret too: read at use time, indexed as a reference, dropped when replaced by a value', async () => {
    const secret = t.core.secrets.create({ workspaceId: ws, name: 'dd-app-key', value: fake.datadogApplicationKey.good }, t.admin);
    const c = unwrap(await t.invoke('connections:create', datadog({ credentialFieldSecretIds: { applicationKey: secret.id } })));
    expect(c.storedCredentialFields).toEqual({ applicationKey: { secretId: secret.id } });
    expect(t.core.references.referencesTo({ type: 'secret', id: secret.id }).map((r) => r.fromId)).toEqual([c.id]);
    expect(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).outcome).toBe('valid');
    t.core.secrets.rotate({ workspaceId: ws, id: secret.id, value: fake.datadogApplicationKey.bad }, t.admin);
    expect(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).outcome).toBe('invalid_credential');
    // Renaming keeps the reference (with the new name); a value replaces the secret and the reference goes.
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, name: 'Datadog renamed' }));
    expect(t.core.references.referencesTo({ type: 'secret', id: secret.id })).toEqual([{ fromType: 'connection', fromId: c.id, fromName: 'Datadog renamed' }]);
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credentialFields: { applicationKey: fake.datadogApplicationKey.good } }));
    expect(t.core.references.referencesTo({ type: 'secret', id: secret.id })).toEqual([]);
    expect(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).outcome).toBe('valid');
  });

  it('deleting a referenced connection lists the referrers and needs force; then lookups say not found', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog()));
    t.core.references.set(ws, { type: 'workflow_step', id: 'step-1', name: 'Post metrics' }, { type: 'connection', id: c.id });
    const d = unwrap(await t.invoke('connections:get', { workspaceId: ws, id: c.id }));
    expect(d.referencedBy).toEqual([{ type: 'workflow_step', id: 'step-1', name: 'Post metrics' }]);
    const refused = await t.invoke('connections:delete', { workspaceId: ws, id: c.id });
    expect(refused).toMatchObject({ ok: false, error: { code: 'CONFLICT', field: 'force', message: expect.stringContaining('"Post metrics"') } });
    expect(count(t.core.db, 'connections')).toBe(1);
    unwrap(await t.invoke('connections:delete', { workspaceId: ws, id: c.id, force: true }));
    expect(await t.invoke('connections:get', { workspaceId: ws, id: c.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'connection not found' } });
    expect(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).toMatchObject({ ok: false, error: { message: 'connection not found' } });
    const del = t.core.audit.list({ workspaceId: ws, action: 'connection.deleted' }, t.admin).items[0]!;
    expect(del.details).toMatchObject({ force: true, referencedBy: ['workflow_step:step-1'] });
  });
});

describe('audit', () => {
  it('emits created, accessed (high), updated, tested and deleted', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog()));
    unwrap(await t.invoke('connections:get', { workspaceId: ws, id: c.id }));
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credential: fake.good.datadog }));
    unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    unwrap(await t.invoke('connections:delete', { workspaceId: ws, id: c.id }));
    const items = t.core.audit.list({ workspaceId: ws }, t.admin).items.filter((e) => e.action.startsWith('connection.'));
    expect(items.map((e) => [e.action, e.risk])).toEqual([
      ['connection.deleted', 'medium'],
      ['connection.tested', 'low'],
      ['connection.updated', 'medium'],
      ['connection.accessed', 'high'],
      ['connection.created', 'medium'],
    ]);
    expect(items.find((e) => e.action === 'connection.updated')!.details).toEqual({ changed: ['credential'] });
    expect(items.every((e) => e.target.id === c.id)).toBe(true);
  });

  it('listing is not an access to the detail record', async () => {
    unwrap(await t.invoke('connections:create', datadog()));
    unwrap(await t.invoke('connections:list', { workspaceId: ws }));
    expect(t.core.audit.list({ workspaceId: ws, action: 'connection.accessed' }, t.admin).items).toHaveLength(0);
  });
});

describe('list', () => {
  it('filters by provider, status and name search, and pages by keyset', async () => {
    for (let i = 0; i < 7; i++) unwrap(await t.invoke('connections:create', datadog({ name: `DD ${i}` })));
    const j = unwrap(await t.invoke('connections:create', { ...datadog(), name: 'Jira 100%_', provider: 'jira', settings: fake.settings('jira') }));
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: j.id, status: 'paused' }));
    const all: string[] = [];
    let cursor: string | undefined;
    do {
      const page = unwrap(await t.invoke('connections:list', { workspaceId: ws, limit: 3, ...(cursor ? { cursor } : {}) }));
      all.push(...page.items.map((x) => x.name));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(all).toEqual(['DD 0', 'DD 1', 'DD 2', 'DD 3', 'DD 4', 'DD 5', 'DD 6', 'Jira 100%_']);
    expect(unwrap(await t.invoke('connections:list', { workspaceId: ws, provider: 'jira' })).items.map((x) => x.id)).toEqual([j.id]);
    expect(unwrap(await t.invoke('connections:list', { workspaceId: ws, status: 'paused' })).items.map((x) => x.id)).toEqual([j.id]);
    expect(unwrap(await t.invoke('connections:list', { workspaceId: ws, q: '0%_' })).items.map((x) => x.id)).toEqual([j.id]);
    expect(unwrap(await t.invoke('connections:list', { workspaceId: ws, q: 'dd 3' })).items.map((x) => x.name)).toEqual(['DD 3']);
    expect(await t.invoke('connections:list', { workspaceId: ws, cursor: 'bogus' })).toMatchObject({ ok: false, error: { field: 'cursor' } });
  });
});

describe('permissions (docs: Connections table) through dispatch', () => {
  const ops = ['list', 'status', 'create', 'edit', 'delete', 'test', 'detail'] as const;
  const allowed: Record<'admin' | 'editor' | 'viewer', Record<(typeof ops)[number], boolean>> = {
    admin: { list: true, status: true, create: true, edit: true, delete: true, test: true, detail: true },
    editor: { list: true, status: true, create: true, edit: true, delete: true, test: true, detail: true },
    viewer: { list: true, status: true, create: false, edit: false, delete: false, test: false, detail: false },
  };
  for (const role of ['admin', 'editor', 'viewer'] as const) {
    it(`${role}`, async () => {
      const as = roleActors(t.core)(role, ws);
      const c = unwrap(await t.invoke('connections:create', datadog()));
      const before = count(t.core.db, 'connections');
      const results = {
        list: await t.invoke('connections:list', { workspaceId: ws }, as),
        status: await t.invoke('connections:list', { workspaceId: ws, status: 'active' }, as),
        create: await t.invoke('connections:create', datadog({ name: `by ${role}` }), as),
        edit: await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'paused' }, as),
        test: await t.invoke('connections:test', { workspaceId: ws, id: c.id }, as),
        detail: await t.invoke('connections:get', { workspaceId: ws, id: c.id }, as),
        delete: await t.invoke('connections:delete', { workspaceId: ws, id: c.id }, as),
      };
      for (const op of ops) {
        if (allowed[role][op]) expect(results[op], `${role} ${op}`).toMatchObject({ ok: true });
        else expect(results[op], `${role} ${op}`).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      }
      if (role === 'viewer') {
        expect(count(t.core.db, 'connections')).toBe(before);
        expect(t.core.connections.internal.get(ws, c.id).status).toBe('active');
        expect(await t.invoke('connections:testDraft', { workspaceId: ws, provider: 'datadog', authType: 'apikey', credential: 'x', settings: fake.settings('datadog') }, as)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
        const listed = results.list.ok ? results.list.value.items[0]! : null;
        expect(Object.keys(listed ?? {}).sort()).toEqual(['authType', 'createdAt', 'id', 'name', 'provider', 'status', 'statusChangedAt', 'updatedAt']);
      }
    });
  }

  it('an actor with no grant in the workspace is refused even the list', async () => {
    const stranger = { kind: 'user' as const, id: 'nobody', name: 'nobody', origin: '127.0.0.1' };
    roleActors(t.core);
    expect(await t.invoke('connections:list', { workspaceId: ws }, stranger)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});

describe('credential canary', () => {
  it('never appears in a response, audit detail, log or file', async () => {
    const secret = canary('ddkey');
    const responses: unknown[] = [];
    const c = unwrap(await t.invoke('connections:create', datadog({ credential: secret })));
    responses.push(c);
    // The fake echoes whatever credential it is sent in its error body: the app must not pass that on.
    responses.push(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })));
    responses.push(unwrap(await t.invoke('connections:get', { workspaceId: ws, id: c.id })));
    responses.push(unwrap(await t.invoke('connections:list', { workspaceId: ws })));
    const second = canary('ddkey2');
    responses.push(unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credential: second })));
    responses.push(unwrap(await t.invoke('connections:testDraft', { workspaceId: ws, provider: 'datadog', authType: 'apikey', credential: secret, settings: fake.settings('datadog') })));
    responses.push(await t.invoke('connections:create', datadog({ name: 'bad', credential: secret, settings: { site: 'nope' } })));
    responses.push(await t.invoke('connections:create', { ...datadog({ credential: secret }), provider: 'snowflake', authType: 'serviceaccount', settings: { account: 'a', user: 'u' } }));

    // The write-only credential fields: a Datadog application key (the fake echoes a rejected one in its body) …
    const appKey = canary('ddapp');
    const appKey2 = canary('ddapp2');
    const withApp = unwrap(await t.invoke('connections:create', datadog({ name: 'with app key', credentialFields: { applicationKey: appKey } })));
    responses.push(withApp);
    responses.push(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: withApp.id })));
    responses.push(unwrap(await t.invoke('connections:get', { workspaceId: ws, id: withApp.id })));
    responses.push(unwrap(await t.invoke('connections:update', { workspaceId: ws, id: withApp.id, credentialFields: { applicationKey: appKey2 } })));
    responses.push(unwrap(await t.invoke('connections:testDraft', { workspaceId: ws, provider: 'datadog', authType: 'apikey', credential: fake.good.datadog, credentialFields: { applicationKey: appKey }, settings: fake.settings('datadog') })));
    responses.push(await t.invoke('connections:create', datadog({ name: 'bad app key', credentialFields: { applicationKey: `${appKey}\nx` } })));
    // … and an encrypted Snowflake key's passphrase (right, then wrong).
    const passphrase = canary('sfpass');
    const wrongPassphrase = canary('sfwrong');
    const sf = unwrap(await t.invoke('connections:create', snowflake({ credential: encryptedWith(passphrase), credentialFields: { passphrase } })));
    responses.push(sf, unwrap(await t.invoke('connections:test', { workspaceId: ws, id: sf.id })), unwrap(await t.invoke('connections:get', { workspaceId: ws, id: sf.id })));
    responses.push(await t.invoke('connections:update', { workspaceId: ws, id: sf.id, credentialFields: { passphrase: wrongPassphrase } }));
    responses.push(await t.invoke('connections:create', snowflake({ name: 'wrong passphrase', credential: encryptedWith(passphrase), credentialFields: { passphrase: wrongPassphrase } })));
    const { name: _n, ...sfDraft } = snowflake({ credential: encryptedWith(passphrase), credentialFields: { passphrase: wrongPassphrase } });
    responses.push(await t.invoke('connections:testDraft', sfDraft));
    responses.push(unwrap(await t.invoke('connections:list', { workspaceId: ws })));

    fake.setMode('hang');
    responses.push(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })));
    fake.setMode('rate_limited');
    responses.push(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })));
    responses.push(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: withApp.id })));
    const all = [secret, second, appKey, appKey2, passphrase, wrongPassphrase];
    expect(textContainsCanary(JSON.stringify(responses), all)).toBeNull();
    expect(textContainsCanary(JSON.stringify(t.core.audit.list({ workspaceId: ws, limit: 500 }, t.admin).items), all)).toBeNull();
    expect(logs.length).toBeGreaterThan(0);
    expect(textContainsCanary(logs.join('\n'), all)).toBeNull();
    t.core.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(scanForCanaries(all, t.dataDir)).toEqual([]);
  });
});

describe('without a vault', () => {
  it('an uninitialized vault refuses credentials (VAULT_LOCKED) instead of storing them in plaintext', async () => {
    const u = makeTestCore();
    try {
      const w = u.core.workspaces.defaultWorkspace().id;
      const r = await u.invoke('connections:create', { workspaceId: w, name: 'x', provider: 'pagerduty', authType: 'apikey', credential: 'k' });
      expect(r).toMatchObject({ ok: false, error: { code: 'VAULT_LOCKED' } });
      expect(count(u.core.db, 'connections')).toBe(0);
    } finally {
      u.close();
    }
  });
});
