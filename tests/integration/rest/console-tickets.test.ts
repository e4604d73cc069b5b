import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRestBench, type RestBench } from './rest-harness';

/**
 * Issue 14, item 5: the console token only in its header; links and the event stream open with short-lived,
 * single-purpose tickets (POST /console/tickets) that grant nothing else. Each refusal here was a 200 before.
 */
let b: RestBench;
let dsId: string;
const KEY = 'reports/q1.csv';
const BODY = 'customer,amount\nacme,12\n';

beforeAll(async () => {
  b = await startRestBench();
  const ds = await b.core.datastores.create(b.admin, { workspaceId: b.defaultWs, name: 'Ticketed' });
  dsId = ds.id;
  for (const key of [KEY, 'reports/q2.csv']) await b.core.datastores.putText(b.admin, { workspaceId: b.defaultWs, datastoreId: dsId, key, content: BODY });
});
afterAll(() => b.stop());

const consoleHeaders = () => ({ 'x-console-token': b.consoleToken });
type Grant = { purpose: 'download'; workspaceId: string; datastoreId: string; key: string } | { purpose: 'events' };
const downloadGrant = (key = KEY, datastoreId = dsId): Grant => ({ purpose: 'download', workspaceId: b.defaultWs, datastoreId, key });

async function ticket(grant: Grant, headers: Record<string, string> = consoleHeaders()): Promise<{ ticket: string; expiresAt: string }> {
  const r = await b.call('POST', '/console/tickets', { headers, body: grant });
  expect(r.status, JSON.stringify(r.json)).toBe(200);
  return r.json as unknown as { ticket: string; expiresAt: string };
}

const downloadPath = (t: string, key = KEY, datastoreId = dsId) =>
  `/console/datastores/${datastoreId}/object?${new URLSearchParams({ workspaceId: b.defaultWs, key, download: '1', ticket: t }).toString()}`;

/** Opens the event stream and reads its first chunk (": connected"); the caller aborts it. */
async function openEvents(query: string): Promise<{ status: number; body: string; close(): void }> {
  const ctrl = new AbortController();
  const res = await fetch(`${b.url}/ipc-events?${query}`, { signal: ctrl.signal });
  if (res.status !== 200) return { status: res.status, body: await res.text(), close: () => ctrl.abort() };
  const first = await res.body!.getReader().read();
  return { status: 200, body: new TextDecoder().decode(first.value), close: () => ctrl.abort() };
}

describe('the console token is accepted only in its header', () => {
  it('POST /ipc/secrets:reveal?token=… is a 401 and reveals nothing (it returned the value)', async () => {
    const created = await b.invoke('secrets:create', { workspaceId: b.defaultWs, name: `query-token-${b.nextId()}`, value: 'hunter2-in-the-url' });
    if (!created.ok) throw new Error(created.error.message);
    const accessed = () => b.core.audit.list({ workspaceId: b.defaultWs, action: 'secret.accessed' }, b.admin).items.length;
    const before = accessed();
    const r = await b.call('POST', `/ipc/secrets:reveal?token=${encodeURIComponent(b.consoleToken)}`, { body: { input: { workspaceId: b.defaultWs, id: created.value.id } } });
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', field: 'token' } });
    expect(JSON.stringify(r.json)).not.toContain('hunter2');
    expect(r.json.error?.message ?? (r.json as { error: { message: string } }).error.message).toMatch(/x-console-token header/);
    expect(accessed()).toBe(before);
  });

  it('a token in the URL is refused even beside the right header, so a client that leaks it learns at once', async () => {
    const r = await b.call('POST', `/ipc/workspaces:list?token=${encodeURIComponent(b.consoleToken)}`, { headers: consoleHeaders(), body: {} });
    expect(r.status).toBe(401);
    const header = await b.call('POST', '/ipc/workspaces:list', { headers: consoleHeaders(), body: {} });
    expect(header.status).toBe(200);
  });

  it("a user's JWT in the URL is refused on the bridge too", async () => {
    const viewer = await b.user('viewer');
    const jwt = viewer.headers.authorization!.slice(7);
    const r = await b.call('POST', `/ipc/session:info?user=${jwt}`, { headers: consoleHeaders(), body: {} });
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', field: 'user' } });
  });

  it('a download link with ?token= (the old link) is a 401', async () => {
    const r = await b.call('GET', `/console/datastores/${dsId}/object?workspaceId=${b.defaultWs}&key=${KEY}&download=1&token=${encodeURIComponent(b.consoleToken)}`);
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ error: { code: 'UNAUTHENTICATED', field: 'token' } });
  });

  it("a download link with a user's JWT in ?user= is a 401, even with the console token in its header", async () => {
    const viewer = await b.user('viewer');
    const jwt = viewer.headers.authorization!.slice(7);
    const r = await b.call('GET', `/console/datastores/${dsId}/object?workspaceId=${b.defaultWs}&key=${KEY}&user=${jwt}`, { headers: consoleHeaders() });
    expect(r.status).toBe(401);
    expect(r.json).toMatchObject({ error: { code: 'UNAUTHENTICATED', field: 'user' } });
  });

  it('the event stream with ?token= (the old stream URL) is a 401', async () => {
    const s = await openEvents(`token=${encodeURIComponent(b.consoleToken)}`);
    s.close();
    expect(s.status).toBe(401);
    expect(JSON.parse(s.body)).toMatchObject({ error: { code: 'UNAUTHENTICATED', field: 'token' } });
  });

  it('a download or a stream without a ticket is a 401 that says how to get one', async () => {
    const d = await b.call('GET', `/console/datastores/${dsId}/object?workspaceId=${b.defaultWs}&key=${KEY}`, { headers: consoleHeaders() });
    expect(d.status).toBe(401);
    expect(d.json.error?.message).toMatch(/POST \/console\/tickets/);
    const s = await openEvents('');
    s.close();
    expect(s.status).toBe(401);
  });
});

describe('tickets: one object or one stream, one minute, once', () => {
  it('a download ticket downloads its object once; the second use is a 401', async () => {
    const t = await ticket(downloadGrant());
    expect(t.ticket).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(t.ticket).not.toContain(b.consoleToken);
    expect(Date.parse(t.expiresAt) - b.clock.now().getTime()).toBeLessThanOrEqual(60_000);
    const first = await fetch(`${b.url}${downloadPath(t.ticket)}`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-disposition')).toContain('attachment; filename="q1.csv"');
    expect(await first.text()).toBe(BODY);
    const again = await b.call('GET', downloadPath(t.ticket));
    expect(again.status).toBe(401);
    expect(again.json).toMatchObject({ error: { code: 'UNAUTHENTICATED', field: 'ticket' } });
    expect(again.json.error?.message).toMatch(/already used/);
  });

  it('an expired ticket is a 401 (the core clock moved past its minute)', async () => {
    const t = await ticket(downloadGrant());
    b.clock.advance(60_001);
    const r = await b.call('GET', downloadPath(t.ticket));
    expect(r.status).toBe(401);
    expect(r.json.error?.message).toMatch(/expired/);
    const e = await ticket({ purpose: 'events' });
    b.clock.advance(60_001);
    const s = await openEvents(`ticket=${e.ticket}`);
    s.close();
    expect(s.status).toBe(401);
  });

  it('a ticket for another key, another datastore or another workspace is a 403 and is burnt', async () => {
    const t = await ticket(downloadGrant('reports/q2.csv'));
    const r = await b.call('GET', downloadPath(t.ticket, KEY));
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ error: { code: 'FORBIDDEN', field: 'ticket' } });
    expect(r.json.error?.message).toMatch(/another object/);
    // Shown in the wrong place, it may have leaked: it no longer opens even its own object.
    expect((await b.call('GET', downloadPath(t.ticket, 'reports/q2.csv'))).status).toBe(401);

    const other = await b.core.datastores.create(b.admin, { workspaceId: b.defaultWs, name: `Other ${b.nextId()}` });
    const t2 = await ticket(downloadGrant());
    expect((await b.call('GET', downloadPath(t2.ticket, KEY, other.id))).status).toBe(403);

    const ws = b.core.workspaces.create(`Elsewhere ${b.nextId()}`, b.admin);
    const t3 = await ticket(downloadGrant());
    const q = new URLSearchParams({ workspaceId: ws.id, key: KEY, ticket: t3.ticket }).toString();
    expect((await b.call('GET', `/console/datastores/${dsId}/object?${q}`)).status).toBe(403);
  });

  it('a ticket of the wrong purpose is a 403: an events ticket downloads nothing, a download ticket opens no stream', async () => {
    const e = await ticket({ purpose: 'events' });
    const r = await b.call('GET', downloadPath(e.ticket));
    expect(r.status).toBe(403);
    expect(r.json.error?.message).toMatch(/event stream, not a download/);
    const d = await ticket(downloadGrant());
    const s = await openEvents(`ticket=${d.ticket}`);
    s.close();
    expect(s.status).toBe(403);
    expect(JSON.parse(s.body).error.message).toMatch(/download, not an event stream/);
  });

  it('a ticket is not a console token: it opens nothing on /ipc', async () => {
    const t = await ticket({ purpose: 'events' });
    const r = await b.call('POST', '/ipc/workspaces:list', { headers: { 'x-console-token': t.ticket }, body: {} });
    expect(r.status).toBe(401);
  });

  it('a forged ticket (a real id with another secret, or garbage) is a 401', async () => {
    const t = await ticket(downloadGrant());
    const [id, secret] = t.ticket.split('.') as [string, string];
    const forged = `${id}.${secret.startsWith('A') ? 'B' : 'A'}${secret.slice(1)}`;
    for (const bad of [forged, 'nope', `${id}.`, '.'.repeat(70)]) {
      const r = await b.call('GET', downloadPath(bad));
      expect(r.status, bad).toBe(401);
    }
  });

  it('an events ticket opens one stream that carries push events; the same ticket opens no second one', async () => {
    const t = await ticket({ purpose: 'events' });
    const ctrl = new AbortController();
    const res = await fetch(`${b.url}/ipc-events?ticket=${t.ticket}`, { signal: ctrl.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    await reader.read(); // ": connected"
    const second = await openEvents(`ticket=${t.ticket}`);
    second.close();
    expect(second.status).toBe(401);
    // The open stream lives on past the ticket's minute: the ticket opened it, it does not keep it.
    b.clock.advance(120_000);
    await b.call('POST', '/ipc/workspaces:create', { headers: consoleHeaders(), body: { input: { name: `Pushed ${b.nextId()}` } } });
    let text = '';
    while (!text.includes('workspaces:changed')) text += new TextDecoder().decode((await reader.read()).value);
    expect(text).toContain('event: workspaces:changed');
    ctrl.abort();
  });
});

describe('who a ticket acts as', () => {
  const asUser = (jwt: string) => ({ ...consoleHeaders(), 'x-user-token': jwt });

  it("a ticket minted by a signed-in user acts as that user at use: a user who lost the role gets 403", async () => {
    const viewer = await b.user('viewer');
    const jwt = viewer.headers.authorization!.slice(7);
    const ok = await ticket(downloadGrant(), asUser(jwt));
    expect((await b.call('GET', downloadPath(ok.ticket))).status).toBe(200);

    const t = await ticket(downloadGrant(), asUser(jwt));
    // The admin removes the viewer from the workspace before the link is opened.
    b.core.users.remove({ workspaceId: b.defaultWs, id: viewer.id }, b.admin);
    const r = await b.call('GET', downloadPath(t.ticket));
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ error: { code: 'FORBIDDEN' } });
  });

  it('a user without access to the workspace gets no download ticket for it', async () => {
    const ws = b.core.workspaces.create(`Not theirs ${b.nextId()}`, b.admin);
    const outsider = await b.user('admin', ws.id);
    const r = await b.call('POST', '/console/tickets', { headers: asUser(outsider.headers.authorization!.slice(7)), body: downloadGrant() });
    expect(r.status).toBe(403);
  });

  it('minting needs the console token in its header; a user JWT alone, an API key or a token in the URL get 401', async () => {
    const viewer = await b.user('viewer');
    const jwt = viewer.headers.authorization!.slice(7);
    const attempts: Array<[string, Record<string, string>]> = [
      ['/console/tickets', {}],
      ['/console/tickets', { 'x-user-token': jwt }],
      ['/console/tickets', b.owner()],
      ['/console/tickets', { authorization: `Bearer ${jwt}` }],
      [`/console/tickets?token=${encodeURIComponent(b.consoleToken)}`, {}],
      ['/console/tickets', { 'x-console-token': 'wrong' }],
    ];
    for (const [path, headers] of attempts) {
      const r = await b.call('POST', path, { headers, body: { purpose: 'events' } });
      expect(r.status, `${path} ${Object.keys(headers).join(',')}`).toBe(401);
      expect(r.json).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    }
  });

  it('the ticket request is read strictly: an unknown purpose or field is a 400 naming it', async () => {
    const unknownField = await b.call('POST', '/console/tickets', { headers: consoleHeaders(), body: { purpose: 'events', forever: true } });
    expect(unknownField.status).toBe(400);
    expect(unknownField.json).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'forever' } });
    const purpose = await b.call('POST', '/console/tickets', { headers: consoleHeaders(), body: { purpose: 'ipc' } });
    expect(purpose.status).toBe(400);
    expect(purpose.json).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'purpose' } });
    const noKey = await b.call('POST', '/console/tickets', { headers: consoleHeaders(), body: { purpose: 'download', workspaceId: b.defaultWs, datastoreId: dsId } });
    expect(noKey.status).toBe(400);
    expect(noKey.json).toMatchObject({ error: { code: 'INVALID_INPUT', field: 'key' } });
  });
});
