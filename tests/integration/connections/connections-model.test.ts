import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { count, makeReadyCore, unwrap } from '../../helpers/test-core';

let t: Awaited<ReturnType<typeof makeReadyCore>>;
let ws: string;
beforeEach(async () => {
  t = await makeReadyCore();
  ws = t.core.workspaces.defaultWorkspace().id;
});
afterEach(() => t.close());

describe('connections model', () => {
  it('creates, lists, reads, renames and deletes an API-key connection; the credential is sealed, never returned', async () => {
    const c = unwrap(
      await t.invoke('connections:create', { workspaceId: ws, name: 'DD prod', provider: 'datadog', authType: 'apikey', credential: 'dd-key-123', settings: { site: 'datadoghq.eu' } }),
    );
    expect(c).toMatchObject({ name: 'DD prod', provider: 'datadog', status: 'active', hasCredential: true, settings: { site: 'datadoghq.eu' } });
    const row = t.core.db.prepare('SELECT credential_sealed FROM connections WHERE id = ?').get(c.id) as { credential_sealed: Buffer };
    expect(row.credential_sealed.includes(Buffer.from('dd-key-123'))).toBe(false);
    expect(t.core.vault.open(row.credential_sealed, `connection:${c.id}:credential`).toString()).toBe('dd-key-123');
    expect(unwrap(await t.invoke('connections:list', { workspaceId: ws })).items.map((x) => x.id)).toEqual([c.id]);
    const d = unwrap(await t.invoke('connections:get', { workspaceId: ws, id: c.id }));
    expect(d.statusHistory).toHaveLength(1);
    unwrap(await t.invoke('connections:update', { workspaceId: ws, id: c.id, name: 'DD eu' }));
    unwrap(await t.invoke('connections:delete', { workspaceId: ws, id: c.id }));
    expect(await t.invoke('connections:get', { workspaceId: ws, id: c.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'connection not found' } });
    expect(count(t.core.db, 'connections')).toBe(0);
  });
});
