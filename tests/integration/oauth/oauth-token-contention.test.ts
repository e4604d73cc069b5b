import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SYSTEM_ACTOR } from '@core/index';
import type { Logger } from '@core/ports';
import { createOAuthTokenService, nextRefreshAt, refreshTokenAad, type RefreshPolicy } from '@core/oauth/oauth-token-service';
import { createOAuthTokenStore, type OAuthTokenStore } from '@core/oauth/oauth-token-store';
import { makeReadyCore } from '../../helpers/test-core';
import { BENCH_POLICY, coreTokenDeps } from './token-service-bench.fixture';

/**
 * The token service where several refreshes meet: two token services on one database (what two app processes on one
 * data dir are to each other: separate lease owners and caches, one `oauth_tokens` table), a store whose lease
 * writes meet another process's write lock, the rotation tick's in-flight cap with refreshes held at the provider,
 * `settle`, a sibling that keeps rotating the token, a holder this user may not signal, and the answers that never
 * reach the provider. The token endpoint is a stub that holds each request until the test answers it (or answers at
 * once through `respond`), so "in flight" is a state the test controls, not a race. Complements
 * oauth-token-edges.test.ts (one service, one answer at a time).
 */
const MIN = 60_000;
const START = Date.parse('2026-04-01T08:00:00.000Z');
const WALL = 1_000_000;

type Answer = { status: number; body?: string; headers?: Record<string, string> };
type Request = { refreshToken: string | null; answer: (a: Answer) => void };

const ok = (access: string, refresh?: string, expiresIn = 3600): Answer => ({
  status: 200,
  body: JSON.stringify({ access_token: access, token_type: 'Bearer', expires_in: expiresIn, ...(refresh ? { refresh_token: refresh } : {}) }),
});
const invalidGrant: Answer = { status: 400, body: '{"error":"invalid_grant"}' };

/** A token endpoint that holds every request until it is answered, unless `respond` answers it on arrival. */
async function heldTokenEndpoint() {
  const requests: Request[] = [];
  const waiting: Array<{ n: number; resolve: (r: Request) => void }> = [];
  const state: { respond?: (r: Request, n: number) => Answer | undefined } = {};
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const r: Request = {
        refreshToken: new URLSearchParams(body).get('refresh_token'),
        answer: (a) => void res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body ?? ''),
      };
      requests.push(r);
      const auto = state.respond?.(r, requests.length);
      if (auto) r.answer(auto);
      for (const w of waiting.filter((x) => requests.length >= x.n)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(requests[w.n - 1]!);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    state,
    /** The n-th request (1-based), once it has arrived. */
    arrived: (n: number) => (requests.length >= n ? Promise.resolve(requests[n - 1]!) : new Promise<Request>((resolve) => waiting.push({ n, resolve }))),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const teardowns: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const t of teardowns.splice(0).reverse()) await t();
});

type ServiceOptions = { store?: OAuthTokenStore; policy?: Partial<RefreshPolicy>; sleep?: (ms: number) => Promise<void>; baseUrl?: string };

async function bench() {
  let now = START;
  let wall = WALL;
  const clock = { now: () => new Date(now) };
  const t = await makeReadyCore({ clock });
  const stub = await heldTokenEndpoint();
  const ws = t.core.workspaces.defaultWorkspace().id;
  const logs: Array<{ level: string; message: string; fields?: unknown }> = [];
  const logger: Logger = { log: (level, message, fields) => void logs.push({ level, message, fields }) };
  const services: Array<{ internal: { settle(): Promise<void> } }> = [];
  // The stub first (a request still held then fails as offline), then every service settles, then the core closes.
  teardowns.push(async () => {
    await stub.close();
    for (const s of services) await s.internal.settle();
    t.close();
  });

  /** A token service on the bench's database: one per simulated process (its own lease owner and token cache). */
  function service(o: ServiceOptions = {}) {
    const sleeps: number[] = [];
    const tokens = createOAuthTokenService({
      ...coreTokenDeps(t, { baseUrl: o.baseUrl ?? stub.url }),
      store: o.store ?? createOAuthTokenStore(t.core.db),
      clock,
      logger,
      policy: { ...BENCH_POLICY, ...o.policy },
      random: () => 0.5,
      wallNow: () => wall,
      sleep:
        o.sleep ??
        (async (ms) => {
          sleeps.push(ms);
          wall += ms;
        }),
    });
    services.push(tokens);
    return { tokens, sleeps };
  }

  const main = service();
  const create = (name: string) =>
    t.core.connections.create({ workspaceId: ws, name, provider: 'okta', authType: 'oauth2', settings: { orgUrl: 'https://example.okta.com' } }, t.admin).id;
  /** An authorized connection (the consent flow's hand-over), its 1 h token due at 42.5 min. */
  const authorized = (name: string, refresh = `${name}-rt-0`) => {
    const id = create(name);
    main.tokens.internal.storeAuthorization(id, ws, 'okta', { accessToken: `${name}-at-0`, refreshToken: refresh, expiresIn: 3600 });
    t.core.connections.internal.markHealthy(ws, id, 'authorized', SYSTEM_ACTOR);
    return id;
  };
  const row = (id: string) => t.core.db.prepare('SELECT * FROM oauth_tokens WHERE connection_id = ?').get(id) as Record<string, unknown>;
  const audits = (action: string) =>
    t.core.db.prepare('SELECT target_type, target_id, outcome, details FROM audit_events WHERE action = ? ORDER BY seq').all(action) as Array<Record<string, unknown>>;
  return {
    ...t,
    ws,
    stub,
    logs,
    service,
    main,
    authorized,
    row,
    audits,
    advance: (ms: number) => (now += ms),
    now: () => now,
    wall: () => wall,
    setWall: (ms: number) => (wall = ms),
  };
}

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => Promise.reject(new Error('expected an error')),
    (e: unknown) => e as { code: string; message: string },
  );
const busyError = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });

describe('two token services on one database', () => {
  it('one refreshes holding the lease for leaseMs of wall time; the other waits, then refreshes with the rotated token', async () => {
    const b = await bench();
    const id = b.authorized('Okta', 'rt-0');
    b.advance(2 * 3600_000);
    // The second service polls from a later turn of the event loop each time, without moving the wall clock.
    let polled!: () => void;
    const firstPoll = new Promise<void>((r) => (polled = r));
    const other = b.service({ sleep: () => (polled(), new Promise<void>((r) => setImmediate(r))) });

    const first = b.main.tokens.internal.getAccessToken(id);
    const held = await b.stub.arrived(1);
    const owner = b.row(id).lease_owner as string;
    // The owner names this process (pid) and this service (8 base-36 characters).
    expect(owner).toMatch(new RegExp(`^${process.pid}:[0-9a-z]{8}$`));
    expect(b.row(id).lease_expires_at).toBe(WALL + 30_000);

    const second = other.tokens.internal.getAccessToken(id);
    await Promise.race([firstPoll, b.stub.arrived(2)]);
    // The holder is alive (this very process) and its lease has not expired: the other service does not call.
    expect(b.stub.requests).toHaveLength(1);
    expect(b.row(id).lease_owner).toBe(owner);

    held.answer(ok('at-1', 'rt-1'));
    expect(await first).toBe('at-1');
    const next = await b.stub.arrived(2);
    expect(next.refreshToken).toBe('rt-1');
    const otherOwner = b.row(id).lease_owner as string;
    expect(otherOwner).toMatch(new RegExp(`^${process.pid}:[0-9a-z]{8}$`));
    expect(otherOwner).not.toBe(owner);
    next.answer(ok('at-2'));
    expect(await second).toBe('at-2');
    expect(b.row(id)).toMatchObject({ generation: 2, refresh_state: 'ok', lease_owner: null, refreshes_ok: 2 });
    expect(b.audits('connection.refresh_failed')).toEqual([]);
  });

  it('a holder whose pid this user may not signal (EPERM) is alive: waited for until the deadline, not taken over', async () => {
    const b = await bench();
    const id = b.authorized('Okta');
    b.advance(2 * 3600_000);
    const pid = 2147483645;
    const realKill = process.kill.bind(process);
    const kill = vi.spyOn(process, 'kill').mockImplementation(((p: number, signal?: string | number) => {
      if (p === pid) throw Object.assign(new Error(`kill EPERM`), { code: 'EPERM' });
      return realKill(p, signal);
    }) as typeof process.kill);
    b.core.db.prepare('UPDATE oauth_tokens SET lease_owner = ?, lease_expires_at = ? WHERE connection_id = ?').run(`${pid}:other`, WALL + 3600_000, id);
    expect(await errorOf(b.main.tokens.internal.getAccessToken(id))).toMatchObject({ code: 'UNAVAILABLE' });
    expect(kill).toHaveBeenCalledWith(pid, 0);
    expect(b.stub.requests).toEqual([]);
    // The same pid without the EPERM (no such process: ESRCH) is dead and taken over at once.
    kill.mockRestore();
    b.main.sleeps.length = 0;
    b.stub.state.respond = () => ok('taken-over');
    expect(await b.main.tokens.internal.getAccessToken(id)).toBe('taken-over');
    expect(b.main.sleeps).toEqual([]);
  });

  it('a holder in another live process (signal 0 answers) is waited for until the deadline', async () => {
    const b = await bench();
    const id = b.authorized('Okta');
    b.advance(2 * 3600_000);
    const kill = vi.spyOn(process, 'kill');
    b.core.db.prepare('UPDATE oauth_tokens SET lease_owner = ?, lease_expires_at = ? WHERE connection_id = ?').run(`${process.ppid}:parent`, WALL + 3600_000, id);
    expect(await errorOf(b.main.tokens.internal.getAccessToken(id))).toMatchObject({ code: 'UNAVAILABLE' });
    expect(kill).toHaveBeenCalledWith(process.ppid, 0);
    expect(b.stub.requests).toEqual([]);
  });

  it('a lease the holder releases right after the deadline was reached is still taken (the wait ends past it)', async () => {
    const b = await bench();
    const id = b.authorized('Okta');
    b.advance(2 * 3600_000);
    // Deadline: 2 × lease + 5 s = 7 220 ms = 190 waits of 38 ms, so one wait lands exactly on it.
    const deadline = WALL + 2 * 1_110 + 5_000;
    const s = b.service({
      policy: { leaseMs: 1_110 },
      sleep: async (ms) => {
        b.setWall(b.wall() + ms);
        if (b.wall() > deadline) b.core.db.prepare('UPDATE oauth_tokens SET lease_owner = NULL, lease_expires_at = NULL WHERE connection_id = ?').run(id);
      },
    });
    b.core.db.prepare('UPDATE oauth_tokens SET lease_owner = ?, lease_expires_at = ? WHERE connection_id = ?').run(`${process.pid}:sibling`, WALL + 3600_000, id);
    b.stub.state.respond = () => ok('just-in-time');
    expect(await s.tokens.internal.getAccessToken(id)).toBe('just-in-time');
    expect(b.wall()).toBe(deadline + 38);
  });

  it('a connection deleted while waiting for another holder\'s lease: not found', async () => {
    const b = await bench();
    const id = b.authorized('Okta');
    b.advance(2 * 3600_000);
    const s = b.service({ sleep: async () => void b.core.connections.remove(b.ws, id, false, b.admin) });
    b.core.db.prepare('UPDATE oauth_tokens SET lease_owner = ?, lease_expires_at = ? WHERE connection_id = ?').run(`${process.pid}:sibling`, WALL + 3600_000, id);
    expect(await errorOf(s.tokens.internal.getAccessToken(id))).toMatchObject({ code: 'NOT_FOUND', message: 'connection not found' });
    expect(b.stub.requests).toEqual([]);
  });
});

describe('a busy database (another process holds the write lock)', () => {
  /** The real store, whose lease writes fail with the errors queued in `leaseFaults` / `releaseFaults` first. */
  function faultyStore(db: Parameters<typeof createOAuthTokenStore>[0]) {
    const store = createOAuthTokenStore(db);
    const faults = { lease: [] as Error[], release: [] as Error[], releaseAlways: null as (() => Error) | null, releases: 0 };
    const port: OAuthTokenStore = {
      ...store,
      tryLease: (l) => {
        const f = faults.lease.shift();
        if (f) throw f;
        return store.tryLease(l);
      },
      releaseLease: (connectionId, owner) => {
        faults.releases++;
        const f = faults.release.shift() ?? faults.releaseAlways?.();
        if (f) throw f;
        store.releaseLease(connectionId, owner);
      },
    };
    return { port, faults };
  }

  it('a busy lease write is a lease not taken yet: waited out, then the refresh goes on', async () => {
    const b = await bench();
    const { port, faults } = faultyStore(b.core.db);
    const s = b.service({ store: port });
    const id = b.authorized('Okta');
    b.advance(2 * 3600_000);
    faults.lease.push(busyError(), busyError());
    b.stub.state.respond = () => ok('after-busy');
    expect(await s.tokens.internal.getAccessToken(id)).toBe('after-busy');
    expect(s.sleeps).toEqual([38, 38]);
    expect(b.stub.requests).toHaveLength(1);
  });

  it('any other lease failure is the caller\'s error at once', async () => {
    const b = await bench();
    const { port, faults } = faultyStore(b.core.db);
    const s = b.service({ store: port });
    const id = b.authorized('Okta');
    b.advance(2 * 3600_000);
    faults.lease.push(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }));
    expect(await errorOf(s.tokens.internal.getAccessToken(id))).toMatchObject({ code: 'SQLITE_IOERR' });
    expect(s.sleeps).toEqual([]);
    expect(b.stub.requests).toEqual([]);
    // Scheduled, the same failure is logged without its details: it is not one of ours.
    faults.lease.push(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }));
    await s.tokens.internal.tick(new Date(b.now()));
    await s.tokens.internal.settle();
    expect(b.logs).toContainEqual({ level: 'info', message: 'scheduled refresh did not complete', fields: { reason: 'unknown' } });
  });

  it('a release that stays busy past the deadline does not replace the refresh\'s own result; the lease is left to lapse', async () => {
    const b = await bench();
    const { port, faults } = faultyStore(b.core.db);
    // A short lease: the busy retries give up after leaseMs of real time.
    const s = b.service({ store: port, policy: { leaseMs: 20 } });
    const id = b.authorized('Okta');
    b.advance(2 * 3600_000);
    faults.releaseAlways = busyError;
    // A row without a refresh token fails while the lease is held (nothing else releases it).
    b.core.db.prepare('UPDATE oauth_tokens SET refresh_sealed = NULL WHERE connection_id = ?').run(id);
    expect(await errorOf(s.tokens.internal.reportRejected(id))).toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringMatching(/^not authorized yet/) });
    expect(faults.releases).toBeGreaterThan(1);
    expect(b.logs).toContainEqual({ level: 'debug', message: 'oauth: database busy, waiting to write', fields: { attempt: 0 } });
    expect(b.row(id)).toMatchObject({ lease_owner: expect.stringMatching(new RegExp(`^${process.pid}:`)), lease_expires_at: expect.any(Number) });
    // A successful refresh keeps its token too (its commit released the lease already).
    faults.releaseAlways = null;
    b.core.db.prepare('UPDATE oauth_tokens SET refresh_sealed = ? WHERE connection_id = ?').run(b.core.vault.seal(Buffer.from('rt-again'), refreshTokenAad(id)), id);
    faults.release.push(busyError(), busyError());
    b.stub.state.respond = () => ok('kept');
    expect(await s.tokens.internal.reportRejected(id)).toBe('kept');
    expect(b.row(id).lease_owner).toBeNull();
  });

  it('a release that fails for another reason is not swallowed', async () => {
    const b = await bench();
    const { port, faults } = faultyStore(b.core.db);
    const s = b.service({ store: port });
    const id = b.authorized('Okta');
    b.advance(2 * 3600_000);
    faults.release.push(Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' }));
    b.stub.state.respond = () => ok('refreshed');
    expect(await errorOf(s.tokens.internal.getAccessToken(id))).toMatchObject({ code: 'SQLITE_IOERR' });
  });
});

describe('the rotation tick', () => {
  it('starts at most maxInFlight refreshes, counting only its own, and none while the cap is full', async () => {
    const b = await bench();
    const s = b.service({ policy: { maxInFlight: 2 } });
    const manual = b.authorized('M');
    const due = ['D1', 'D2', 'D3', 'D4'].map((n) => b.authorized(n));
    b.advance(50 * MIN);
    // A refresh a run started is in flight (holding its lease): it does not count against the tick's cap.
    const running = s.tokens.internal.reportRejected(manual);
    const m = await b.stub.arrived(1);
    await s.tokens.internal.tick(new Date(b.now()));
    expect(s.tokens.internal.stats()).toMatchObject({ scheduledInFlight: 2, peakInFlight: 2 });
    const [r2, r3] = await Promise.all([b.stub.arrived(2), b.stub.arrived(3)]);
    // Full: a tick now starts nothing.
    await s.tokens.internal.tick(new Date(b.now()));
    expect(s.tokens.internal.stats()).toMatchObject({ scheduledInFlight: 2, peakInFlight: 2 });
    expect(b.stub.requests).toHaveLength(3);
    expect([r2!.refreshToken, r3!.refreshToken]).toEqual(['D1-rt-0', 'D2-rt-0']);
    for (const r of [m, r2!, r3!]) r.answer(ok('fresh'));
    expect(await running).toBe('fresh');
    await s.tokens.internal.settle();
    expect(s.tokens.internal.stats()).toMatchObject({ scheduledInFlight: 0, inflight: 0 });
    // The rest on the next tick.
    b.stub.state.respond = () => ok('later');
    await s.tokens.internal.tick(new Date(b.now()));
    await s.tokens.internal.settle();
    expect(b.stub.requests.map((r) => r.refreshToken)).toEqual(['M-rt-0', 'D1-rt-0', 'D2-rt-0', 'D3-rt-0', 'D4-rt-0']);
    expect(due.map((id) => b.row(id).refreshes_ok)).toEqual([1, 1, 1, 1]);
    expect(s.tokens.internal.stats()).toMatchObject({ scheduledInFlight: 0, peakInFlight: 2 });
  });

  it('a second tick before the first one\'s refreshes start picks none of them again, and still fills its free slots', async () => {
    const b = await bench();
    const s = b.service({ policy: { maxInFlight: 4 } });
    b.authorized('D1');
    b.authorized('D2');
    b.advance(10 * MIN);
    b.authorized('D3');
    b.authorized('D4');
    b.advance(40 * MIN); // D1 and D2 are due (at 42.5 min), D3 and D4 at 52.5 min
    b.stub.state.respond = () => ok('once');
    // In one turn: the first tick's picks have no lease yet, so the database offers them again.
    await s.tokens.internal.tick(new Date(b.now()));
    await s.tokens.internal.tick(new Date(b.now()));
    expect(s.tokens.internal.stats()).toMatchObject({ scheduledInFlight: 2, peakInFlight: 2 });
    // Ten minutes on, all four are due: the two picked still count, the two others fill the free slots.
    b.advance(10 * MIN);
    await s.tokens.internal.tick(new Date(b.now()));
    expect(s.tokens.internal.stats()).toMatchObject({ scheduledInFlight: 4, peakInFlight: 4 });
    await s.tokens.internal.settle();
    expect(b.stub.requests.map((r) => r.refreshToken).sort()).toEqual(['D1-rt-0', 'D2-rt-0', 'D3-rt-0', 'D4-rt-0']);
    expect(s.tokens.internal.stats()).toMatchObject({ scheduledInFlight: 0, peakInFlight: 4 });
  });

  it('a refresh already in flight whose lease has lapsed is not started again', async () => {
    const b = await bench();
    const s = b.service({ policy: { maxInFlight: 4 } });
    const id = b.authorized('Slow');
    b.advance(50 * MIN);
    const running = s.tokens.internal.getAccessToken(id);
    const held = await b.stub.arrived(1);
    // The provider is slow: the lease's wall time has passed, so the database offers the row as due again.
    b.setWall(WALL + 31_000);
    await s.tokens.internal.tick(new Date(b.now()));
    expect(s.tokens.internal.stats()).toMatchObject({ scheduledInFlight: 0, peakInFlight: 0, inflight: 1 });
    held.answer(ok('slow'));
    expect(await running).toBe('slow');
    expect(b.stub.requests).toHaveLength(1);
  });
});

describe('settle', () => {
  it('waits for a refresh a caller started, not only the scheduled ones', async () => {
    const b = await bench();
    const id = b.authorized('Okta');
    b.stub.state.respond = () => ok('settled');
    void b.main.tokens.internal.reportRejected(id);
    expect(b.main.tokens.internal.stats().inflight).toBe(1);
    await b.main.tokens.internal.settle();
    expect(b.main.tokens.internal.stats()).toMatchObject({ inflight: 0, scheduledInFlight: 0 });
    expect(b.row(id).refreshes_ok).toBe(1);
  });

  it('after a tick: returns once every scheduled refresh has finished and been counted', async () => {
    const b = await bench();
    const ids = ['A', 'B', 'C'].map((n) => b.authorized(n));
    b.advance(50 * MIN);
    b.stub.state.respond = () => ({ status: 400, body: '{"error":"invalid_scope"}' });
    await b.main.tokens.internal.tick(new Date(b.now()));
    await b.main.tokens.internal.settle();
    expect(b.main.tokens.internal.stats()).toMatchObject({ scheduledInFlight: 0, inflight: 0, peakInFlight: 3 });
    expect(ids.map((id) => b.row(id).refresh_state)).toEqual(['error', 'error', 'error']);
    expect(b.logs.filter((l) => l.message === 'scheduled refresh did not complete')).toHaveLength(3);
  });
});

describe('a sibling that keeps rotating the token', () => {
  it('is retried with each new token up to six rounds, then answered UNAVAILABLE with words, and never recorded as a failure', async () => {
    const b = await bench();
    const id = b.authorized('Okta', 'rt-0');
    b.advance(2 * 3600_000);
    const sibling = createOAuthTokenStore(b.core.db);
    // Each request meets a sibling's rotation (so its token is answered invalid_grant); from the 10th on it works.
    b.stub.state.respond = (_r, n) => {
      if (n >= 10) return ok('finally');
      const g = sibling.get(id)!.generation;
      sibling.recordRefreshed({
        connectionId: id,
        refreshSealed: b.core.vault.seal(Buffer.from(`rt-${n}`), refreshTokenAad(id)),
        generation: g + 1,
        tokenExpiresAt: b.now() + 3600_000,
        lifetimeS: 3600,
        nextRefreshAt: b.now() + 1800_000,
        now: b.now(),
      });
      return invalidGrant;
    };
    await expect(b.main.tokens.internal.getAccessToken(id)).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringMatching(/keeps rotating .*try again/),
    });
    expect(b.stub.requests.map((r) => r.refreshToken)).toEqual(['rt-0', 'rt-1', 'rt-2', 'rt-3', 'rt-4', 'rt-5']);
    expect(b.row(id)).toMatchObject({ refresh_state: 'ok', lease_owner: null, generation: 7 });
    expect(b.audits('connection.refresh_failed')).toEqual([]);
    expect(b.core.connections.internal.get(b.ws, id).status).toBe('active');
  });
});

describe('a rejection other than invalid_grant while a sibling rotated', () => {
  it('is a failure: only a rejected refresh token is worth another try with the sibling\'s', async () => {
    const b = await bench();
    const id = b.authorized('Okta', 'rt-0');
    b.advance(2 * 3600_000);
    const sibling = createOAuthTokenStore(b.core.db);
    b.stub.state.respond = (_r, n) => {
      if (n === 1) {
        sibling.recordRefreshed({
          connectionId: id,
          refreshSealed: b.core.vault.seal(Buffer.from('rt-sibling'), refreshTokenAad(id)),
          generation: 2,
          tokenExpiresAt: b.now() + 3600_000,
          lifetimeS: 3600,
          nextRefreshAt: b.now() + 1800_000,
          now: b.now(),
        });
      }
      return { status: 401, body: '{"error":"invalid_client"}' };
    };
    expect(await errorOf(b.main.tokens.internal.getAccessToken(id))).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.stringMatching(/client id or secret/) });
    expect(b.stub.requests).toHaveLength(1);
    expect(b.row(id)).toMatchObject({ refresh_state: 'error', last_error_code: 'invalid_client' });
  });
});

describe('answers that never reach the provider', () => {
  it('a token endpoint oauth4webapi refuses to call (plain http off loopback): client_error, no request', async () => {
    const b = await bench();
    const s = b.service({ baseUrl: 'http://tokens.example.test' });
    const id = b.authorized('Okta');
    b.advance(2 * 3600_000);
    const message = 'the token refresh failed (client_error): re-authorize the connection';
    expect(await errorOf(s.tokens.internal.getAccessToken(id))).toMatchObject({ code: 'UNAUTHENTICATED', message: `authentication failed: ${message}` });
    expect(b.row(id)).toMatchObject({ refresh_state: 'error', last_error_code: 'client_error', last_error_message: message });
    expect(s.sleeps).toEqual([]);
    expect(b.stub.requests).toEqual([]);
  });

  it('a policy of no attempts reaches nobody: offline, retried later', async () => {
    const b = await bench();
    const s = b.service({ policy: { attempts: 0 } });
    const id = b.authorized('Okta');
    b.advance(2 * 3600_000);
    expect(await errorOf(s.tokens.internal.getAccessToken(id))).toMatchObject({ code: 'UNAVAILABLE' });
    expect(b.row(id)).toMatchObject({ refresh_state: 'offline', last_error_code: 'offline', next_refresh_at: b.now() + 5_000 });
    expect(b.stub.requests).toEqual([]);
  });
});

describe('what a failure records', () => {
  it('both audit rows target the connection', async () => {
    const b = await bench();
    const id = b.authorized('Okta');
    b.advance(2 * 3600_000);
    b.stub.state.respond = () => invalidGrant;
    await errorOf(b.main.tokens.internal.getAccessToken(id));
    expect(b.audits('connection.refresh_failed')).toEqual([{ target_type: 'connection', target_id: id, outcome: 'failure', details: expect.any(String) }]);
    expect(b.audits('connection.updated').at(-1)).toMatchObject({ target_type: 'connection', target_id: id });
  });

  it('the token row\'s own error state refuses a use even with a fresh cached token and a connection not in error', async () => {
    const b = await bench();
    const id = b.authorized('Okta');
    expect(await b.main.tokens.internal.getAccessToken(id)).toBe('Okta-at-0');
    // As another process's failed refresh leaves the token row, before this one sees the connection change.
    b.core.db.prepare("UPDATE oauth_tokens SET refresh_state = 'error', last_error_message = 'revoked elsewhere' WHERE connection_id = ?").run(id);
    expect(b.core.connections.internal.get(b.ws, id).status).toBe('active');
    expect(await errorOf(b.main.tokens.internal.getAccessToken(id))).toMatchObject({ code: 'UNAUTHENTICATED', message: 'authentication failed: revoked elsewhere' });
    expect(b.stub.requests).toEqual([]);
  });
});

describe('nextRefreshAt without an expiry', () => {
  it('a lifetime alone schedules nothing by time (only the keep-alive of providers that need one)', () => {
    const now = 1_000_000;
    expect(nextRefreshAt('github', now, null, 60 * MIN, () => 0)).toBeNull();
    expect(nextRefreshAt('okta', now, null, 60 * MIN, () => 0)).toBe(now + 24 * 60 * MIN);
  });
});
