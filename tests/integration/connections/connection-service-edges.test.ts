// One file (~600 lines): every case builds the same hand-made service (bench) and shares its report and audit helpers.
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditAction } from '@shared/domain/audit.catalog';
import type { AuthType } from '@shared/domain/connection';
import type { LogLevel } from '@core/ports';
import { createConnectionService, type SecretReader } from '@core/connections/connection-service';
import { createConnectionStore, type ConnectionStore } from '@core/connections/connection-store';
import type { TestOutcomeReport, TestRequest } from '@core/connections/connection-tester';
import type { DetailOpeningMemo } from '@core/connections/detail-opening-memo';
import { makeReadyCore } from '../../helpers/test-core';

/**
 * The connection service's edges that the composed core never reaches or its suites do not pin (issue #18's mutation
 * run): the service is built here with hand-made deps over a real core's database, vault, audit and reference index,
 * with a tester that answers what a test queues and a logger and bus the test watches. Covers the refusals when no
 * secrets reader is wired, the default OAuth source the OAuth capability replaces, an auth type without a source,
 * and what list, detail, remove, test, testDraft, detachSecret and markHealth write, push and log.
 */
const START = Date.parse('2026-05-01T10:00:00.000Z');
const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((c) => c()));

type Opts = {
  /** null: no secrets reader wired (the capability is not there yet); undefined: the core's secrets. */
  readSecret?: SecretReader | null;
  /** Replaces the store (e.g. to hand the service a row the database would not hold). */
  store?: (real: ConnectionStore) => ConnectionStore;
  openings?: DetailOpeningMemo;
};

async function bench(opts: Opts = {}) {
  let now = START;
  const clock = { now: () => new Date(now) };
  const t = await makeReadyCore({ clock });
  cleanup.push(() => t.close());
  const ws = t.core.workspaces.defaultWorkspace().id;
  const logs: Array<{ level: LogLevel; message: string; fields?: Record<string, unknown> }> = [];
  const requests: TestRequest[] = [];
  const answers: TestOutcomeReport[] = [];
  const pushes: unknown[] = [];
  t.core.bus.subscribe((e, p) => void (e === 'connections:changed' && pushes.push(p)));
  const real = createConnectionStore(t.core.db);
  /** The POLICY operations the service checked, in order (what `allowed` answered is recorded with a `?`). */
  const checks: string[] = [];
  const svc = createConnectionService({
    store: opts.store ? opts.store(real) : real,
    clock,
    logger: { log: (level, message, fields) => void logs.push({ level, message, fields }) },
    access: {
      assert: (actor, w, op) => (checks.push(op), t.core.access.assert(actor, w, op)),
      allowed: (actor, w, op) => (checks.push(`${op}?`), t.core.access.allowed(actor, w, op)),
    },
    audit: t.core.audit,
    bus: t.core.bus,
    references: t.core.references,
    vault: t.core.vault,
    tester: async (req) => {
      requests.push(req);
      const a = answers.shift();
      if (!a) throw new Error('no answer queued');
      return a;
    },
    ...(opts.openings ? { openings: opts.openings } : {}),
    ...(opts.readSecret === null ? {} : { readSecret: opts.readSecret ?? ((w, s) => t.core.secrets.readForRuntime(w, s)) }),
  });
  return { t, ws, svc, checks, logs, requests, answers, pushes, advance: (ms: number) => (now += ms), now: () => new Date(now).toISOString() };
}

const jiraInput = (ws: string, over: Record<string, unknown> = {}) => ({
  workspaceId: ws,
  name: 'Jira',
  provider: 'jira' as const,
  authType: 'apikey' as const,
  credential: 'jira-token-value',
  settings: { siteUrl: 'https://acme.atlassian.net', email: 'ops@acme.example' },
  ...over,
});

describe('no secrets reader wired', () => {
  it('a credential kept in a vault secret is UNAVAILABLE with why; a sealed one still opens', async () => {
    const b = await bench({ readSecret: null });
    const secret = b.t.core.secrets.create({ workspaceId: b.ws, name: 'jira-token', value: 'token-in-secret' }, b.t.admin);
    const viaSecret = b.svc.create(jiraInput(b.ws, { name: 'Jira via secret', credential: undefined, credentialSecretId: secret.id }), b.t.admin);
    await expect(b.svc.internal.credentialFor(b.ws, viaSecret.id)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'this connection keeps its credential in a vault secret, and the secrets vault is not available yet',
    });
    const sealed = b.svc.create(jiraInput(b.ws), b.t.admin);
    expect(await b.svc.internal.credentialFor(b.ws, sealed.id)).toMatchObject({ credential: 'jira-token-value', credentialFields: {} });
  });

  it('a credential field kept in a vault secret is UNAVAILABLE naming the field; a sealed field still opens', async () => {
    const b = await bench({ readSecret: null });
    const secret = b.t.core.secrets.create({ workspaceId: b.ws, name: 'dd-app', value: 'app-key-in-secret' }, b.t.admin);
    const dd = (name: string, extra: Record<string, unknown>) =>
      b.svc.create({ workspaceId: b.ws, name, provider: 'datadog', authType: 'apikey', credential: 'dd-api-key-value', settings: { site: 'datadoghq.com' }, ...extra }, b.t.admin);
    const viaSecret = dd('DD via secret', { credentialFieldSecretIds: { applicationKey: secret.id } });
    await expect(b.svc.internal.credentialFor(b.ws, viaSecret.id)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: 'this connection keeps its applicationKey in a vault secret, and the secrets vault is not available yet',
    });
    const sealed = dd('DD sealed', { credentialFields: { applicationKey: 'sealed-app-key' } });
    expect(await b.svc.internal.credentialFor(b.ws, sealed.id)).toMatchObject({ credential: 'dd-api-key-value', credentialFields: { applicationKey: 'sealed-app-key' } });
  });
});

describe('credential sources', () => {
  it('an OAuth connection has, until the OAuth capability registers its source, the "not authorized yet" refusal', async () => {
    const b = await bench();
    const gh = b.svc.create({ workspaceId: b.ws, name: 'GitHub', provider: 'github', authType: 'oauth2', settings: {} }, b.t.admin);
    await expect(b.svc.internal.credentialFor(b.ws, gh.id)).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: 'not authorized yet: click Authorize to complete the OAuth consent flow',
    });
    // A registered source replaces it, and is handed the connection.
    const seen: string[] = [];
    b.svc.internal.registerCredentialSource('oauth2', async (c) => (seen.push(c.id), 'access-token'));
    expect(await b.svc.internal.credentialFor(b.ws, gh.id)).toMatchObject({ credential: 'access-token', connection: { id: gh.id } });
    expect(seen).toEqual([gh.id]);
  });

  it('an auth type with no registered source is an INTERNAL error naming it', async () => {
    const b = await bench({ store: (real) => ({ ...real, get: (w, id) => { const r = real.get(w, id); return r && { ...r, authType: 'legacy' as AuthType }; } }) });
    const c = b.svc.create(jiraInput(b.ws), b.t.admin);
    await expect(b.svc.internal.credentialFor(b.ws, c.id)).rejects.toMatchObject({ code: 'INTERNAL', message: 'no credential source for legacy' });
  });
});

const report = (outcome: TestOutcomeReport['outcome'], over: Partial<TestOutcomeReport> = {}): TestOutcomeReport => ({
  outcome,
  ok: outcome === 'valid',
  message: outcome === 'valid' ? 'credential valid' : `the provider said ${outcome}`,
  httpStatus: outcome === 'valid' ? 200 : 401,
  latencyMs: 42,
  retryAfterSeconds: null,
  endpoint: 'GET /rest/api/3/myself',
  ...over,
});
type Bench = Awaited<ReturnType<typeof bench>>;
const audits = (b: Bench, action: AuditAction) => b.t.core.audit.list({ workspaceId: b.ws, action }, b.t.admin).items;
const history = (b: Bench, id: string) => b.svc.detail(b.ws, id, b.t.admin).statusHistory.map((h) => [h.from, h.to, h.reason, h.actor, h.at]);

/** GitHub waiting for consent, Slack waiting but paused, Jira in another error. */
function awaitingAndNot(b: Bench) {
  const gh = b.svc.create({ workspaceId: b.ws, name: 'GitHub', provider: 'github', authType: 'oauth2', settings: {} }, b.t.admin);
  const sl = b.svc.create({ workspaceId: b.ws, name: 'Slack', provider: 'slack', authType: 'oauth2', settings: {} }, b.t.admin);
  b.svc.update({ workspaceId: b.ws, id: sl.id, status: 'paused' }, b.t.admin);
  const j = b.svc.create(jiraInput(b.ws), b.t.admin);
  b.svc.internal.markError(b.ws, j.id, { code: 'invalid_credential', message: 'no' }, b.t.admin);
  return { gh, sl, j };
}

describe('list', () => {
  it('an OAuth connection waiting for consent is flagged; another error, or a paused one, is not', async () => {
    const b = await bench();
    const { gh } = awaitingAndNot(b);
    const items = b.svc.list({ workspaceId: b.ws }, b.t.admin).items;
    expect(items.map((i) => [i.name, i.status, i.awaitingAuthorization])).toEqual([
      ['GitHub', 'error', true],
      ['Jira', 'error', undefined],
      ['Slack', 'paused', undefined],
    ]);
    expect(Object.keys(items[1]!)).not.toContain('awaitingAuthorization');
    expect(gh.awaitingAuthorization).toBe(true);
  });

  it('100 a page by default; a page that holds the last row has no cursor; the search is trimmed', async () => {
    const b = await bench();
    for (let i = 0; i < 101; i++) b.svc.create(jiraInput(b.ws, { name: `J ${String(i).padStart(3, '0')}` }), b.t.admin);
    const first = b.svc.list({ workspaceId: b.ws }, b.t.admin);
    expect(first.items).toHaveLength(100);
    expect(first.nextCursor).not.toBeNull();
    const rest = b.svc.list({ workspaceId: b.ws, cursor: first.nextCursor! }, b.t.admin);
    expect(rest).toEqual({ items: [expect.objectContaining({ name: 'J 100' })], nextCursor: null });
    // Exactly `limit` rows left: no further page.
    const two = b.svc.list({ workspaceId: b.ws, limit: 2, q: 'j 09' }, b.t.admin);
    expect(two.items.map((i) => i.name)).toEqual(['J 090', 'J 091']);
    expect(two.nextCursor).not.toBeNull();
    expect(b.svc.list({ workspaceId: b.ws, limit: 10, q: '  j 09 ' }, b.t.admin)).toMatchObject({ items: { length: 10 }, nextCursor: null });
    expect(b.svc.list({ workspaceId: b.ws, limit: 10, q: 'J 05' }, b.t.admin).nextCursor).toBeNull();
  });
});

describe('detail', () => {
  it('a last error without a message or time shows an empty message and the update time', async () => {
    const b = await bench();
    const j = b.svc.create(jiraInput(b.ws), b.t.admin);
    b.t.core.db.prepare("UPDATE connections SET last_error_code = 'odd', last_error_message = NULL, last_error_at = NULL WHERE id = ?").run(j.id);
    const d = b.svc.detail(b.ws, j.id, b.t.admin);
    expect(d.lastError).toEqual({ code: 'odd', message: '', at: d.updatedAt });
    expect(d).toMatchObject({ hasCredential: true, credentialSecretId: null, storedCredentialFields: {}, lastTest: null });
  });

  it('a connection whose credential is a vault secret has a credential; one with neither has none', async () => {
    const b = await bench();
    const secret = b.t.core.secrets.create({ workspaceId: b.ws, name: 'jira-token', value: 'token-in-secret' }, b.t.admin);
    const viaSecret = b.svc.create(jiraInput(b.ws, { name: 'Jira via secret', credential: undefined, credentialSecretId: secret.id }), b.t.admin);
    expect(b.svc.detail(b.ws, viaSecret.id, b.t.admin)).toMatchObject({ hasCredential: true, credentialSecretId: secret.id });
    const gh = b.svc.create({ workspaceId: b.ws, name: 'GitHub', provider: 'github', authType: 'oauth2', settings: {} }, b.t.admin);
    expect(b.svc.detail(b.ws, gh.id, b.t.admin)).toMatchObject({ hasCredential: false, credentialSecretId: null });
  });
});

describe('remove', () => {
  it('the refusal names every referrer (by id when it has no name; the index lists unnamed first) and writes nothing; force clears both directions', async () => {
    const b = await bench();
    const secret = b.t.core.secrets.create({ workspaceId: b.ws, name: 'jira-token', value: 'token-in-secret' }, b.t.admin);
    const j = b.svc.create(jiraInput(b.ws, { credential: undefined, credentialSecretId: secret.id }), b.t.admin);
    b.t.core.references.set(b.ws, { type: 'workflow_step', id: 'step-1', name: 'Post issue' }, { type: 'connection', id: j.id });
    b.t.core.references.set(b.ws, { type: 'workflow_step', id: 'step-2', name: null }, { type: 'connection', id: j.id });
    b.pushes.length = 0;
    let err: unknown;
    try {
      b.svc.remove(b.ws, j.id, false, b.t.admin);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'CONFLICT',
      field: 'force',
      message:
        'connection "Jira" is referenced by workflow_step "step-2", workflow_step "Post issue"; those will fail with "connection not found" once it is deleted. Update them first, or delete with force to confirm',
    });
    expect(b.pushes).toEqual([]);
    expect(audits(b, 'connection.deleted')).toEqual([]);
    expect(b.t.core.references.referencesTo({ type: 'secret', id: secret.id })).toHaveLength(1);

    expect(b.svc.remove(b.ws, j.id, true, b.t.admin)).toEqual({ id: j.id, deleted: true });
    expect(b.pushes).toEqual([{ workspaceId: b.ws, id: j.id }]);
    expect(b.t.core.references.referencesTo({ type: 'connection', id: j.id })).toEqual([]);
    expect(b.t.core.references.referencesTo({ type: 'secret', id: secret.id })).toEqual([]);
    const [row] = audits(b, 'connection.deleted');
    expect(row).toMatchObject({ outcome: 'success', target: { type: 'connection', id: j.id, name: 'Jira' } });
    expect(row!.details).toEqual({ provider: 'jira', force: true, referencedBy: ['workflow_step:step-2', 'workflow_step:step-1'] });
  });

  it('an unreferenced connection goes without force; its references to secrets go with it', async () => {
    const b = await bench();
    const secret = b.t.core.secrets.create({ workspaceId: b.ws, name: 'jira-token', value: 'token-in-secret' }, b.t.admin);
    const j = b.svc.create(jiraInput(b.ws, { credential: undefined, credentialSecretId: secret.id }), b.t.admin);
    b.svc.remove(b.ws, j.id, false, b.t.admin);
    expect(b.t.core.references.referencesTo({ type: 'secret', id: secret.id })).toEqual([]);
    expect(audits(b, 'connection.deleted')[0]!.details).toEqual({ provider: 'jira', force: false, referencedBy: [] });
    expect(() => b.svc.internal.get(b.ws, j.id)).toThrow('connection not found');
  });
});

describe('test', () => {
  it('hands the tester the stored credential, settings and fields; stamps, stores and logs the result', async () => {
    const b = await bench();
    const dd = b.svc.create(
      { workspaceId: b.ws, name: 'DD', provider: 'datadog', authType: 'apikey', credential: 'dd-api-key-value', settings: { site: 'datadoghq.com' }, credentialFields: { applicationKey: 'dd-app' } },
      b.t.admin,
    );
    b.advance(5_000);
    b.answers.push(report('valid'));
    b.pushes.length = 0;
    const r = await b.svc.test(b.ws, dd.id, b.t.admin);
    expect(b.requests).toEqual([{ provider: 'datadog', settings: { site: 'datadoghq.com' }, credential: 'dd-api-key-value', credentialFields: { applicationKey: 'dd-app' } }]);
    expect(r).toEqual({ ...report('valid'), testedAt: b.now() });
    expect(b.logs).toEqual([{ level: 'info', message: 'connection tested', fields: { provider: 'datadog', outcome: 'valid', httpStatus: 200, latencyMs: 42 } }]);
    expect(b.svc.internal.get(b.ws, dd.id)).toMatchObject({ lastTest: r, updatedAt: b.now(), status: 'active', lastError: null });
    expect(b.pushes).toEqual([{ workspaceId: b.ws, id: dd.id }]);
    const [row] = audits(b, 'connection.tested');
    expect(row).toMatchObject({ outcome: 'success', target: { type: 'connection', id: dd.id, name: 'DD' } });
    expect(row!.details).toEqual({ outcome: 'valid', httpStatus: 200, latencyMs: 42, status: 'active' });
  });

  it('invalid: active → error with the message; valid again: error → active; other outcomes change neither', async () => {
    const b = await bench();
    const j = b.svc.create(jiraInput(b.ws), b.t.admin);
    const created = b.now();
    b.advance(1_000);
    const failedAt = b.now();
    b.answers.push(report('invalid_credential'));
    await b.svc.test(b.ws, j.id, b.t.admin);
    expect(b.svc.internal.get(b.ws, j.id)).toMatchObject({ status: 'error', statusChangedAt: failedAt, lastError: { code: 'invalid_credential', message: 'the provider said invalid_credential', at: failedAt } });
    const [failed] = audits(b, 'connection.tested');
    expect(failed).toMatchObject({ outcome: 'failure', details: { outcome: 'invalid_credential', httpStatus: 401, status: 'error' } });

    b.advance(1_000);
    b.answers.push(report('rate_limited', { httpStatus: 429 }));
    await b.svc.test(b.ws, j.id, b.t.admin);
    expect(b.svc.internal.get(b.ws, j.id)).toMatchObject({ status: 'error', lastError: { code: 'invalid_credential', at: failedAt }, lastTest: { outcome: 'rate_limited' } });

    b.advance(1_000);
    const okAt = b.now();
    b.answers.push(report('valid'));
    await b.svc.test(b.ws, j.id, b.t.admin);
    expect(b.svc.internal.get(b.ws, j.id)).toMatchObject({ status: 'active', statusChangedAt: okAt, lastError: null });
    expect(audits(b, 'connection.tested')[0]!.details).toMatchObject({ status: 'active' });
    expect(history(b, j.id)).toEqual([
      ['error', 'active', 'test: credential valid', b.t.admin.name, okAt],
      ['active', 'error', 'test: the provider said invalid_credential', b.t.admin.name, failedAt],
      [null, 'active', 'created', b.t.admin.name, created],
    ]);

    // A valid test of an active connection records no status change.
    b.answers.push(report('valid'));
    await b.svc.test(b.ws, j.id, b.t.admin);
    expect(history(b, j.id)).toHaveLength(3);
  });

  it('a paused connection keeps paused whatever the test says, with the last error recorded', async () => {
    const b = await bench();
    const j = b.svc.create(jiraInput(b.ws), b.t.admin);
    b.svc.update({ workspaceId: b.ws, id: j.id, status: 'paused' }, b.t.admin);
    b.answers.push(report('invalid_credential'));
    await b.svc.test(b.ws, j.id, b.t.admin);
    expect(b.svc.internal.get(b.ws, j.id)).toMatchObject({ status: 'paused', lastError: { code: 'invalid_credential' } });
    b.answers.push(report('valid'));
    await b.svc.test(b.ws, j.id, b.t.admin);
    expect(b.svc.internal.get(b.ws, j.id)).toMatchObject({ status: 'paused', lastError: null });
    expect(history(b, j.id)).toHaveLength(2);
    expect(audits(b, 'connection.tested')[0]!.details).toMatchObject({ status: 'paused' });
  });

  it('a connection deleted while the provider answers: not found, nothing recorded', async () => {
    const b = await bench();
    const j = b.svc.create(jiraInput(b.ws), b.t.admin);
    let release!: (r: TestOutcomeReport) => void;
    const held = new Promise<TestOutcomeReport>((r) => (release = r));
    const svc = createConnectionService({
      store: createConnectionStore(b.t.core.db),
      clock: { now: () => new Date(START) },
      logger: { log: () => undefined },
      access: b.t.core.access,
      audit: b.t.core.audit,
      bus: b.t.core.bus,
      references: b.t.core.references,
      vault: b.t.core.vault,
      tester: () => held,
    });
    const testing = svc.test(b.ws, j.id, b.t.admin);
    await Promise.resolve();
    b.svc.remove(b.ws, j.id, false, b.t.admin);
    b.pushes.length = 0;
    release(report('valid'));
    await expect(testing).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'connection not found' });
    expect(audits(b, 'connection.tested')).toEqual([]);
    expect(b.pushes).toEqual([]);
  });
});

describe('testDraft', () => {
  const draft = (ws: string, over: Record<string, unknown> = {}) => ({
    workspaceId: ws,
    provider: 'datadog' as const,
    authType: 'apikey' as const,
    credential: '  dd-api-key-value  ',
    settings: { site: 'datadoghq.com' },
    ...over,
  });

  it('checks both the test and the create permission, tests the trimmed values, stores nothing but its audit row', async () => {
    const b = await bench();
    b.answers.push(report('invalid_credential', { httpStatus: 403 }));
    const r = await b.svc.testDraft(draft(b.ws, { credentialFields: { applicationKey: ' dd-app ' } }), b.t.admin);
    expect(b.checks).toEqual(['connection.test', 'connection.create']);
    expect(r).toEqual({ ...report('invalid_credential', { httpStatus: 403 }), testedAt: b.now() });
    expect(b.requests).toEqual([{ provider: 'datadog', settings: { site: 'datadoghq.com' }, credential: 'dd-api-key-value', credentialFields: { applicationKey: 'dd-app' } }]);
    expect(b.logs).toEqual([{ level: 'info', message: 'connection tested', fields: { provider: 'datadog', outcome: 'invalid_credential', httpStatus: 403, latencyMs: 42 } }]);
    const [row] = audits(b, 'connection.tested');
    expect(row).toMatchObject({ workspaceId: b.ws, outcome: 'failure', target: { type: 'connection', id: 'unsaved', name: 'Datadog (before saving)' } });
    expect(row!.details).toEqual({ provider: 'datadog', outcome: 'invalid_credential', httpStatus: 403, latencyMs: 42, draft: true });
    expect(b.svc.list({ workspaceId: b.ws }, b.t.admin).items).toEqual([]);

    b.answers.push(report('valid'));
    await b.svc.testDraft(draft(b.ws), b.t.admin);
    expect(b.requests[1]!.credentialFields).toEqual({});
    expect(audits(b, 'connection.tested')[0]).toMatchObject({ outcome: 'success' });
  });

  it('refuses an OAuth provider, a missing credential and bad settings before calling anyone', async () => {
    const b = await bench();
    await expect(b.svc.testDraft({ workspaceId: b.ws, provider: 'github', authType: 'oauth2', settings: {} }, b.t.admin)).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: 'GitHub is tested during its OAuth consent flow: save the connection and click Authorize',
    });
    await expect(b.svc.testDraft(draft(b.ws, { credential: undefined }), b.t.admin)).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'credential',
      message: 'credential (API key) is required to test Datadog',
    });
    await expect(b.svc.testDraft(draft(b.ws, { settings: { site: 'example.com' } }), b.t.admin)).rejects.toMatchObject({ code: 'INVALID_INPUT', field: 'settings.site' });
    await expect(b.svc.testDraft(draft(b.ws, { provider: 'jira', settings: {} }), b.t.admin)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(b.requests).toEqual([]);
    expect(audits(b, 'connection.tested')).toEqual([]);
  });
});

describe('detachSecret', () => {
  const ddWith = (b: Bench, extra: Record<string, unknown>, name = 'DD') =>
    b.svc.create({ workspaceId: b.ws, name, provider: 'datadog', authType: 'apikey', settings: { site: 'datadoghq.com' }, ...extra }, b.t.admin);

  it('a secret used as both the credential and a field: both pointers go, in one audit row; the other secret stays referenced', async () => {
    const b = await bench();
    const s1 = b.t.core.secrets.create({ workspaceId: b.ws, name: 's1', value: 'one' }, b.t.admin);
    const s2 = b.t.core.secrets.create({ workspaceId: b.ws, name: 's2', value: 'two' }, b.t.admin);
    const both = ddWith(b, { credentialSecretId: s1.id, credentialFieldSecretIds: { applicationKey: s1.id } }, 'Both');
    const other = ddWith(b, { credentialSecretId: s1.id, credentialFieldSecretIds: { applicationKey: s2.id } }, 'Other');
    b.advance(60_000);
    b.pushes.length = 0;
    b.svc.internal.detachSecret(b.ws, both.id, s1.id, b.t.admin);
    b.svc.internal.detachSecret(b.ws, other.id, s1.id, b.t.admin);
    // The push waits for the deleting transaction to be over.
    expect(b.pushes).toEqual([]);
    await Promise.resolve();
    expect(b.pushes).toEqual([
      { workspaceId: b.ws, id: both.id },
      { workspaceId: b.ws, id: other.id },
    ]);
    expect(b.svc.internal.get(b.ws, both.id)).toMatchObject({
      status: 'error',
      statusChangedAt: b.now(),
      updatedAt: b.now(),
      credentialSecretId: null,
      storedCredentialFields: {},
      lastError: { code: 'SECRET_DELETED', at: b.now() },
    });
    expect(b.svc.internal.get(b.ws, other.id)).toMatchObject({ credentialSecretId: null, storedCredentialFields: { applicationKey: { secretId: s2.id } } });
    const rows = audits(b, 'connection.updated');
    expect(rows.map((r) => [r.target.name, r.details])).toEqual([
      ['Other', { changed: ['credentialSecretId'], reason: 'vault secret deleted', cause: { type: 'secret', id: s1.id }, status: 'error' }],
      ['Both', { changed: ['credentialSecretId', 'credentialFieldSecretIds.applicationKey'], reason: 'vault secret deleted', cause: { type: 'secret', id: s1.id }, status: 'error' }],
    ]);
    expect(rows[0]).toMatchObject({ workspaceId: b.ws, target: { type: 'connection', id: other.id } });
    expect(history(b, both.id)[0]).toEqual(['active', 'error', 'its vault secret was deleted', b.t.admin.name, b.now()]);
    expect(b.t.core.references.referencesTo({ type: 'secret', id: s1.id })).toEqual([]);
    expect(b.t.core.references.referencesTo({ type: 'secret', id: s2.id })).toEqual([{ fromType: 'connection', fromId: other.id, fromName: 'Other' }]);
  });

  it('a paused connection stays paused with the error recorded; a secret it does not use, or an unknown connection, changes nothing', async () => {
    const b = await bench();
    const s1 = b.t.core.secrets.create({ workspaceId: b.ws, name: 's1', value: 'one' }, b.t.admin);
    const s2 = b.t.core.secrets.create({ workspaceId: b.ws, name: 's2', value: 'two' }, b.t.admin);
    const dd = ddWith(b, { credential: 'dd-api-key-value', credentialFields: { applicationKey: 'sealed' } });
    const ref = ddWith(b, { credentialSecretId: s1.id, credentialFieldSecretIds: { applicationKey: s1.id } }, 'Ref');
    b.svc.update({ workspaceId: b.ws, id: ref.id, status: 'paused' }, b.t.admin);
    const before = b.svc.internal.get(b.ws, dd.id);
    const refBefore = b.svc.internal.get(b.ws, ref.id);
    const updates = audits(b, 'connection.updated').length;
    b.advance(60_000);
    b.pushes.length = 0;
    b.svc.internal.detachSecret(b.ws, dd.id, s1.id, b.t.admin);
    b.svc.internal.detachSecret(b.ws, ref.id, s2.id, b.t.admin);
    expect(() => b.svc.internal.detachSecret(b.ws, '00000000-0000-4000-8000-000000000000', s1.id, b.t.admin)).not.toThrow();
    await Promise.resolve();
    expect(b.svc.internal.get(b.ws, dd.id)).toEqual(before);
    expect(b.svc.internal.get(b.ws, ref.id)).toEqual(refBefore);
    expect(audits(b, 'connection.updated')).toHaveLength(updates);
    expect(b.pushes).toEqual([]);

    b.svc.internal.detachSecret(b.ws, ref.id, s1.id, b.t.admin);
    expect(b.svc.internal.get(b.ws, ref.id)).toMatchObject({ status: 'paused', statusChangedAt: refBefore.statusChangedAt, lastError: { code: 'SECRET_DELETED' } });
    expect(audits(b, 'connection.updated')[0]!.details).toMatchObject({ status: 'paused' });
    expect(history(b, ref.id)).toHaveLength(2);
  });
});

describe('markError / markHealthy', () => {
  it('stamp the change with the clock and push it; a healthy active connection records no status change', async () => {
    const b = await bench();
    const j = b.svc.create(jiraInput(b.ws), b.t.admin);
    b.advance(60_000);
    b.pushes.length = 0;
    expect(b.svc.internal.markHealthy(b.ws, j.id, 'fine', b.t.admin)).toMatchObject({ status: 'active', updatedAt: b.now(), lastError: null });
    expect(history(b, j.id)).toHaveLength(1);
    b.advance(60_000);
    const at = b.now();
    const e = b.svc.internal.markError(b.ws, j.id, { code: 'invalid_grant', message: 'revoked' }, b.t.admin);
    expect(e).toMatchObject({ status: 'error', statusChangedAt: at, updatedAt: at, lastError: { code: 'invalid_grant', message: 'revoked', at } });
    expect(b.pushes).toEqual([
      { workspaceId: b.ws, id: j.id },
      { workspaceId: b.ws, id: j.id },
    ]);
    expect(() => b.svc.internal.markError(b.ws, '00000000-0000-4000-8000-000000000000', { code: 'x', message: 'y' }, b.t.admin)).toThrow('connection not found');
    expect(b.checks).toEqual(['connection.create', 'connection.read_detail']);
  });
});

describe('access', () => {
  it('each top-level method checks its own operation first; internal ones check none', async () => {
    const b = await bench();
    const j = b.svc.create(jiraInput(b.ws), b.t.admin);
    const check = async (f: () => unknown) => {
      b.checks.length = 0;
      await f();
      return [...b.checks];
    };
    expect(await check(() => b.svc.list({ workspaceId: b.ws }, b.t.admin))).toEqual(['connection.list']);
    expect(await check(() => b.svc.detail(b.ws, j.id, b.t.admin))).toEqual(['connection.read_detail']);
    b.answers.push(report('valid'));
    expect(await check(() => b.svc.test(b.ws, j.id, b.t.admin))).toEqual(['connection.test']);
    expect(await check(() => b.svc.useCredential(b.ws, j.id, b.t.admin))).toEqual(['connection.use?']);
    expect(await check(() => b.svc.internal.credentialFor(b.ws, j.id))).toEqual([]);
    expect(await check(() => b.svc.remove(b.ws, j.id, false, b.t.admin))).toEqual(['connection.delete']);
  });
});

describe('names', () => {
  it('a taken name (any case) is a CONFLICT on name, before a consent flow or on rename; a free one, or its own, passes', async () => {
    const b = await bench();
    const j = b.svc.create(jiraInput(b.ws), b.t.admin);
    const other = b.svc.create(jiraInput(b.ws, { name: 'Other' }), b.t.admin);
    expect(() => b.svc.internal.assertNameFree(b.ws, 'JIRA')).toThrow(
      expect.objectContaining({ code: 'CONFLICT', field: 'name', message: 'a connection named "JIRA" already exists in this workspace; choose another name' }),
    );
    expect(() => b.svc.internal.assertNameFree(b.ws, 'Jira 2')).not.toThrow();
    expect(b.svc.update({ workspaceId: b.ws, id: j.id, name: 'Jira 2' }, b.t.admin).name).toBe('Jira 2');
    expect(b.svc.update({ workspaceId: b.ws, id: j.id, name: 'JIRA 2' }, b.t.admin).name).toBe('JIRA 2');
    expect(() => b.svc.update({ workspaceId: b.ws, id: other.id, name: 'jira 2' }, b.t.admin)).toThrow(expect.objectContaining({ code: 'CONFLICT', field: 'name' }));
  });
});

describe('detail: its audit row', () => {
  it('records connection.accessed on the connection it shows', async () => {
    const b = await bench();
    const j = b.svc.create(jiraInput(b.ws), b.t.admin);
    b.svc.detail(b.ws, j.id, b.t.admin);
    expect(audits(b, 'connection.accessed').map((r) => [r.workspaceId, r.target, r.outcome])).toEqual([[b.ws, { type: 'connection', id: j.id, name: 'Jira' }, 'success']]);
  });
});

describe("a Snowflake key's stored passphrase, when a new key comes alone", () => {
  const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const plain = rsa().export({ type: 'pkcs8', format: 'pem' }).toString();
  const key = rsa();
  const encrypted = (passphrase: string) => key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }).toString();
  const snowflake = (ws: string, over: Record<string, unknown>) => ({
    workspaceId: ws,
    name: 'Snowflake',
    provider: 'snowflake' as const,
    authType: 'serviceaccount' as const,
    settings: { account: 'myorg-acct1', user: 'svc_provenance' },
    ...over,
  });

  it('none stored: a new unencrypted key is taken; an encrypted one needs its passphrase', async () => {
    const b = await bench();
    const c = b.svc.create(snowflake(b.ws, { credential: encrypted('first-pass'), credentialFields: { passphrase: 'first-pass' } }), b.t.admin);
    b.svc.update({ workspaceId: b.ws, id: c.id, credential: plain }, b.t.admin);
    expect(b.svc.internal.get(b.ws, c.id).storedCredentialFields).toEqual({});
    b.svc.update({ workspaceId: b.ws, id: c.id, credential: plain }, b.t.admin);
    expect(() => b.svc.update({ workspaceId: b.ws, id: c.id, credential: encrypted('first-pass') }, b.t.admin)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'credentialFields.passphrase' }),
    );
    expect((await b.svc.internal.credentialFor(b.ws, c.id)).credential).toBe(plain.trim());
  });

  it('kept in a vault secret: a new encrypted key is taken (the passphrase is read at use time)', async () => {
    const b = await bench();
    const secret = b.t.core.secrets.create({ workspaceId: b.ws, name: 'sf-pass', value: 'secret-pass' }, b.t.admin);
    const c = b.svc.create(snowflake(b.ws, { credential: encrypted('secret-pass'), credentialFieldSecretIds: { passphrase: secret.id } }), b.t.admin);
    const again = encrypted('secret-pass');
    b.svc.update({ workspaceId: b.ws, id: c.id, credential: again }, b.t.admin);
    expect(await b.svc.internal.credentialFor(b.ws, c.id)).toMatchObject({ credential: again.trim(), credentialFields: { passphrase: 'secret-pass' } });
  });
});

describe('the awaiting-authorization flag of a record', () => {
  it('only an error whose code is not_authorized: not another error, not a paused connection that still has that code', async () => {
    const b = await bench();
    const { gh, sl, j } = awaitingAndNot(b);
    expect(b.svc.internal.get(b.ws, gh.id).awaitingAuthorization).toBe(true);
    expect(b.svc.internal.get(b.ws, sl.id)).toMatchObject({ status: 'paused', lastError: { code: 'not_authorized' } });
    expect(b.svc.internal.get(b.ws, sl.id)).not.toHaveProperty('awaitingAuthorization');
    expect(b.svc.detail(b.ws, j.id, b.t.admin)).not.toHaveProperty('awaitingAuthorization');
    expect(b.svc.internal.get(b.ws, j.id)).toMatchObject({ status: 'error' });
  });
});

describe('a connection gone between two reads', () => {
  it('its stored credential answers "connection not found"', async () => {
    // The service reads the row, then the credential's row: a store that loses it in between (a delete committed by
    // another process, once a store can yield) must give "connection not found", not a TypeError.
    let reads = 0;
    let lose = false;
    const b = await bench({ store: (real) => ({ ...real, get: (w, id) => (lose && ++reads > 1 ? undefined : real.get(w, id)) }) });
    const j = b.svc.create(jiraInput(b.ws), b.t.admin);
    lose = true;
    await expect(b.svc.internal.credentialFor(b.ws, j.id)).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'connection not found' });
  });
});

describe('detail openings', () => {
  it('a read without an opening neither asks nor tells the memo; one with an opening asks, then remembers it once recorded', async () => {
    const calls: string[] = [];
    const b = await bench({ openings: { seen: (k) => (calls.push(`seen ${k}`), false), remember: (k) => void calls.push(`remember ${k}`) } });
    const j = b.svc.create(jiraInput(b.ws), b.t.admin);
    b.svc.detail(b.ws, j.id, b.t.admin);
    b.svc.detail(b.ws, j.id, b.t.admin);
    expect(calls).toEqual([]);
    b.svc.detail(b.ws, j.id, b.t.admin, 'opening-1');
    const key = JSON.stringify([b.t.admin.kind, b.t.admin.id, b.ws, j.id, 'opening-1']);
    expect(calls).toEqual([`seen ${key}`, `remember ${key}`]);
    expect(audits(b, 'connection.accessed')).toHaveLength(3);
  });
});
