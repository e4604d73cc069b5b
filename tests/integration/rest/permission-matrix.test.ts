import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '@shared/access/policy';
import { expectedAllowed, matrixCredentials, startRestBench, type Credential, type RestBench } from './rest-harness';
import { MATRIX_ROWS, rowName, rowPath, type MatrixRow } from './matrix-rows';

let b: RestBench;
let creds: Credential[];
let foreign: Credential[];
let otherWs: string;
beforeAll(async () => {
  b = await startRestBench();
  creds = await matrixCredentials(b);
  // Credentials of another workspace: an admin there, and an all-scopes key there.
  otherWs = b.core.workspaces.create('Other team', b.admin).id;
  foreign = [await b.user('admin', otherWs), b.key(['admin'], otherWs)];
});
afterAll(() => b.stop());

async function run(row: MatrixRow, cred: Credential, workspaceId: string) {
  const vars = row.setup ? await row.setup(b, workspaceId) : {};
  const c = { unique: String(b.nextId()), workspaceId, vars };
  const before = b.snapshot();
  const res = await b.call(row.method, rowPath(row, c), { headers: { ...cred.headers, 'x-workspace-id': workspaceId }, body: row.body?.(c) });
  return { res, before, after: b.snapshot() };
}

describe('permission matrix over REST (expected cells come from POLICY)', () => {
  // One test per row and credential, generated: a row added to MATRIX_ROWS is checked for every credential.
  // Same order as matrixCredentials(): the three roles, then one key per scope.
  const labels = ['admin JWT', 'editor JWT', 'viewer JWT', ...SCOPES.map((s) => `key [${s}]`)];
  for (const row of MATRIX_ROWS) {
    for (const [i, label] of labels.entries()) {
      it(`${rowName(row)} with ${label}`, async () => {
        const cred = creds[i]!;
        expect(cred.label).toBe(label);
        const { res, before, after } = await run(row, cred, b.defaultWs);
        if (expectedAllowed(cred, row.op)) {
          expect(res.status, JSON.stringify(res.json)).toBe(row.status);
        } else {
          expect(res.status, JSON.stringify(res.json)).toBe(403);
          expect(res.json.error?.code).toBe('FORBIDDEN');
          expect(after).toBe(before);
        }
      });
    }
  }
});

describe('workspace isolation: a credential of another workspace gets 403 everywhere and changes nothing', () => {
  for (const row of MATRIX_ROWS.filter((r) => r.op !== null)) {
    for (const which of [0, 1]) {
      it(`${rowName(row)} with the ${which === 0 ? 'admin JWT' : 'admin-scope key'} of another workspace`, async () => {
        const { res, before, after } = await run(row, foreign[which]!, b.defaultWs);
        expect(res.status, JSON.stringify(res.json)).toBe(403);
        expect(after).toBe(before);
      });
    }
  }

  it('the same foreign credentials work in their own workspace (the 403 is about the workspace, not the key)', async () => {
    const res = await b.call('GET', '/users', { headers: { ...foreign[1]!.headers } });
    expect(res.status).toBe(200);
    expect((res.json.items as Array<{ username: string }>).map((u) => u.username)).toEqual([(foreign[0] as unknown as { username: string }).username]);
  });

  it('GET /workspaces shows a credential only the workspaces it holds a grant in', async () => {
    const res = await b.call('GET', '/workspaces', { headers: foreign[0]!.headers });
    expect((res.json.items as Array<{ id: string }>).map((w) => w.id)).toEqual([otherWs]);
  });
});
