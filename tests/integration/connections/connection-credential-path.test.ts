import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogLevel } from '@core/ports';
import { PAUSED_MESSAGE, SECRET_DELETED_MESSAGE } from '@core/connections/connection-service';
import { makeReadyCore } from '../../helpers/test-core';
import { roleActors } from '../../helpers/actors';

/**
 * The credential path of the connection service (issue #18's mutation run): what `useCredential` hands out and
 * records (allowed, denied, paused, unknown, an audit that cannot be written), what `credentialFor` answers for a
 * connection whose sealed credential is gone or was moved to another row, the credential fields it opens, and the
 * health changes the OAuth capability records. No provider is called: nothing here needs a fake server.
 */
let t: Awaited<ReturnType<typeof makeReadyCore>>;
let ws: string;
let now = Date.parse('2026-03-01T00:00:00.000Z');
const clock = { now: () => new Date(now) };
const logs: Array<{ level: LogLevel; message: string; fields?: Record<string, unknown> }> = [];
beforeEach(async () => {
  logs.length = 0;
  now = Date.parse('2026-03-01T00:00:00.000Z');
  t = await makeReadyCore({ clock, logger: { log: (level, message, fields) => void logs.push({ level, message, fields }) } });
  ws = t.core.workspaces.defaultWorkspace().id;
});
afterEach(() => t.close());

const conns = () => t.core.connections;
const jira = (name = 'Jira', credential = 'jira-token-value') =>
  conns().create({ workspaceId: ws, name, provider: 'jira', authType: 'apikey', credential, settings: { siteUrl: 'https://acme.atlassian.net', email: 'ops@acme.example' } }, t.admin);
const datadog = (name = 'Datadog', applicationKey?: string) =>
  conns().create(
    { workspaceId: ws, name, provider: 'datadog', authType: 'apikey', credential: 'dd-api-key-value', settings: { site: 'datadoghq.com' }, ...(applicationKey ? { credentialFields: { applicationKey } } : {}) },
    t.admin,
  );
const used = () => t.core.audit.list({ workspaceId: ws, action: 'connection.used' }, t.admin).items;

describe('useCredential: the credential handed to a local program', () => {
  it('an editor gets the credential and its fields; connection.used names the connection and provider, never the value', async () => {
    const c = datadog('DD', 'dd-app-key-value');
    const as = roleActors(t.core);
    const editor = as('editor', ws);
    expect(await conns().useCredential(ws, c.id, editor)).toEqual({ credential: 'dd-api-key-value', credentialFields: { applicationKey: 'dd-app-key-value' } });
    const rows = used();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ outcome: 'success', actor: { id: editor.id }, target: { type: 'connection', id: c.id, name: 'DD' }, details: { provider: 'datadog', use: 'credential' } });
    expect(JSON.stringify(rows)).not.toContain('dd-api-key-value');
    expect(JSON.stringify(rows)).not.toContain('dd-app-key-value');
    // Without a field set, the fields are empty.
    const j = jira();
    expect(await conns().useCredential(ws, j.id, t.admin)).toEqual({ credential: 'jira-token-value', credentialFields: {} });
  });

  it('a viewer is refused, and the refusal is recorded; an unknown id is refused with nothing to record', async () => {
    const c = jira();
    const viewer = roleActors(t.core)('viewer', ws);
    await expect(conns().useCredential(ws, c.id, viewer)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(used().map((e) => [e.outcome, e.target, e.details])).toEqual([['denied', { type: 'connection', id: c.id, name: 'Jira' }, { use: 'credential' }]]);
    await expect(conns().useCredential(ws, '00000000-0000-4000-8000-000000000000', viewer)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(used()).toHaveLength(1);
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('when the refusal cannot be recorded it is still a refusal, and the log names the connection', async () => {
    const c = jira();
    t.core.db.exec(`CREATE TRIGGER no_use_audit BEFORE INSERT ON audit_events WHEN NEW.action = 'connection.used'
      BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END`);
    const viewer = roleActors(t.core)('viewer', ws);
    await expect(conns().useCredential(ws, c.id, viewer)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(logs.filter((l) => l.level === 'error')).toEqual([{ level: 'error', message: 'could not record a refused connection use', fields: { connectionId: c.id } }]);
    // Fail-closed: an allowed use whose row cannot be written hands out nothing.
    await expect(conns().useCredential(ws, c.id, t.admin)).rejects.toThrow('audit unavailable');
  });

  it('a paused connection is refused with the resume hint and no use is recorded; resumed, it works again', async () => {
    const c = jira();
    conns().update({ workspaceId: ws, id: c.id, status: 'paused' }, t.admin);
    await expect(conns().useCredential(ws, c.id, t.admin)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: PAUSED_MESSAGE });
    expect(used()).toEqual([]);
    conns().update({ workspaceId: ws, id: c.id, status: 'active' }, t.admin);
    expect((await conns().useCredential(ws, c.id, t.admin)).credential).toBe('jira-token-value');
  });
});

describe('credentialFor: what the stored row can give', () => {
  it('a connection whose sealed credential is gone says to update the credentials', async () => {
    const c = jira();
    t.core.db.prepare('UPDATE connections SET credential_sealed = NULL WHERE id = ?').run(c.id);
    await expect(conns().internal.credentialFor(ws, c.id)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED', message: 'this connection has no credential: click Update credentials' });
  });

  it('a sealed credential or credential field moved to another connection does not open there', async () => {
    const a = datadog('A', 'app-key-of-a');
    const b = datadog('B', 'app-key-of-b');
    expect((await conns().internal.credentialFor(ws, b.id)).credentialFields).toEqual({ applicationKey: 'app-key-of-b' });
    t.core.db.prepare('UPDATE connections SET credential_sealed = (SELECT credential_sealed FROM connections WHERE id = ?) WHERE id = ?').run(a.id, b.id);
    await expect(conns().internal.credentialFor(ws, b.id)).rejects.toMatchObject({ code: 'INTEGRITY_FAILED' });
    const c = datadog('C', 'app-key-of-c');
    t.core.db
      .prepare("UPDATE connection_credential_fields SET sealed = (SELECT sealed FROM connection_credential_fields WHERE connection_id = ? AND key = 'applicationKey') WHERE connection_id = ?")
      .run(a.id, c.id);
    await expect(conns().internal.credentialFor(ws, c.id)).rejects.toMatchObject({ code: 'INTEGRITY_FAILED' });
    expect(await conns().internal.credentialFor(ws, a.id)).toMatchObject({ credential: 'dd-api-key-value', credentialFields: { applicationKey: 'app-key-of-a' } });
  });

  it('an OAuth connection has no credential until its consent flow registers a source', async () => {
    const c = conns().create({ workspaceId: ws, name: 'GitHub', provider: 'github', authType: 'oauth2', settings: {} }, t.admin);
    await expect(conns().internal.credentialFor(ws, c.id)).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: 'not authorized yet: click Authorize to complete the OAuth consent flow',
    });
    expect(conns().internal.get(ws, c.id)).toMatchObject({ status: 'error', lastError: { code: 'not_authorized' } });
  });
});

describe('markError / markHealthy: health the OAuth capability found', () => {
  it('an error moves active → error with the reason in the history; healthy clears it and moves back; a paused one stays paused', () => {
    const c = jira();
    const sys = { kind: 'system' as const, id: 'system', name: 'system', origin: 'scheduler' };
    const e = conns().internal.markError(ws, c.id, { code: 'invalid_grant', message: 'refresh token revoked' }, sys);
    expect(e).toMatchObject({ status: 'error', lastError: { code: 'invalid_grant', message: 'refresh token revoked' } });
    const again = conns().internal.markError(ws, c.id, { code: 'invalid_grant', message: 'refresh token revoked' }, sys);
    expect(again.status).toBe('error');
    const ok = conns().internal.markHealthy(ws, c.id, 'authorized again', sys);
    expect(ok).toMatchObject({ status: 'active', lastError: null });
    const history = conns().detail(ws, c.id, t.admin).statusHistory;
    expect(history.map((h) => [h.from, h.to, h.reason, h.actor])).toEqual(
      expect.arrayContaining([
        ['active', 'error', 'refresh token revoked', 'system'],
        ['error', 'active', 'authorized again', 'system'],
      ]),
    );
    expect(history).toHaveLength(3);

    conns().update({ workspaceId: ws, id: c.id, status: 'paused' }, t.admin);
    expect(conns().internal.markError(ws, c.id, { code: 'x', message: 'y' }, sys)).toMatchObject({ status: 'paused', lastError: { code: 'x', message: 'y' } });
    expect(conns().internal.markHealthy(ws, c.id, 'fine', sys)).toMatchObject({ status: 'paused', lastError: null });
  });

  it('a force-deleted credential secret leaves the connection in error with the fix to apply', async () => {
    const secret = t.core.secrets.create({ workspaceId: ws, name: 'dd-app', value: 'app-key-in-secret' }, t.admin);
    const c = conns().create(
      { workspaceId: ws, name: 'DD via secret', provider: 'datadog', authType: 'apikey', credential: 'dd-api-key-value', settings: { site: 'datadoghq.com' }, credentialFieldSecretIds: { applicationKey: secret.id } },
      t.admin,
    );
    expect((await conns().internal.credentialFor(ws, c.id)).credentialFields).toEqual({ applicationKey: 'app-key-in-secret' });
    t.core.secrets.remove({ workspaceId: ws, id: secret.id, force: true }, t.admin);
    const after = conns().internal.get(ws, c.id);
    expect(after).toMatchObject({ status: 'error', storedCredentialFields: {}, lastError: { code: 'SECRET_DELETED', message: SECRET_DELETED_MESSAGE } });
    const row = t.core.audit.list({ workspaceId: ws, action: 'connection.updated' }, t.admin).items[0]!;
    expect(row.details).toMatchObject({ changed: ['credentialFieldSecretIds.applicationKey'], reason: 'vault secret deleted', status: 'error' });
    expect((await conns().internal.credentialFor(ws, c.id)).credentialFields).toEqual({});
    expect(t.core.references.referencesTo({ type: 'secret', id: secret.id })).toEqual([]);
  });

  it('a force-deleted credential secret detaches only what used it, records it on the connection, and pushes connections:changed', async () => {
    const secret = t.core.secrets.create({ workspaceId: ws, name: 'dd-api', value: 'api-key-in-secret' }, t.admin);
    const c = conns().create(
      { workspaceId: ws, name: 'DD main via secret', provider: 'datadog', authType: 'apikey', credentialSecretId: secret.id, settings: { site: 'datadoghq.com' }, credentialFields: { applicationKey: 'sealed-app-key' } },
      t.admin,
    );
    const before = conns().internal.get(ws, c.id).updatedAt;
    const pushed: string[] = [];
    t.core.bus.subscribe((event, payload) => {
      if (event === 'connections:changed') pushed.push((payload as { id: string }).id);
    });
    now += 60_000;
    t.core.secrets.remove({ workspaceId: ws, id: secret.id, force: true }, t.admin);
    await Promise.resolve();
    expect(pushed).toContain(c.id);
    const after = conns().internal.get(ws, c.id);
    expect(after).toMatchObject({ status: 'error', credentialSecretId: null, hasCredential: false, storedCredentialFields: { applicationKey: { secretId: null } } });
    expect(before).toBe('2026-03-01T00:00:00.000Z');
    expect(after.updatedAt).toBe('2026-03-01T00:01:00.000Z');
    const row = t.core.audit.list({ workspaceId: ws, action: 'connection.updated' }, t.admin).items[0]!;
    expect(row).toMatchObject({ target: { type: 'connection', id: c.id, name: 'DD main via secret' } });
    expect(row.details).toEqual({ changed: ['credentialSecretId'], reason: 'vault secret deleted', cause: { type: 'secret', id: secret.id }, status: 'error' });
  });
});
