import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeReadyCore } from '../../helpers/test-core';

let t: Awaited<ReturnType<typeof makeReadyCore>>;
beforeEach(async () => (t = await makeReadyCore()));
afterEach(() => t.close());

describe('a connection whose credential is a vault secret', () => {
  it('uses the secret current value at use time, follows its rotation, and is listed as a reference of the secret', async () => {
    const ws = t.core.workspaces.defaultWorkspace().id;
    const secret = t.core.secrets.create({ workspaceId: ws, name: 'jira-token', value: 'first-token-value' }, t.admin);
    const c = t.core.connections.create(
      { workspaceId: ws, name: 'Jira via secret', provider: 'jira', authType: 'apikey', credentialSecretId: secret.id, settings: { siteUrl: 'https://acme.atlassian.net', email: 'ops@acme.example' } },
      t.admin,
    );
    expect((await t.core.connections.internal.credentialFor(ws, c.id)).credential).toBe('first-token-value');
    t.core.secrets.rotate({ workspaceId: ws, id: secret.id, value: 'second-token-value' }, t.admin);
    expect((await t.core.connections.internal.credentialFor(ws, c.id)).credential).toBe('second-token-value');
    expect(t.core.references.referencesTo({ type: 'secret', id: secret.id }).map((r) => r.fromId)).toEqual([c.id]);
    // Runtime injection is not a reveal: no secret.accessed event.
    expect(t.core.audit.list({ workspaceId: ws, action: 'secret.accessed' }, t.admin).items).toHaveLength(0);
  });

  // Issue 17: a connection whose vault secret was force-deleted stayed `active` with a dangling secret id, and the
  // promise "force delete clears these references" held only in the index.
  it('lets go of a force-deleted secret: the pointer goes, an active connection turns error with a "choose a secret" fix', async () => {
    const ws = t.core.workspaces.defaultWorkspace().id;
    const secret = t.core.secrets.create({ workspaceId: ws, name: 'jira-token-2', value: 'a-token-value-1' }, t.admin);
    const c = t.core.connections.create(
      { workspaceId: ws, name: 'Jira via doomed secret', provider: 'jira', authType: 'apikey', credentialSecretId: secret.id, settings: { siteUrl: 'https://acme.atlassian.net', email: 'ops@acme.example' } },
      t.admin,
    );
    expect(t.core.connections.detail(ws, c.id, t.admin).status).toBe('active');
    // Without force: refused, nothing changes.
    expect(() => t.core.secrets.remove({ workspaceId: ws, id: secret.id }, t.admin)).toThrow(/used by connection "Jira via doomed secret"/);
    expect(t.core.connections.detail(ws, c.id, t.admin)).toMatchObject({ status: 'active', credentialSecretId: secret.id });

    t.core.secrets.remove({ workspaceId: ws, id: secret.id, force: true }, t.admin);
    const after = t.core.connections.detail(ws, c.id, t.admin);
    expect(after).toMatchObject({ status: 'error', credentialSecretId: null, hasCredential: false });
    expect(after.lastError).toMatchObject({ code: 'SECRET_DELETED', message: expect.stringMatching(/choose another secret/) });
    expect(after.statusHistory).toContainEqual(expect.objectContaining({ from: 'active', to: 'error', reason: 'its vault secret was deleted' }));
    expect(t.core.references.referencesTo({ type: 'secret', id: secret.id })).toEqual([]);
    const updated = t.core.audit.list({ workspaceId: ws, action: 'connection.updated' }, t.admin).items.find((e) => e.target.id === c.id);
    expect(updated?.details).toMatchObject({ reason: 'vault secret deleted', cause: { type: 'secret', id: secret.id } });
    await expect(t.core.connections.internal.credentialFor(ws, c.id)).rejects.toThrow(/no credential/);
  });

  it('a paused connection stays paused when its secret goes, with the same fix recorded', () => {
    const ws = t.core.workspaces.defaultWorkspace().id;
    const secret = t.core.secrets.create({ workspaceId: ws, name: 'jira-token-3', value: 'a-token-value-2' }, t.admin);
    const c = t.core.connections.create(
      { workspaceId: ws, name: 'Paused Jira', provider: 'jira', authType: 'apikey', credentialSecretId: secret.id, settings: { siteUrl: 'https://acme.atlassian.net', email: 'ops@acme.example' } },
      t.admin,
    );
    t.core.connections.update({ workspaceId: ws, id: c.id, status: 'paused' }, t.admin);
    t.core.secrets.remove({ workspaceId: ws, id: secret.id, force: true }, t.admin);
    expect(t.core.connections.detail(ws, c.id, t.admin)).toMatchObject({ status: 'paused', credentialSecretId: null, lastError: { code: 'SECRET_DELETED' } });
  });
});
