import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count } from '../../helpers/test-core';
import { startTestServer } from '../../helpers/test-server';

let s: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => (s = await startTestServer({ PROVENANCE_ADMIN_API_KEY: 'owner-key-for-tests' })));
afterAll(() => s.stop());

/** Raw request so the Host header can be forged (fetch does not allow it). */
function raw(path: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: s.port, path, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    if (opts.body) req.write(opts.body);
    req.end();
  });
}

const ipc = (channel: string, input: unknown, headers: Record<string, string> = {}) =>
  raw(`/ipc/${channel}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', host: `127.0.0.1:${s.port}`, ...headers },
    body: JSON.stringify({ input }),
  });

describe('headless console server', () => {
  // Found by the fuzz suite: the automatic HEAD twin of the event stream never answered.
  it('answers HEAD /ipc-events at once (404) instead of holding the connection open', async () => {
    const r = await raw('/ipc-events', { method: 'HEAD', headers: { host: `127.0.0.1:${s.port}`, 'x-console-token': s.consoleToken } });
    expect(r.status).toBe(404);
  });

  // Found by the fuzz suite: the Host/Origin gate answered the bridge in the REST envelope.
  it('refuses a foreign Origin or Host on the bridge in the bridge envelope', async () => {
    for (const headers of [{ origin: 'http://evil.example' }, { host: 'evil.example' }] as Record<string, string>[]) {
      const r = await ipc('session:info', undefined, { 'x-console-token': s.consoleToken, ...headers });
      expect(r.status).toBe(403);
      expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    }
  });

  it('answers /health without a token', async () => {
    const r = await fetch(`${s.url}/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ status: 'ok' });
  });

  it('runs a channel with the token and returns the envelope', async () => {
    const r = await ipc('workspaces:list', undefined, { 'x-console-token': s.consoleToken });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ ok: true, value: [{ name: 'Default' }] });
  });

  it('refuses a request without the token, or with a wrong one, and writes nothing', async () => {
    const before = count(s.core.db, 'workspaces');
    const attempts: Record<string, string>[] = [{}, { 'x-console-token': 'wrong' }, { 'x-console-token': s.consoleToken + 'x' }];
    for (const headers of attempts) {
      const r = await ipc('workspaces:create', { name: 'Nope' }, headers);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    }
    expect(count(s.core.db, 'workspaces')).toBe(before);
  });

  it('refuses a foreign Origin even with the token (cross-site requests)', async () => {
    const before = count(s.core.db, 'workspaces');
    const r = await ipc('workspaces:create', { name: 'Csrf' }, { 'x-console-token': s.consoleToken, origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(count(s.core.db, 'workspaces')).toBe(before);
    const same = await ipc('workspaces:list', undefined, { 'x-console-token': s.consoleToken, origin: `http://127.0.0.1:${s.port}` });
    expect(same.status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding), even on /health', async () => {
    const r = await ipc('workspaces:list', undefined, { 'x-console-token': s.consoleToken, host: `evil.example:${s.port}` });
    expect(r.status).toBe(403);
    const h = await raw('/health', { headers: { host: 'attacker.test' } });
    expect(h.status).toBe(403);
  });

  it('gives INVALID_INPUT for bad input and an unknown channel NOT_FOUND', async () => {
    const bad = await ipc('workspaces:create', { name: '' }, { 'x-console-token': s.consoleToken });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'name' } });
    const extra = await ipc('workspaces:create', { name: 'x', admin: true }, { 'x-console-token': s.consoleToken });
    expect(JSON.parse(extra.body)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: 'unknown field: admin' } });
    const unknown = await ipc('nope:nothing', {}, { 'x-console-token': s.consoleToken });
    expect(unknown.status).toBe(404);
  });

  it('serves the REST API with the owner key and refuses it without one', async () => {
    const anon = await fetch(`${s.url}/workspaces`);
    expect(anon.status).toBe(401);
    expect(await anon.json()).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const created = await fetch(`${s.url}/workspaces`, {
      method: 'POST',
      headers: { 'x-api-key': 'owner-key-for-tests', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'From REST' }),
    });
    expect(created.status).toBe(201);
    const ws = (await created.json()) as { id: string };
    const audit = s.core.audit.list({ workspaceId: ws.id }, s.admin).items[0]!;
    expect(audit).toMatchObject({ action: 'workspace.created', actor: { kind: 'apiKey', id: 'owner' }, origin: '127.0.0.1' });
  });

  it('streams push events to the console over SSE (opened with an events ticket)', async () => {
    const t = await fetch(`${s.url}/console/tickets`, {
      method: 'POST',
      headers: { 'x-console-token': s.consoleToken, 'content-type': 'application/json' },
      body: JSON.stringify({ purpose: 'events' }),
    });
    expect(t.status).toBe(200);
    const { ticket } = (await t.json()) as { ticket: string };
    const ctrl = new AbortController();
    const res = await fetch(`${s.url}/ipc-events?ticket=${ticket}`, { signal: ctrl.signal });
    const reader = res.body!.getReader();
    await reader.read(); // ": connected"
    await ipc('workspaces:create', { name: 'Pushed' }, { 'x-console-token': s.consoleToken });
    let text = '';
    while (!text.includes('workspaces:changed')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('event: workspaces:changed');
    ctrl.abort();
  });
});
