import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionCreate, ConnectionUpdate } from '@shared/domain/connection';
import type { AuditAction } from '@shared/domain/audit.catalog';
import { makeReadyCore } from '../../helpers/test-core';
import { roleActors } from '../../helpers/actors';

// One file (~450 lines): create and update share one core, clock, push recorder and the snapshot every refusal is
// compared with; each describe block is one part of the two writes.
/**
 * The connection service's writes, create and update (issue #18's mutation run), at the service: what each write
 * stores (row columns, credential fields, status history, references), what it records (the audit row's target and
 * exact details) and pushes (connections:changed), the timestamps it takes from the clock, and each refusal's code,
 * field and words with nothing written. No provider is called: nothing here needs a fake server.
 */
let t: Awaited<ReturnType<typeof makeReadyCore>>;
let ws: string;
let now = Date.parse('2026-04-01T00:00:00.000Z');
const clock = { now: () => new Date(now) };
const T0 = '2026-04-01T00:00:00.000Z';
const T1 = '2026-04-01T00:01:00.000Z';
const pushes: Array<{ workspaceId: string; id: string }> = [];

beforeEach(async () => {
  now = Date.parse(T0);
  pushes.length = 0;
  t = await makeReadyCore({ clock });
  ws = t.core.workspaces.defaultWorkspace().id;
  t.core.bus.subscribe((event, payload) => {
    if (event === 'connections:changed') pushes.push(payload as { workspaceId: string; id: string });
  });
});
afterEach(() => t.close());

/** An RSA key as PKCS#8 PEM, plain and encrypted under a passphrase (made once: 2048-bit generation is slow). */
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const plainKey = rsa.export({ type: 'pkcs8', format: 'pem' }).toString();
const otherPlainKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const encryptedKey = (passphrase: string) => rsa.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();

const conns = () => t.core.connections;
const create = (input: Omit<ConnectionCreate, 'workspaceId'>) => conns().create({ workspaceId: ws, ...input }, t.admin);
const update = (input: Omit<ConnectionUpdate, 'workspaceId'>) => conns().update({ workspaceId: ws, ...input }, t.admin);
const jiraSettings = { siteUrl: 'https://acme.atlassian.net', email: 'ops@acme.example' };
const jira = (over: Partial<ConnectionCreate> = {}) => create({ name: 'Jira', provider: 'jira', authType: 'apikey', credential: 'jira-token-value', settings: jiraSettings, ...over });
const slack = (name = 'Slack') => create({ name, provider: 'slack', authType: 'oauth2', settings: {} });
const snowflake = (over: Partial<ConnectionCreate> = {}) =>
  create({ name: 'Snowflake', provider: 'snowflake', authType: 'serviceaccount', credential: encryptedKey('pass-one'), credentialFields: { passphrase: 'pass-one' }, settings: { account: 'acme-prod', user: 'loader' }, ...over });
const secret = (name: string, value: string) => t.core.secrets.create({ workspaceId: ws, name, value }, t.admin);

type Row = { name: string; status: string; settings: string; credential_sealed: Buffer | null; credential_secret_id: string | null; last_error_code: string | null; last_error_message: string | null; last_error_at: string | null; created_at: string; updated_at: string; status_changed_at: string };
const dbRow = (id: string) => t.core.db.prepare('SELECT * FROM connections WHERE id = ?').get(id) as Row;
const fieldRows = (id: string) =>
  t.core.db.prepare('SELECT key, sealed IS NOT NULL AS sealed, secret_id FROM connection_credential_fields WHERE connection_id = ? ORDER BY key').all(id) as Array<{ key: string; sealed: number; secret_id: string | null }>;
const history = (id: string) => conns().detail(ws, id, t.admin).statusHistory.map((h) => ({ at: h.at, from: h.from, to: h.to, reason: h.reason, actor: h.actor }));
const audits = (action: AuditAction) => t.core.audit.list({ workspaceId: ws, action, limit: 500 }, t.admin).items;
const updatedRows = () => audits('connection.updated');
const refsTo = (secretId: string) => t.core.references.referencesTo({ type: 'secret', id: secretId });
/** The refusal a call throws, as the transports pass it on: code, field and words. */
function refusal(fn: () => unknown): { code: string; field: string | undefined; message: string } {
  try {
    fn();
  } catch (e) {
    const { code, field, message } = e as { code: string; field?: string; message: string };
    return { code, field, message };
  }
  throw new Error('expected a refusal');
}
/** Everything a refused write must leave as it was. */
const snapshot = () => ({
  rows: t.core.db.prepare('SELECT * FROM connections ORDER BY id').all(),
  fields: t.core.db.prepare('SELECT * FROM connection_credential_fields ORDER BY connection_id, key').all(),
  history: t.core.db.prepare('SELECT * FROM connection_status_history ORDER BY seq').all(),
  audit: t.core.db.prepare('SELECT COUNT(*) AS n FROM audit_events').get(),
  references: t.core.db.prepare('SELECT COUNT(*) AS n FROM resource_references').get(),
  pushes: pushes.length,
});

describe('create: what is stored, recorded and pushed', () => {
  it('an API-key connection: active, one "created" history row, the audit row names what was set, one push, the clock’s time', () => {
    const c = jira();
    expect(c).toMatchObject({ name: 'Jira', provider: 'jira', authType: 'apikey', status: 'active', hasCredential: true, credentialSecretId: null, lastError: null, lastTest: null });
    expect(c).toMatchObject({ createdAt: T0, updatedAt: T0, statusChangedAt: T0, storedCredentialFields: {}, settings: jiraSettings });
    expect(c).toEqual(conns().internal.get(ws, c.id));
    const row = dbRow(c.id);
    expect(row).toMatchObject({ last_error_code: null, last_error_message: null, last_error_at: null, credential_secret_id: null });
    expect(t.core.vault.open(row.credential_sealed!, `connection:${c.id}:credential`).toString()).toBe('jira-token-value');
    expect(history(c.id)).toEqual([{ at: T0, from: null, to: 'active', reason: 'created', actor: t.admin.name }]);
    const [created, ...more] = audits('connection.created');
    expect(more).toEqual([]);
    expect(created).toMatchObject({ outcome: 'success', actor: { id: t.admin.id }, target: { type: 'connection', id: c.id, name: 'Jira' } });
    expect(created!.details).toEqual({ provider: 'jira', authType: 'apikey', settings: ['siteUrl', 'email'], authStored: true });
    expect(pushes).toEqual([{ workspaceId: ws, id: c.id }]);
  });

  it('without settings, a provider’s defaults are stored (and one without settings stores none)', () => {
    const snyk = create({ name: 'Snyk', provider: 'snyk', authType: 'apikey', credential: 'snyk-token' });
    expect(snyk.settings).toEqual({ region: 'api.snyk.io' });
    const pd = create({ name: 'PagerDuty', provider: 'pagerduty', authType: 'apikey', credential: 'pd-key' });
    expect(pd.settings).toEqual({});
    expect(audits('connection.created').map((e) => e.details.settings)).toEqual([[], ['region']]);
  });

  it('an OAuth connection waits for authorization: error with not_authorized at the creation time, kept through later edits', () => {
    const c = slack();
    const waiting = { code: 'not_authorized', message: 'not authorized yet: click Authorize to complete the OAuth consent flow', at: T0 };
    expect(c).toMatchObject({ status: 'error', hasCredential: false, awaitingAuthorization: true, lastError: waiting });
    expect(dbRow(c.id)).toMatchObject({ credential_sealed: null, credential_secret_id: null, last_error_code: 'not_authorized', last_error_at: T0 });
    expect(history(c.id)).toEqual([{ at: T0, from: null, to: 'error', reason: 'created; waiting for OAuth authorization', actor: t.admin.name }]);
    expect(audits('connection.created')[0]!.details).toEqual({ provider: 'slack', authType: 'oauth2', settings: ['scopes'], authStored: false });
    now = Date.parse(T1);
    const renamed = update({ id: c.id, name: 'Slack ops' });
    // The error is as old as the connection, not as its last edit.
    expect(renamed).toMatchObject({ status: 'error', updatedAt: T1, statusChangedAt: T0, lastError: waiting });
  });

  it('a credential kept in a vault secret: nothing sealed, the secret referenced, the audit row says a credential is stored', async () => {
    const s = secret('jira-token', 'token-in-secret');
    const c = jira({ credential: undefined, credentialSecretId: s.id });
    expect(c).toMatchObject({ hasCredential: true, credentialSecretId: s.id });
    expect(dbRow(c.id)).toMatchObject({ credential_sealed: null, credential_secret_id: s.id });
    expect(refsTo(s.id)).toEqual([{ fromType: 'connection', fromId: c.id, fromName: 'Jira' }]);
    expect(audits('connection.created')[0]!.details).toEqual({ provider: 'jira', authType: 'apikey', settings: ['siteUrl', 'email'], authStored: true });
    expect((await conns().internal.credentialFor(ws, c.id)).credential).toBe('token-in-secret');
  });

  it('credential fields, sealed or kept in a vault secret, are named in setFields (names only) and stored as such', () => {
    const sealed = create({ name: 'DD', provider: 'datadog', authType: 'apikey', credential: 'dd-key', settings: { site: 'datadoghq.eu' }, credentialFields: { applicationKey: 'dd-app-value' } });
    const s = secret('dd-app', 'dd-app-in-secret');
    const viaSecret = create({ name: 'DD 2', provider: 'datadog', authType: 'apikey', credential: 'dd-key', credentialFieldSecretIds: { applicationKey: s.id } });
    expect(fieldRows(sealed.id)).toEqual([{ key: 'applicationKey', sealed: 1, secret_id: null }]);
    expect(fieldRows(viaSecret.id)).toEqual([{ key: 'applicationKey', sealed: 0, secret_id: s.id }]);
    expect(viaSecret.storedCredentialFields).toEqual({ applicationKey: { secretId: s.id } });
    expect(refsTo(s.id).map((r) => r.fromId)).toEqual([viaSecret.id]);
    const details = audits('connection.created').map((e) => e.details);
    expect(details).toEqual([
      { provider: 'datadog', authType: 'apikey', settings: ['site'], authStored: true, setFields: ['credentialFields.applicationKey'] },
      { provider: 'datadog', authType: 'apikey', settings: ['site'], authStored: true, setFields: ['credentialFields.applicationKey'] },
    ]);
    expect(JSON.stringify(audits('connection.created'))).not.toContain('dd-app-value');
    // A blank field is no field: nothing stored, nothing named.
    const blank = create({ name: 'DD 3', provider: 'datadog', authType: 'apikey', credential: 'dd-key', credentialFields: { applicationKey: '  ' } });
    expect(fieldRows(blank.id)).toEqual([]);
    expect(audits('connection.created')[0]!.details).not.toHaveProperty('setFields');
  });
});

describe('create: refusals write nothing', () => {
  it('a missing credential names the provider’s credential', () => {
    const before = snapshot();
    expect(refusal(() => jira({ credential: undefined }))).toEqual({ code: 'INVALID_INPUT', field: 'credential', message: 'credential (API token) is required for Jira' });
    expect(refusal(() => create({ name: 'SN', provider: 'servicenow', authType: 'serviceaccount', settings: { instanceUrl: 'https://x.service-now.com', username: 'u' } }))).toEqual({
      code: 'INVALID_INPUT',
      field: 'credential',
      message: 'credential (Password) is required for ServiceNow',
    });
    expect(snapshot()).toEqual(before);
  });

  it('a name another connection has is a conflict; a viewer is refused', () => {
    jira();
    const before = snapshot();
    expect(refusal(() => jira({ name: 'JIRA' }))).toEqual({ code: 'CONFLICT', field: 'name', message: 'a connection named "JIRA" already exists in this workspace; choose another name' });
    expect(snapshot()).toEqual(before);
    const viewer = roleActors(t.core)('viewer', ws);
    expect(refusal(() => conns().create({ workspaceId: ws, name: 'Other', provider: 'pagerduty', authType: 'apikey', credential: 'k' }, viewer)).code).toBe('FORBIDDEN');
    expect(t.core.db.prepare('SELECT COUNT(*) AS n FROM connections').get()).toEqual({ n: 1 });
  });
});

describe('update: each kind of change alone, and what it records', () => {
  it('an update that sends nothing to change is refused at the service, and nothing is written or pushed', () => {
    const c = jira();
    const before = snapshot();
    expect(refusal(() => update({ id: c.id }))).toEqual({
      code: 'INVALID_INPUT',
      field: undefined,
      message: 'send at least one of name, status, settings, credential, credentialSecretId, credentialFields or credentialFieldSecretIds',
    });
    expect(snapshot()).toEqual(before);
  });

  it('an unknown id, or one from another workspace, is "connection not found"', () => {
    const c = jira();
    const other = t.core.workspaces.create('Other', t.admin);
    const before = snapshot();
    expect(refusal(() => update({ id: '00000000-0000-4000-8000-000000000000', name: 'x' }))).toEqual({ code: 'NOT_FOUND', field: undefined, message: 'connection not found' });
    expect(refusal(() => conns().update({ workspaceId: other.id, id: c.id, name: 'x' }, t.admin))).toMatchObject({ code: 'NOT_FOUND', message: 'connection not found' });
    expect(snapshot()).toEqual(before);
  });

  it('a rename: the row, the audit row (new name as target), the clock’s updatedAt and one push; the status time stays', () => {
    const c = jira();
    pushes.length = 0;
    now = Date.parse(T1);
    const r = update({ id: c.id, name: 'Jira ops' });
    expect(r).toMatchObject({ name: 'Jira ops', updatedAt: T1, statusChangedAt: T0, createdAt: T0, status: 'active', hasCredential: true });
    expect(dbRow(c.id)).toMatchObject({ name: 'Jira ops', updated_at: T1 });
    const [row, ...more] = updatedRows();
    expect(more).toEqual([]);
    expect(row).toMatchObject({ actor: { id: t.admin.id }, target: { type: 'connection', id: c.id, name: 'Jira ops' } });
    expect(row!.details).toEqual({ changed: ['name'] });
    expect(pushes).toEqual([{ workspaceId: ws, id: c.id }]);
    // The credential is where it was.
    expect(t.core.vault.open(dbRow(c.id).credential_sealed!, `connection:${c.id}:credential`).toString()).toBe('jira-token-value');
    expect(history(c.id)).toHaveLength(1);
  });

  it('the same name again changes nothing worth recording: no audit row; a new case of its own name is a rename', () => {
    const c = jira();
    update({ id: c.id, name: 'Jira' });
    expect(updatedRows()).toEqual([]);
    const r = update({ id: c.id, name: 'JIRA' });
    expect(r.name).toBe('JIRA');
    expect(updatedRows().map((e) => [e.target.name, e.details])).toEqual([['JIRA', { changed: ['name'] }]]);
  });

  it('a rename onto another connection’s name is a conflict naming it, and nothing changes', () => {
    jira();
    const d = create({ name: 'PD', provider: 'pagerduty', authType: 'apikey', credential: 'pd-key' });
    const before = snapshot();
    expect(refusal(() => update({ id: d.id, name: 'jira' }))).toEqual({ code: 'CONFLICT', field: 'name', message: 'a connection named "jira" already exists in this workspace; choose another name' });
    expect(snapshot()).toEqual(before);
  });

  it('settings merge: one key changes, the others stay; null or blank removes a key, a default comes back', () => {
    const c = create({ name: 'Snyk', provider: 'snyk', authType: 'apikey', credential: 'snyk-token', settings: { region: 'api.eu.snyk.io', baseUrl: 'https://snyk.internal.example' } });
    const j = jira();
    expect(update({ id: j.id, settings: { email: 'sec@acme.example' } }).settings).toEqual({ siteUrl: 'https://acme.atlassian.net', email: 'sec@acme.example' });
    expect(updatedRows()[0]!.details).toEqual({ changed: ['settings.email'] });
    expect(update({ id: c.id, settings: { baseUrl: null } }).settings).toEqual({ region: 'api.eu.snyk.io' });
    expect(update({ id: c.id, settings: { region: '  ', baseUrl: ' https://snyk2.internal.example ' } }).settings).toEqual({ region: 'api.snyk.io', baseUrl: 'https://snyk2.internal.example' });
    expect(updatedRows()[0]!.details).toEqual({ changed: ['settings.region', 'settings.baseUrl'] });
    expect(JSON.parse(dbRow(c.id).settings)).toEqual({ region: 'api.snyk.io', baseUrl: 'https://snyk2.internal.example' });
  });

  it('removing a required setting is refused naming it, and nothing changes', () => {
    const j = jira();
    const before = snapshot();
    expect(refusal(() => update({ id: j.id, settings: { email: null } }))).toEqual({ code: 'INVALID_INPUT', field: 'settings.email', message: 'settings.email (Account email) is required for Jira' });
    expect(snapshot()).toEqual(before);
  });

  it('a new credential replaces the sealed one; a credential field alone, set and removed, is recorded with its name', () => {
    const c = create({ name: 'DD', provider: 'datadog', authType: 'apikey', credential: 'dd-key', settings: { site: 'datadoghq.com' } });
    update({ id: c.id, credential: ' dd-key-2 ' });
    expect(t.core.vault.open(dbRow(c.id).credential_sealed!, `connection:${c.id}:credential`).toString()).toBe('dd-key-2');
    update({ id: c.id, credentialFields: { applicationKey: 'app-1' } });
    expect(fieldRows(c.id)).toEqual([{ key: 'applicationKey', sealed: 1, secret_id: null }]);
    update({ id: c.id, credentialFields: { applicationKey: null } });
    expect(fieldRows(c.id)).toEqual([]);
    expect(updatedRows().map((e) => e.details)).toEqual([
      { changed: ['credentialFields.applicationKey'], removed: ['credentialFields.applicationKey'] },
      { changed: ['credentialFields.applicationKey'] },
      { changed: ['credential'] },
    ]);
    // Removing a field that is not set is no change.
    update({ id: c.id, credentialFields: { applicationKey: null } });
    expect(updatedRows()).toHaveLength(3);
  });

  it('a credential field moved to a vault secret and back: the row, the reference and the audit rows follow', () => {
    const c = create({ name: 'DD', provider: 'datadog', authType: 'apikey', credential: 'dd-key', settings: { site: 'datadoghq.com' }, credentialFields: { applicationKey: 'app-1' } });
    const s = secret('dd-app', 'app-in-secret');
    update({ id: c.id, credentialFieldSecretIds: { applicationKey: s.id } });
    expect(fieldRows(c.id)).toEqual([{ key: 'applicationKey', sealed: 0, secret_id: s.id }]);
    expect(refsTo(s.id)).toEqual([{ fromType: 'connection', fromId: c.id, fromName: 'DD' }]);
    update({ id: c.id, credentialFieldSecretIds: { applicationKey: null } });
    expect(fieldRows(c.id)).toEqual([]);
    expect(refsTo(s.id)).toEqual([]);
    expect(updatedRows().map((e) => e.details)).toEqual([
      { changed: ['credentialFields.applicationKey'], removed: ['credentialFields.applicationKey'] },
      { changed: ['credentialFields.applicationKey'] },
    ]);
  });
});

describe('update: where the credential is kept', () => {
  it('a sealed credential moved to a vault secret: the sealed copy is gone, the secret is referenced and used', async () => {
    const c = jira();
    const s = secret('jira-token', 'token-in-secret');
    const r = update({ id: c.id, credentialSecretId: s.id });
    expect(r).toMatchObject({ hasCredential: true, credentialSecretId: s.id });
    expect(dbRow(c.id)).toMatchObject({ credential_sealed: null, credential_secret_id: s.id });
    expect(refsTo(s.id)).toEqual([{ fromType: 'connection', fromId: c.id, fromName: 'Jira' }]);
    expect(updatedRows()[0]!.details).toEqual({ changed: ['credentialSecretId'] });
    expect((await conns().internal.credentialFor(ws, c.id)).credential).toBe('token-in-secret');
  });

  it('a vault secret replaced by a credential: the pointer and the reference go, in one change', async () => {
    const s = secret('jira-token', 'token-in-secret');
    const c = jira({ credential: undefined, credentialSecretId: s.id });
    update({ id: c.id, credential: 'typed-token', credentialSecretId: null });
    expect(dbRow(c.id).credential_secret_id).toBeNull();
    expect(refsTo(s.id)).toEqual([]);
    expect(updatedRows()[0]!.details).toEqual({ changed: ['credential', 'credentialSecretId'] });
    expect((await conns().internal.credentialFor(ws, c.id)).credential).toBe('typed-token');
  });

  it('dropping the vault secret without a credential to replace it is refused, and nothing changes', () => {
    const s = secret('jira-token', 'token-in-secret');
    const c = jira({ credential: undefined, credentialSecretId: s.id });
    const before = snapshot();
    expect(refusal(() => update({ id: c.id, credentialSecretId: null }))).toEqual({
      code: 'INVALID_INPUT',
      field: 'credentialSecretId',
      message: 'removing credentialSecretId would leave the connection without a credential: send a credential too',
    });
    expect(snapshot()).toEqual(before);
  });

  it('credentialSecretId null where there is none to drop (a sealed credential, an OAuth connection) is accepted and keeps the credential', async () => {
    const c = jira();
    update({ id: c.id, credentialSecretId: null });
    expect((await conns().internal.credentialFor(ws, c.id)).credential).toBe('jira-token-value');
    const o = slack();
    expect(update({ id: o.id, credentialSecretId: null })).toMatchObject({ status: 'error', hasCredential: false });
    expect(updatedRows().map((e) => e.details)).toEqual([{ changed: ['credentialSecretId'] }, { changed: ['credentialSecretId'] }]);
  });

  it('edits that do not touch the credential keep it, sealed or in a vault secret', async () => {
    const s = secret('jira-token', 'token-in-secret');
    const viaSecret = jira({ name: 'Via secret', credential: undefined, credentialSecretId: s.id });
    const sealed = jira({ name: 'Sealed' });
    for (const id of [viaSecret.id, sealed.id]) {
      update({ id, name: `renamed ${id}` });
      update({ id, settings: { email: 'sec@acme.example' } });
      update({ id, status: 'paused' });
      update({ id, status: 'active' });
    }
    expect(dbRow(viaSecret.id)).toMatchObject({ credential_sealed: null, credential_secret_id: s.id });
    expect(refsTo(s.id).map((r) => [r.fromId, r.fromName])).toEqual([[viaSecret.id, `renamed ${viaSecret.id}`]]);
    expect((await conns().internal.credentialFor(ws, viaSecret.id)).credential).toBe('token-in-secret');
    expect(dbRow(sealed.id).credential_secret_id).toBeNull();
    expect((await conns().internal.credentialFor(ws, sealed.id)).credential).toBe('jira-token-value');
  });
});

describe('update: status', () => {
  it('pause and resume: history rows with their reasons, actor and time; the audit row gives the new status', () => {
    const c = jira();
    now = Date.parse(T1);
    expect(update({ id: c.id, status: 'paused' })).toMatchObject({ status: 'paused', statusChangedAt: T1 });
    now += 60_000;
    const T2 = new Date(now).toISOString();
    expect(update({ id: c.id, status: 'active' })).toMatchObject({ status: 'active', statusChangedAt: T2 });
    expect(history(c.id)).toEqual([
      { at: T2, from: 'paused', to: 'active', reason: 'resumed', actor: t.admin.name },
      { at: T1, from: 'active', to: 'paused', reason: 'paused', actor: t.admin.name },
      { at: T0, from: null, to: 'active', reason: 'created', actor: t.admin.name },
    ]);
    expect(updatedRows().map((e) => e.details)).toEqual([
      { changed: ['status'], status: 'active' },
      { changed: ['status'], status: 'paused' },
    ]);
  });

  it('asking for the status it already has records nothing (no history row, no audit row)', () => {
    const c = jira();
    update({ id: c.id, status: 'active' });
    update({ id: c.id, status: 'paused' });
    update({ id: c.id, status: 'paused' });
    expect(history(c.id).map((h) => h.to)).toEqual(['paused', 'active']);
    expect(updatedRows().map((e) => e.details)).toEqual([{ changed: ['status'], status: 'paused' }]);
  });

  it('a paused connection stays paused through other edits; resumed after a failure, it goes back to error', () => {
    const c = jira();
    update({ id: c.id, status: 'paused' });
    expect(update({ id: c.id, name: 'Jira paused', credential: 'another-token' }).status).toBe('paused');
    expect(updatedRows()[0]!.details).toEqual({ changed: ['name', 'credential'] });
    conns().internal.markError(ws, c.id, { code: 'invalid_credential', message: 'rejected' }, t.admin);
    expect(update({ id: c.id, status: 'active' })).toMatchObject({ status: 'error', lastError: { code: 'invalid_credential' } });
    expect(history(c.id)[0]).toMatchObject({ from: 'paused', to: 'error', reason: 'resumed; the last test or refresh failed' });
    expect(updatedRows()[0]!.details).toEqual({ changed: ['status'], status: 'error' });
  });

  it('a connection in error cannot be set active (it says how to fix it), but can be renamed and paused', () => {
    const c = jira();
    conns().internal.markError(ws, c.id, { code: 'invalid_credential', message: 'rejected' }, t.admin);
    const before = snapshot();
    expect(refusal(() => update({ id: c.id, status: 'active' }))).toEqual({
      code: 'PRECONDITION_FAILED',
      field: 'status',
      message: 'this connection is in error: update its credentials or run a test to bring it back to active',
    });
    expect(refusal(() => update({ id: c.id, name: 'renamed', status: 'active' })).code).toBe('PRECONDITION_FAILED');
    expect(snapshot()).toEqual(before);
    expect(update({ id: c.id, name: 'Jira failing' })).toMatchObject({ name: 'Jira failing', status: 'error' });
    expect(update({ id: c.id, status: 'paused' })).toMatchObject({ status: 'paused' });
    expect(history(c.id)[0]).toMatchObject({ from: 'error', to: 'paused', reason: 'paused' });
  });

  it('a viewer cannot update; nothing changes', () => {
    const c = jira();
    const viewer = roleActors(t.core)('viewer', ws);
    const before = dbRow(c.id);
    expect(refusal(() => conns().update({ workspaceId: ws, id: c.id, status: 'paused' }, viewer)).code).toBe('FORBIDDEN');
    expect(dbRow(c.id)).toEqual(before);
  });
});

describe('update: an RSA key and its passphrase (Snowflake)', () => {
  it('edits that touch neither the key nor its passphrase keep both and check nothing', async () => {
    const c = snowflake();
    update({ id: c.id, name: 'Snowflake renamed', settings: { role: 'LOADER' } });
    expect(updatedRows()[0]!.details).toEqual({ changed: ['name', 'settings.role'] });
    expect(await conns().internal.credentialFor(ws, c.id)).toMatchObject({ credential: expect.stringContaining('BEGIN ENCRYPTED PRIVATE KEY'), credentialFields: { passphrase: 'pass-one' } });
  });

  it('with the vault locked, edits that seal nothing still go through: nothing is opened to re-check the stored pair', () => {
    const c = snowflake();
    t.core.vault.lock(t.admin);
    expect(update({ id: c.id, name: 'Snowflake (locked vault)', status: 'paused' })).toMatchObject({ name: 'Snowflake (locked vault)', status: 'paused' });
    expect(refusal(() => update({ id: c.id, credentialFields: { passphrase: 'pass-one' } })).code).toBe('VAULT_LOCKED');
  });

  it('a new unencrypted key where none had a passphrase drops nothing: only the credential is recorded', () => {
    const c = snowflake({ credential: plainKey, credentialFields: undefined });
    update({ id: c.id, credential: otherPlainKey });
    expect(updatedRows()[0]!.details).toEqual({ changed: ['credential'] });
    expect(fieldRows(c.id)).toEqual([]);
  });

  it('an unencrypted key sent with a passphrase is refused, and the stored pair stays', async () => {
    const c = snowflake();
    const before = snapshot();
    expect(refusal(() => update({ id: c.id, credential: plainKey, credentialFields: { passphrase: 'pass-one' } }))).toMatchObject({ code: 'INVALID_INPUT', field: 'credentialFields.passphrase' });
    expect(snapshot()).toEqual(before);
    expect((await conns().internal.credentialFor(ws, c.id)).credentialFields).toEqual({ passphrase: 'pass-one' });
  });

  it('a new passphrase alone must open the stored key; with the key moving to a vault secret it is not checked against the old one', () => {
    const c = snowflake();
    expect(refusal(() => update({ id: c.id, credentialFields: { passphrase: 'pass-two' } }))).toMatchObject({ code: 'INVALID_INPUT', field: 'credentialFields.passphrase' });
    const s = secret('sf-key', encryptedKey('pass-two'));
    update({ id: c.id, credentialSecretId: s.id, credentialFields: { passphrase: 'pass-two' } });
    expect(dbRow(c.id)).toMatchObject({ credential_sealed: null, credential_secret_id: s.id });
    expect(updatedRows()[0]!.details).toEqual({ changed: ['credentialSecretId', 'credentialFields.passphrase'] });
  });

  it('a key kept in a vault secret: its passphrase and the other settings change without opening anything', async () => {
    const s = secret('sf-key', encryptedKey('pass-one'));
    const c = snowflake({ credential: undefined, credentialSecretId: s.id });
    update({ id: c.id, name: 'Snowflake via secret' });
    update({ id: c.id, credentialFields: { passphrase: 'pass-two' } });
    expect((await conns().internal.credentialFor(ws, c.id)).credentialFields).toEqual({ passphrase: 'pass-two' });
  });
});

describe('update: an OAuth connection', () => {
  it('is renamed and its settings change with no credential check; it stays waiting for authorization', () => {
    const c = slack();
    expect(update({ id: c.id, name: 'Slack ops', settings: { scopes: 'chat:write' } })).toMatchObject({ name: 'Slack ops', status: 'error', settings: { scopes: 'chat:write' }, awaitingAuthorization: true });
    expect(updatedRows()[0]!.details).toEqual({ changed: ['name', 'settings.scopes'] });
  });
});
