import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPES } from '@shared/access/policy';
import { REST_ROUTES } from '@core/http/rest/routes';
import { STREAM_ROUTES } from '@core/http/stream-routes';
import { matrixCredentials, startRestBench, type Credential, type RestBench } from './rest-harness';
import { MATRIX_ROWS, rowMethod, rowPath, type MatrixRow } from './matrix-rows';
import { EXPECTED, expectedAllowed } from './expected-permissions';

/**
 * The permission matrix over REST, generated: every route × every credential kind (the three roles as user JWTs,
 * and an API key with exactly one scope, for each scope). The expected cell comes from expected-permissions.ts,
 * the docs' and README's tables copied by hand, never from POLICY: where the app disagrees with the docs, this fails.
 */
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

/** Every route a REST credential (API key or JWT) can call: the route tables and the credential-gated streams. */
const credentialRoutes = [
  ...REST_ROUTES.map((r) => `${r.method} ${r.path}`),
  ...Object.values(STREAM_ROUTES)
    .filter((r) => r.auth === 'rest')
    .map((r) => `${r.method} ${r.path}`),
];

const expectedOf = (row: MatrixRow) => {
  const e = EXPECTED[row.route];
  if (!e) throw new Error(`${row.route} has no expected cells in expected-permissions.ts`);
  return e;
};

async function run(row: MatrixRow, cred: Credential, workspaceId: string) {
  const vars = row.setup ? await row.setup(b, workspaceId) : {};
  const c = { unique: String(b.nextId()), workspaceId, vars };
  const before = b.snapshot();
  const res = await b.call(rowMethod(row), rowPath(row, c), { headers: { ...cred.headers, 'x-workspace-id': workspaceId }, body: row.body?.(c) });
  return { res, before, after: b.snapshot() };
}

describe('the matrix covers every route', () => {
  it('every route that takes a REST credential has expected cells and a matrix row, and nothing else does', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...credentialRoutes].sort());
    expect(MATRIX_ROWS.map((r) => r.route).sort()).toEqual([...credentialRoutes].sort());
  });
});

describe('permission matrix over REST (expected cells from the docs and README, not from POLICY)', () => {
  // One test per row and credential, generated. Same order as matrixCredentials(): the three roles, then one key per scope.
  const labels = ['admin JWT', 'editor JWT', 'viewer JWT', ...SCOPES.map((s) => `key [${s}]`)];
  for (const row of MATRIX_ROWS) {
    for (const [i, label] of labels.entries()) {
      it(`${row.route} with ${label}`, async () => {
        const cred = creds[i]!;
        expect(cred.label).toBe(label);
        const { res, before, after } = await run(row, cred, b.defaultWs);
        if (expectedAllowed(expectedOf(row), cred)) {
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
  const gated = MATRIX_ROWS.filter((r) => {
    const e = expectedOf(r);
    return !('any' in e) && !('public' in e);
  });
  for (const row of gated) {
    for (const which of [0, 1]) {
      it(`${row.route} with the ${which === 0 ? 'admin JWT' : 'admin-scope key'} of another workspace`, async () => {
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
