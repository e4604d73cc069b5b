import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Input } from '@shared/ipc/contract';
import { makeReadyCore } from '../../helpers/test-core';
import { startTestServer } from '../../helpers/test-server';

/**
 * Found by the fuzz suite: the local admin (and the owner key) hold admin in every workspace id, existing or not,
 * so a create in a workspace that does not exist passed the access check and failed on the database's foreign key:
 * a 500 INTERNAL over IPC, the console bridge and REST where the body may name the workspace (POST /api-keys). It is
 * a 404 now, and nothing is written.
 */
const GHOST = '00000000-0000-1000-8000-000000000000';

let t: Awaited<ReturnType<typeof makeReadyCore>>;
beforeAll(async () => {
  t = await makeReadyCore();
});
afterAll(() => t.close());

/** Rows per table, the audit log aside (a refusal may be recorded). */
function rowCounts(): string {
  const tables = (t.core.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name).filter((n) => !n.startsWith('audit'));
  return JSON.stringify(tables.map((n) => [n, t.core.db.prepare(`SELECT COUNT(*) AS n FROM "${n}"`).get()]));
}

const creates: Array<{ [C in Channel]: [C, Input<C>] }[Channel]> = [
  ['secrets:create', { workspaceId: GHOST, name: 'alpha', generate: { length: 8, alphabet: 'alphanumeric' } }],
  ['secrets:create', { workspaceId: GHOST, name: 'beta', value: 'v' }],
  ['connections:create', { workspaceId: GHOST, name: 'dd', provider: 'datadog', authType: 'apikey', credential: 'k', settings: { site: 'datadoghq.com' } }],
  ['oauthApps:create', { workspaceId: GHOST, provider: 'github', clientId: 'c', scopes: [] }],
  ['users:create', { workspaceId: GHOST, username: 'ghost-user', password: 'a long enough password', role: 'viewer' }],
  ['apiKeys:create', { workspaceId: GHOST, name: 'ghost key', scopes: ['audit:read'] }],
  ['datastores:create', { workspaceId: GHOST, name: 'ghost store' }],
];

describe('a workspace that does not exist', () => {
  for (const [channel, input] of creates) {
    it(`${channel} in it is a 404 for the local admin, and writes nothing`, async () => {
      const before = rowCounts();
      const r = await t.invoke(channel, input as never);
      expect(r).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'workspace not found' } });
      expect(rowCounts()).toBe(before);
    });
  }

  it('over REST too, where a body may name the workspace: POST /api-keys with the owner key → 404, nothing written', async () => {
    const s = await startTestServer({ PROVENANCE_ADMIN_API_KEY: 'owner-key-for-unknown-workspace' }, { ready: true });
    try {
      const res = await fetch(`${s.url}/api-keys`, {
        method: 'POST',
        headers: { 'x-api-key': 'owner-key-for-unknown-workspace', 'content-type': 'application/json' },
        body: JSON.stringify({ workspaceId: GHOST, name: 'ghost key', scopes: ['audit:read'] }),
      });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'workspace not found' } });
      expect(s.core.db.prepare('SELECT COUNT(*) AS n FROM api_keys').get()).toEqual({ n: 0 });
    } finally {
      await s.stop();
    }
  });

  it('the same creates in the Default workspace still work', async () => {
    const ws = t.core.workspaces.defaultWorkspace().id;
    const r = await t.invoke('secrets:create', { workspaceId: ws, name: 'alpha', generate: { length: 8, alphabet: 'alphanumeric' } });
    expect(r.ok).toBe(true);
  });
});
