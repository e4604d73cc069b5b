import { describe, expect, it } from 'vitest';
import { createHttpBridge, STREAM_RETRY_MS, type EventStream } from '../../../renderer/src/api/bridge';
import { createHttpUploader } from '../../../renderer/src/api/uploader';

const WS = '11111111-1111-4111-8111-111111111111';
const DS = '22222222-2222-4222-8222-222222222222';
const TOKEN = 'console-token-that-must-stay-in-headers';

/** A fake console server: hands out numbered tickets and records every request's URL and headers. */
function fakeServer(opts: { ticketStatus?: () => number } = {}) {
  const requests: Array<{ url: string; headers: Record<string, string>; body: unknown }> = [];
  let n = 0;
  const fetchImpl = (async (url: string, init: { headers: Record<string, string>; body: string }) => {
    const body: unknown = JSON.parse(init.body);
    requests.push({ url, headers: init.headers, body });
    const json = (status: number, b: unknown) => ({ status, json: async () => b }) as Response;
    if (url.endsWith('/console/tickets')) {
      const status = opts.ticketStatus?.() ?? 200;
      if (status !== 200) return json(status, { error: { code: status === 401 ? 'UNAUTHENTICATED' : 'FORBIDDEN', message: 'no ticket' } });
      n += 1;
      return json(200, { ticket: `ticket-${n}`, expiresAt: new Date().toISOString() });
    }
    return json(200, { ok: true, value: [] });
  }) as unknown as typeof fetch;
  return { requests, fetchImpl };
}

/** Event streams the bridge opens, driven by the test. */
function fakeStreams() {
  const opened: Array<EventStream & { url: string; closed: boolean; emit(type: string, data: unknown): void; fail(): void }> = [];
  const openStream = (url: string) => {
    const handlers = new Map<string, (m: MessageEvent<string>) => void>();
    const s = {
      url,
      closed: false,
      onopen: null as ((e: Event) => void) | null,
      onerror: null as ((e: Event) => void) | null,
      addEventListener: (type: string, l: (m: MessageEvent<string>) => void) => void handlers.set(type, l),
      close() {
        s.closed = true;
      },
      emit: (type: string, data: unknown) => handlers.get(type)?.({ data: JSON.stringify(data) } as MessageEvent<string>),
      fail: () => s.onerror?.({} as Event),
    };
    opened.push(s);
    return s;
  };
  return { opened, openStream };
}

/** Resolves when `check` holds, re-checking after each pending promise settles (no timers). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await Promise.resolve();
  expect(check()).toBe(true);
}

describe('the console bridge keeps its tokens out of URLs', () => {
  it('opens the event stream with an events ticket asked for over the headers', async () => {
    const srv = fakeServer();
    const streams = fakeStreams();
    const api = createHttpBridge('http://127.0.0.1:9', TOKEN, srv.fetchImpl, undefined, { openStream: streams.openStream, schedule: () => {} });
    const got: unknown[] = [];
    api.on('workspaces:changed', (p) => got.push(p));
    api.on('secrets:changed', () => {});
    await until(() => streams.opened.length === 1);
    expect(srv.requests).toEqual([{ url: 'http://127.0.0.1:9/console/tickets', headers: expect.objectContaining({ 'x-console-token': TOKEN }), body: { purpose: 'events' } }]);
    expect(streams.opened[0]!.url).toBe('http://127.0.0.1:9/ipc-events?ticket=ticket-1');
    streams.opened[0]!.emit('workspaces:changed', { workspaceId: WS });
    expect(got).toEqual([{ workspaceId: WS }]);
  });

  it('when the stream drops, closes it and opens a new one with a new ticket, waiting longer after each failure', async () => {
    const srv = fakeServer();
    const streams = fakeStreams();
    const waits: number[] = [];
    const later: Array<() => void> = [];
    const schedule = (fn: () => void, ms: number) => {
      waits.push(ms);
      later.push(fn);
    };
    const api = createHttpBridge('http://x', TOKEN, srv.fetchImpl, undefined, { openStream: streams.openStream, schedule });
    api.on('vault:changed', () => {});
    await until(() => streams.opened.length === 1);
    streams.opened[0]!.fail();
    // EventSource would retry the same URL, whose ticket is spent: the bridge closes it and asks for another.
    expect(streams.opened[0]!.closed).toBe(true);
    later.shift()!();
    await until(() => streams.opened.length === 2);
    expect(streams.opened[1]!.url).toBe('http://x/ipc-events?ticket=ticket-2');
    streams.opened[1]!.fail();
    later.shift()!();
    await until(() => streams.opened.length === 3);
    expect(waits).toEqual([STREAM_RETRY_MS.first, STREAM_RETRY_MS.first * 2]);
    // Once a stream is open again the wait starts over.
    streams.opened[2]!.onopen?.({} as Event);
    streams.opened[2]!.fail();
    expect(waits.at(-1)).toBe(STREAM_RETRY_MS.first);
  });

  it('keeps asking for a ticket (no stream meanwhile) while the server refuses one', async () => {
    let status = 503;
    const srv = fakeServer({ ticketStatus: () => status });
    const streams = fakeStreams();
    const later: Array<() => void> = [];
    const api = createHttpBridge('http://x', TOKEN, srv.fetchImpl, undefined, { openStream: streams.openStream, schedule: (fn) => later.push(fn) });
    api.on('vault:changed', () => {});
    await until(() => later.length === 1);
    expect(streams.opened).toHaveLength(0);
    status = 200;
    later.shift()!();
    await until(() => streams.opened.length === 1);
  });

  it('a download link carries only a ticket for that object; the ticket is asked for as the signed-in user', async () => {
    const srv = fakeServer();
    const api = createHttpBridge('http://x', TOKEN, srv.fetchImpl, undefined, { openStream: fakeStreams().openStream });
    api.setUserToken!('jwt-of-vera');
    const uploader = createHttpUploader('http://x', TOKEN, () => 'jwt-of-vera', (g) => api.ticket!(g));
    const r = await uploader.downloadUrl!(WS, DS, 'reports/q1 & q2.csv');
    expect(r).toEqual({ ok: true, value: `http://x/console/datastores/${DS}/object?workspaceId=${WS}&key=reports%2Fq1+%26+q2.csv&download=1&ticket=ticket-1` });
    expect(srv.requests.at(-1)).toMatchObject({
      headers: { 'x-console-token': TOKEN, 'x-user-token': 'jwt-of-vera' },
      body: { purpose: 'download', workspaceId: WS, datastoreId: DS, key: 'reports/q1 & q2.csv' },
    });
    for (const { url } of srv.requests) {
      expect(url).not.toContain(TOKEN);
      expect(url).not.toContain('jwt-of-vera');
    }
    expect(r.ok && r.value).not.toContain(TOKEN);
  });

  it('a refused ticket is the error the download shows; a 401 while signed in ends the sign-in', async () => {
    let status = 403;
    const srv = fakeServer({ ticketStatus: () => status });
    const storage = new Map<string, string>();
    const api = createHttpBridge('http://x', TOKEN, srv.fetchImpl, {
      getItem: (k) => storage.get(k) ?? null,
      setItem: (k, v) => void storage.set(k, v),
      removeItem: (k) => void storage.delete(k),
    });
    expect(await api.ticket!({ purpose: 'events' })).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'no ticket' } });
    api.setUserToken!('jwt');
    status = 401;
    expect(await api.ticket!({ purpose: 'events' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED', message: 'your sign-in has ended; sign in again' } });
    expect(storage.get('provenance.userToken')).toBeUndefined();
  });
});
