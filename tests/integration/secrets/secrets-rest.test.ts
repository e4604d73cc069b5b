import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../../helpers/test-server';
import { canary, textContainsCanary } from '../../helpers/canary';
import { SECRETS_REST_MATRIX } from '../../helpers/secrets-rest-matrix';

const OWNER = 'owner-key-for-secrets-tests';
let s: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  s = await startTestServer({ PROVENANCE_ADMIN_API_KEY: OWNER });
  await s.core.vault.initializeWithKeychain(s.admin);
});
afterAll(() => s.stop());

async function call(method: string, path: string, body?: unknown, key: string | null = OWNER, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { ...extra };
  if (key) headers['x-api-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(`${s.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

describe('secrets REST with the owner key', () => {
  for (const row of SECRETS_REST_MATRIX) {
    it(`${row.method} ${row.path(':id')} → ${row.owner} (owner key), 401 without credentials`, async () => {
      const created = await call('POST', '/secrets', { name: `target-${row.name}`, value: 'v' });
      expect(created.status).toBe(201);
      const id = created.json!.id as string;
      const anon = await call(row.method, row.path(id), row.body, null);
      expect(anon.status).toBe(401);
      const r = await call(row.method, row.path(id), row.body);
      expect(r.status).toBe(row.owner);
    });
  }

  it('create → list → get → rotate never return the value; reveal does, and is audited with the caller IP', async () => {
    const value = canary('rest');
    const created = await call('POST', '/secrets', { name: 'rest-flow', value, description: 'd' });
    expect(created.status).toBe(201);
    const id = created.json!.id as string;
    const rotatedValue = canary('rest-rot');
    const responses = [
      created,
      await call('GET', '/secrets?search=rest-f'),
      await call('GET', `/secrets/${id}`),
      await call('PATCH', `/secrets/${id}`, { name: 'rest-flow-2' }),
      await call('POST', `/secrets/${id}/rotate`, { value: rotatedValue }),
    ];
    for (const r of responses) {
      expect(r.status).toBeLessThan(300);
      expect(textContainsCanary(r.text, [value, rotatedValue])).toBeNull();
    }
    expect((responses[1]!.json!.items as Array<{ id: string }>).map((x) => x.id)).toEqual([id]);
    expect(responses[1]!.json!.nextCursor).toBeNull();
    const revealed = await call('POST', `/secrets/${id}/reveal`);
    expect(revealed.json).toEqual({ value: rotatedValue, valueType: 'string', version: 2 });
    const ev = s.core.audit.list({ workspaceId: s.core.workspaces.defaultWorkspace().id, action: 'secret.accessed' }, s.admin).items[0]!;
    expect(ev).toMatchObject({ risk: 'high', origin: '127.0.0.1', actor: { kind: 'apiKey', id: 'owner' }, target: { id } });
  });

  it('pages with limit and cursor', async () => {
    for (let i = 0; i < 5; i++) expect((await call('POST', '/secrets', { name: `page-${i}`, value: 'v' })).status).toBe(201);
    const first = await call('GET', '/secrets?search=page-&limit=3');
    expect((first.json!.items as unknown[]).length).toBe(3);
    const next = await call('GET', `/secrets?search=page-&limit=3&cursor=${first.json!.nextCursor as string}`);
    expect((next.json!.items as Array<{ name: string }>).map((x) => x.name)).toEqual(['page-3', 'page-4']);
    expect(next.json!.nextCursor).toBeNull();
  });

  it('bad input is a 400 naming the field; unknown ids 404; duplicate names 409', async () => {
    expect(await call('POST', '/secrets', { name: 'x' })).toMatchObject({ status: 400, json: { error: { code: 'INVALID_INPUT', field: 'value' } } });
    expect(await call('POST', '/secrets', { name: 'x', value: 12 })).toMatchObject({ status: 400, json: { error: { field: 'value' } } });
    expect(await call('POST', '/secrets', ['not', 'an', 'object'])).toMatchObject({ status: 400 });
    expect(await call('GET', '/secrets?limit=abc')).toMatchObject({ status: 400, json: { error: { field: 'limit' } } });
    expect((await call('GET', '/secrets/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    expect((await call('POST', '/secrets', { name: 'dup', value: 'v' })).status).toBe(201);
    expect((await call('POST', '/secrets', { name: 'DUP', value: 'v' })).status).toBe(409);
  });

  it('delete with references is 409 unless ?force=true', async () => {
    const created = await call('POST', '/secrets', { name: 'referenced', value: 'v' });
    const id = created.json!.id as string;
    s.core.references.set(s.core.workspaces.defaultWorkspace().id, { type: 'connection', id: 'c9', name: 'GitHub' }, { type: 'secret', id });
    const refused = await call('DELETE', `/secrets/${id}`);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('GitHub');
    expect((await call('DELETE', `/secrets/${id}?force=true`)).status).toBe(204);
    expect((await call('GET', `/secrets/${id}`)).status).toBe(404);
  });
});

describe('REST bodies as the docs send them', () => {
  const post = (path: string, body: string | undefined, contentType?: string) =>
    fetch(`${s.url}${path}`, { method: 'POST', headers: { 'x-api-key': OWNER, ...(contentType ? { 'content-type': contentType } : {}) }, body });

  it("the docs' curl -d example (form content type, JSON body) rotates", async () => {
    const id = (await call('POST', '/secrets', { name: 'curl-d', value: 'v' })).json!.id as string;
    const r = await post(`/secrets/${id}/rotate`, JSON.stringify({ value: 'new-credential-value' }), 'application/x-www-form-urlencoded');
    expect(r.status).toBe(200);
    expect(((await r.json()) as { version: number }).version).toBe(2);
  });

  it('reveal with a JSON content type and no body works', async () => {
    const id = (await call('POST', '/secrets', { name: 'empty-body', value: 'v' })).json!.id as string;
    const r = await post(`/secrets/${id}/reveal`, undefined, 'application/json');
    expect(r.status).toBe(200);
  });

  it('malformed JSON and poisoned keys are a 400 in the API error shape', async () => {
    const bad = await post('/secrets', '{"name": "x", ', 'application/json');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'INVALID_INPUT', message: 'the body is not valid JSON', field: 'body' } });
    const poisoned = await post('/secrets', '{"name": "x", "value": "v", "__proto__": {"admin": true}}', 'application/json');
    expect(poisoned.status).toBe(400);
    const other = await post('/secrets', '<name>x</name>', 'application/xml');
    expect(other.status).toBe(400);
    expect(await other.json()).toEqual({ error: { code: 'INVALID_INPUT', message: 'send the body as JSON with content-type: application/json', field: 'content-type' } });
  });
});

/** Second, black-box checks of properties the service tests also hold (each caught by one test before). */
describe('secrets REST, independently of the service tests', () => {
  it('a reveal whose audit row cannot be written answers an error without the value, and leaves no access recorded', async () => {
    const value = canary('rest-noaudit');
    const created = await call('POST', '/secrets', { name: 'rest-noaudit', value });
    expect(created.status).toBe(201);
    const id = created.json!.id as string;
    const ws = s.core.workspaces.defaultWorkspace().id;
    const accessed = () => s.core.audit.list({ workspaceId: ws, action: 'secret.accessed', limit: 200 }, s.admin).items.filter((e) => e.target?.id === id);
    // The audit store refuses the row (as a full disk or a failing audit table would), under the reveal's transaction.
    s.core.db.exec(`CREATE TRIGGER rest_no_access_audit BEFORE INSERT ON audit_events WHEN NEW.action = 'secret.accessed'
      BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END`);
    let r: Awaited<ReturnType<typeof call>>;
    try {
      r = await call('POST', `/secrets/${id}/reveal`);
    } finally {
      s.core.db.exec('DROP TRIGGER rest_no_access_audit');
    }
    expect(r.status).toBeGreaterThanOrEqual(500);
    expect(textContainsCanary(r.text, [value])).toBeNull();
    expect(accessed()).toEqual([]);
    expect((await call('GET', `/secrets/${id}`)).json!.lastAccess ?? null).toBeNull();
    // Once the audit is back, the same call reveals, and is recorded.
    expect((await call('POST', `/secrets/${id}/reveal`)).json).toMatchObject({ value });
    expect(accessed()).toHaveLength(1);
  });

  it('a secret and a connection of one workspace are not found, listed or revealed through x-workspace-id of another', async () => {
    const value = canary('rest-ws');
    const secret = await call('POST', '/secrets', { name: 'rest-ws', value });
    const conn = await call('POST', '/connections', { name: 'rest-ws-pd', provider: 'pagerduty', authType: 'apikey', credential: 'k' });
    expect([secret.status, conn.status]).toEqual([201, 201]);
    const other = await call('POST', '/workspaces', { name: 'Rest Other' });
    expect(other.status).toBe(201);
    const inOther = { 'x-workspace-id': other.json!.id as string };
    const sid = secret.json!.id as string;
    const cid = conn.json!.id as string;
    const responses = {
      secret: await call('GET', `/secrets/${sid}`, undefined, OWNER, inOther),
      reveal: await call('POST', `/secrets/${sid}/reveal`, undefined, OWNER, inOther),
      secrets: await call('GET', '/secrets?search=rest-ws', undefined, OWNER, inOther),
      connection: await call('GET', `/connections/${cid}`, undefined, OWNER, inOther),
      connections: await call('GET', '/connections', undefined, OWNER, inOther),
    };
    expect(Object.fromEntries(Object.entries(responses).map(([k, r]) => [k, r.status]))).toEqual({ secret: 404, reveal: 404, secrets: 200, connection: 404, connections: 200 });
    expect(responses.secrets.json!.items).toEqual([]);
    expect(responses.connections.json!.items).toEqual([]);
    for (const r of Object.values(responses)) expect(textContainsCanary(r.text, [value])).toBeNull();
    // The same calls in the secret's own workspace find them: the 404s above are the workspace filter, not the ids.
    expect((await call('GET', `/secrets/${sid}`)).status).toBe(200);
    expect((await call('GET', `/connections/${cid}`)).status).toBe(200);
  });
});
