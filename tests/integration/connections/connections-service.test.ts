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
const written = () => [count(t.core.db, 'connections'), count(t.core.db, 'audit_events'), count(t.core.db, 'connection_status_history')];

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
    ['an encrypted Snowflake key', () => ({ ...datadog(), provider: 'snowflake', authType: 'serviceaccount', credential: '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAA\n-----END ENCRYPTED PRIVATE KEY-----', settings: { account: 'a', user: 'u' } }), 'credential'],
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
    expect(t.core.connections.get(ws, c.id).settings.site).toBe('datadoghq.com');
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
    const updates = t.core.audit.list({ workspaceId: ws, action: 'connection.updated' }).items;
    expect(updates.map((e) => e.details.status)).toEqual(['active', 'paused']);
  });

  it('active → error on a 401 at test; error → active after new credentials; the old credential is overwritten', async () => {
    const c = unwrap(await t.invoke('connections:create', { ...datadog(), provider: 'jira', settings: fake.settings('jira'), credential: fake.bad.jira }));
    const r = unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    expect(r).toMatchObject({ outcome: 'invalid_credential', httpStatus: 401 });
    expect(t.core.connections.get(ws, c.id)).toMatchObject({ status: 'error', lastError: { code: 'invalid_credential' } });
    const fixed = unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credential: fake.good.jira }));
    expect(fixed).toMatchObject({ status: 'active', lastError: null });
    expect((await t.core.connections.credentialFor(ws, c.id)).credential).toBe(fake.good.jira);
    expect(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).outcome).toBe('valid');
  });

  it('error → active after a later valid test', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog()));
    fake.setMode('normal');
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credential: fake.bad.datadog }));
    unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    expect(t.core.connections.get(ws, c.id).status).toBe('error');
    // The provider's view changes (e.g. the key was re-enabled there): the next valid test restores it.
    t.core.db.prepare('UPDATE connections SET credential_sealed = ? WHERE id = ?').run(t.core.vault.seal(Buffer.from(fake.good.datadog), `connection:${c.id}:credential`), c.id);
    unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    expect(t.core.connections.get(ws, c.id)).toMatchObject({ status: 'active', lastError: null });
  });

  it('refuses PATCH status active on an error connection, and keeps paused through a credential update', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog({ credential: fake.bad.datadog })));
    unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    expect(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'active' })).toMatchObject({ ok: false, error: { code: 'PRECONDITION_FAILED' } });
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'paused' }));
    // Testing a paused connection is allowed (checking new credentials before resuming); it stays paused.
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, credential: fake.good.datadog }));
    expect(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).outcome).toBe('valid');
    expect(t.core.connections.get(ws, c.id).status).toBe('paused');
    expect(unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'active' })).status).toBe('active');
  });

  it('resuming a connection whose last test failed brings it back to error, not active', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog({ credential: fake.bad.datadog })));
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'paused' }));
    unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id }));
    expect(t.core.connections.get(ws, c.id).status).toBe('paused');
    expect(unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'active' })).status).toBe('error');
  });

  it('an OAuth connection waits for authorization; its credential source is pluggable', async () => {
    const c = unwrap(await t.invoke('connections:create', { workspaceId: ws, name: 'Slack', provider: 'slack', authType: 'oauth2', settings: fake.settings('slack') }));
    expect(c).toMatchObject({ status: 'error', hasCredential: false, lastError: { code: 'not_authorized' }, settings: { scopes: 'chat:write channels:read' } });
    expect(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).toMatchObject({ ok: false, error: { code: 'PRECONDITION_FAILED', message: expect.stringContaining('Authorize') } });
    t.core.connections.registerCredentialSource('oauth2', async () => fake.good.slack);
    expect(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })).outcome).toBe('valid');
    expect(t.core.connections.get(ws, c.id).status).toBe('active');
    t.core.connections.markError(ws, c.id, { code: 'refresh_failed', message: 'refresh token revoked' }, t.admin);
    expect(t.core.connections.get(ws, c.id)).toMatchObject({ status: 'error', lastError: { code: 'refresh_failed' } });
  });
});

describe('use by other code', () => {
  it('a paused connection is refused ("connection is paused"); a deleted one is "connection not found"', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog()));
    expect((await t.core.connections.credentialFor(ws, c.id)).credential).toBe(fake.good.datadog);
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, status: 'paused' }));
    await expect(t.core.connections.credentialFor(ws, c.id)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringMatching(/^connection is paused/) });
    unwrap(await t.invoke('connections:delete', { workspaceId: ws, id: c.id }));
    await expect(t.core.connections.credentialFor(ws, c.id)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'connection not found' });
  });

  it('another workspace cannot see or use the connection', async () => {
    const c = unwrap(await t.invoke('connections:create', datadog()));
    const other = unwrap(await t.invoke('workspaces:create', { name: 'Other' }));
    expect(await t.invoke('connections:get', { workspaceId: other.id, id: c.id })).toMatchObject({ ok: false, error: { message: 'connection not found' } });
    expect(unwrap(await t.invoke('connections:list', { workspaceId: other.id })).items).toEqual([]);
    await expect(t.core.connections.credentialFor(other.id, c.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
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
    const del = t.core.audit.list({ workspaceId: ws, action: 'connection.deleted' }).items[0]!;
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
    const items = t.core.audit.list({ workspaceId: ws }).items.filter((e) => e.action.startsWith('connection.'));
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
    expect(t.core.audit.list({ workspaceId: ws, action: 'connection.accessed' }).items).toHaveLength(0);
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
        expect(t.core.connections.get(ws, c.id).status).toBe('active');
        expect(await t.invoke('connections:test-draft', { workspaceId: ws, provider: 'datadog', authType: 'apikey', credential: 'x', settings: fake.settings('datadog') }, as)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
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
    responses.push(unwrap(await t.invoke('connections:test-draft', { workspaceId: ws, provider: 'datadog', authType: 'apikey', credential: secret, settings: fake.settings('datadog') })));
    responses.push(await t.invoke('connections:create', datadog({ name: 'bad', credential: secret, settings: { site: 'nope' } })));
    responses.push(await t.invoke('connections:create', { ...datadog({ credential: secret }), provider: 'snowflake', authType: 'serviceaccount', settings: { account: 'a', user: 'u' } }));
    fake.setMode('hang');
    responses.push(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })));
    fake.setMode('rate_limited');
    responses.push(unwrap(await t.invoke('connections:test', { workspaceId: ws, id: c.id })));
    const all = [secret, second];
    expect(textContainsCanary(JSON.stringify(responses), all)).toBeNull();
    expect(textContainsCanary(JSON.stringify(t.core.audit.list({ workspaceId: ws, limit: 500 }).items), all)).toBeNull();
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
