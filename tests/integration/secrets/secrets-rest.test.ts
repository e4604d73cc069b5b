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

async function call(method: string, path: string, body?: unknown, key: string | null = OWNER) {
  const headers: Record<string, string> = {};
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
