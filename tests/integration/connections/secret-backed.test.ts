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
});
