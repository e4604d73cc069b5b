import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '@core/index';
import type { Logger } from '@core/ports';
import { createOAuthTokenService, nextRefreshAt, refreshTokenAad } from '@core/oauth/oauth-token-service';
import { createOAuthTokenStore } from '@core/oauth/oauth-token-store';
import { makeReadyCore } from '../../helpers/test-core';
import { BENCH_POLICY, coreTokenDeps } from './token-service-bench.fixture';
import { roleActors } from '../../helpers/actors';

/**
 * The token service's edges, driven with hand-made deps against a stub token endpoint that answers exactly what a
 * test queues: how each answer is classified (429 with and without Retry-After, 5xx, an OAuth error code, an
 * unusable body, no answer), the backoff between attempts, what a failure records (row, audit, status, log, push), the
 * schedule a refresh writes, the cached token's expiry skew, the lease held by another process, the tick's paused
 * deferral, and what `info` and `health` report. The real provider's flows are in oauth-refresh.test.ts.
 */
const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const START = Date.parse('2026-04-01T08:00:00.000Z');

type Answer = { status: number; body?: string; headers?: Record<string, string> } | 'hang-up';

async function stubTokenEndpoint() {
  const queue: Answer[] = [];
  const seen: Array<{ path: string; body: string }> = [];
  /** Runs once a request has arrived, before it is answered (what happens elsewhere while the request is in flight). */
  const hooks: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', body });
      hooks.shift()?.();
      const a = queue.shift() ?? { status: 500, body: 'nothing queued' };
      if (a === 'hang-up') return void req.socket.destroy();
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    queue,
    seen,
    hooks,
    ok: (o: { access: string; refresh?: string; expiresIn?: number }) =>
      queue.push({ status: 200, body: JSON.stringify({ access_token: o.access, token_type: 'Bearer', ...(o.refresh ? { refresh_token: o.refresh } : {}), ...(o.expiresIn !== undefined ? { expires_in: o.expiresIn } : {}) }) }),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const stops: Array<() => unknown> = [];
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
});

async function bench(opts: { appMissing?: boolean; wall?: number } = {}) {
  let now = START;
  let wall = opts.wall ?? 1_000_000;
  const clock = { now: () => new Date(now) };
  const t = await makeReadyCore({ clock });
  stops.push(() => t.close());
  const stub = await stubTokenEndpoint();
  stops.push(() => stub.close());
  const ws = t.core.workspaces.defaultWorkspace().id;
  const logs: Array<{ level: string; message: string; fields?: unknown }> = [];
  const logger: Logger = { log: (level, message, fields) => void logs.push({ level, message, fields }) };
  const sleeps: number[] = [];
  const pushes: unknown[] = [];
  t.core.bus.subscribe((e, p) => void (e === 'oauth:healthChanged' && pushes.push(p)));
  const store = createOAuthTokenStore(t.core.db);
  const tokens = createOAuthTokenService({
    ...coreTokenDeps(t, opts.appMissing ? null : { baseUrl: stub.url }),
    store,
    clock,
    logger,
    policy: BENCH_POLICY,
    random: () => 0.5,
    wallNow: () => wall,
    sleep: async (ms) => {
      sleeps.push(ms);
      wall += ms;
    },
  });
  stops.push(() => tokens.internal.settle());
  const create = (name: string) =>
    t.core.connections.create({ workspaceId: ws, name, provider: 'okta', authType: 'oauth2', settings: { orgUrl: 'https://example.okta.com' } }, t.admin).id;
  const row = (id: string) => t.core.db.prepare('SELECT * FROM oauth_tokens WHERE connection_id = ?').get(id) as Record<string, unknown>;
  const audits = (action: string) =>
    (t.core.db.prepare('SELECT target_id, target_name, actor_name, outcome, details FROM audit_events WHERE action = ? ORDER BY seq').all(action) as Array<Record<string, unknown>>).map(
      (r) => ({ ...r, details: JSON.parse(r.details as string) as unknown }),
    );
  /** An authorized connection: the consent flow's hand-over, as the flow service makes it. */
  const authorized = (name = 'Okta', o: { refresh?: string; expiresIn?: number } = {}) => {
    const id = create(name);
    tokens.internal.storeAuthorization(id, ws, 'okta', { accessToken: `${name}-at-0`, refreshToken: o.refresh ?? `${name}-rt-0`, expiresIn: 'expiresIn' in o ? o.expiresIn : 3600 });
    t.core.connections.internal.markHealthy(ws, id, 'authorized', SYSTEM_ACTOR);
    return id;
  };
  return {
    ...t,
    ws,
    stub,
    tokens,
    store,
    logs,
    sleeps,
    pushes,
    row,
    audits,
    authorized,
    create,
    advance: (ms: number) => (now += ms),
    now: () => now,
    setWall: (ms: number) => (wall = ms),
  };
}

const errorOf = (p: Promise<unknown>) => p.then(() => Promise.reject(new Error('expected an error')), (e: unknown) => e as { code: string; message: string; name: string });

describe('nextRefreshAt', () => {
  it('leads by max(15 min, 20 %) of the lifetime, at most half of it, minus up to min(5 min, 10 %) of jitter', () => {
    const now = 1_000_000;
    // 1 h: lead 15 min, jitter up to 5 min.
    expect(nextRefreshAt('slack', now, now + 60 * MIN, 60 * MIN, () => 0)).toBe(now + 45 * MIN);
    expect(nextRefreshAt('slack', now, now + 60 * MIN, 60 * MIN, () => 1)).toBe(now + 40 * MIN);
    // 10 h: lead 20 % (2 h), jitter up to 5 min.
    expect(nextRefreshAt('slack', now, now + 600 * MIN, 600 * MIN, () => 0.5)).toBe(now + 480 * MIN - 2.5 * MIN);
    // 10 min: lead at most half (5 min), jitter up to 10 % (1 min).
    expect(nextRefreshAt('slack', now, now + 10 * MIN, 10 * MIN, () => 1)).toBe(now + 4 * MIN);
    // Rounded to a whole millisecond.
    expect(nextRefreshAt('slack', now, now + 10 * MIN, 10 * MIN, () => 1 / 3)).toBe(Math.round(now + 5 * MIN - MIN / 3));
  });

  it('no expiry (or no lifetime): none for a provider without keep-alive, within a day for one whose tokens lapse unused', () => {
    const now = 1_000_000;
    expect(nextRefreshAt('github', now, null, null, () => 0)).toBeNull();
    expect(nextRefreshAt('github', now, now + MIN, null, () => 0)).toBeNull();
    expect(nextRefreshAt('github', now, now + MIN, 0, () => 0)).toBeNull();
    expect(nextRefreshAt('okta', now, null, null, () => 0)).toBe(now + DAY);
    // A long lifetime is cut to the daily keep-alive; a short one keeps its own time.
    expect(nextRefreshAt('okta', now, now + 30 * DAY, 30 * DAY, () => 0)).toBe(now + DAY);
    expect(nextRefreshAt('x', now, now + 60 * MIN, 60 * MIN, () => 0)).toBe(now + 45 * MIN);
  });
});

describe('what the consent hand-over stores', () => {
  it('the refresh token sealed under its AAD, the schedule, generation 1 then 2 on re-authorization', async () => {
    const b = await bench();
    const id = b.authorized('Okta', { refresh: 'first-refresh-token', expiresIn: 3600 });
    const r = b.row(id);
    expect(refreshTokenAad(id)).toBe(`connection:${id}:refresh_token`);
    expect(b.core.vault.open(r.refresh_sealed as Buffer, `connection:${id}:refresh_token`).toString()).toBe('first-refresh-token');
    expect(r).toMatchObject({ generation: 1, token_expires_at: START + 3600_000, lifetime_s: 3600, last_refresh_at: START, refresh_state: 'ok' });
    expect(r.next_refresh_at).toBe(START + 3600_000 - 15 * MIN - 2.5 * MIN);
    expect(await b.tokens.internal.getAccessToken(id)).toBe('Okta-at-0');
    b.tokens.internal.storeAuthorization(id, b.ws, 'okta', { accessToken: 'again', refreshToken: 'second', expiresIn: undefined });
    expect(b.row(id)).toMatchObject({ generation: 2, token_expires_at: null, lifetime_s: null, next_refresh_at: START + DAY });
    expect(await b.tokens.internal.getAccessToken(id)).toBe('again');
    expect(b.stub.seen).toEqual([]);
  });
});

describe('a refresh that succeeds', () => {
  it('sends the stored refresh token with the client credentials; a rotated one is sealed and the generation bumped', async () => {
    const b = await bench();
    const id = b.authorized('Okta', { refresh: 'rt-0' });
    b.advance(3600_000);
    b.stub.ok({ access: 'at-1', refresh: 'rt-1', expiresIn: 600 });
    expect(await b.tokens.internal.getAccessToken(id)).toBe('at-1');
    const sent = new URLSearchParams(b.stub.seen[0]!.body);
    expect(b.stub.seen[0]!.path).toBe('/v1/token');
    expect(Object.fromEntries(sent)).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt-0', client_id: 'stub-client', client_secret: 'stub-client-secret' });
    const now = b.now();
    const r = b.row(id);
    expect(b.core.vault.open(r.refresh_sealed as Buffer, refreshTokenAad(id)).toString()).toBe('rt-1');
    // 10 min: lead half (5 min), jitter 0.5 × 1 min.
    expect(r).toMatchObject({ generation: 2, token_expires_at: now + 600_000, lifetime_s: 600, last_refresh_at: now, next_refresh_at: now + 600_000 - 5 * MIN - 30_000, refresh_state: 'ok' });
    expect(r.lease_owner).toBeNull();
    // The same refresh token again (no rotation) keeps the generation.
    b.advance(600_000);
    b.stub.ok({ access: 'at-2', refresh: 'rt-1', expiresIn: 600 });
    expect(await b.tokens.internal.getAccessToken(id)).toBe('at-2');
    expect(b.row(id).generation).toBe(2);
    expect(new URLSearchParams(b.stub.seen[1]!.body).get('refresh_token')).toBe('rt-1');
  });

  it('the cached access token is used until the expiry skew, then refreshed', async () => {
    const b = await bench();
    const id = b.authorized('Okta', { expiresIn: 3600 });
    b.advance(3600_000 - 60_000 - 1); // one ms before the skew
    expect(await b.tokens.internal.getAccessToken(id)).toBe('Okta-at-0');
    b.advance(1); // exactly at expiry minus the skew
    b.stub.ok({ access: 'fresh', expiresIn: 3600 });
    expect(await b.tokens.internal.getAccessToken(id)).toBe('fresh');
    expect(b.stub.seen).toHaveLength(1);
  });

  it('a token without an expiry is used until reported rejected; a refresh after an error or offline state says health changed', async () => {
    const b = await bench();
    const id = b.authorized('Okta', { expiresIn: undefined });
    b.advance(10 * DAY);
    expect(await b.tokens.internal.getAccessToken(id)).toBe('Okta-at-0');
    b.stub.queue.push('hang-up');
    expect(await errorOf(b.tokens.internal.reportRejected(id))).toMatchObject({ code: 'UNAVAILABLE' });
    expect(b.pushes).toEqual([{ workspaceId: b.ws }]);
    b.stub.ok({ access: 'back', expiresIn: 60 });
    expect(await b.tokens.internal.getAccessToken(id)).toBe('back');
    expect(b.pushes).toEqual([{ workspaceId: b.ws }, { workspaceId: b.ws }]);
    // From state ok, a refresh changes no health.
    b.stub.ok({ access: 'again', expiresIn: 60 });
    expect(await b.tokens.internal.reportRejected(id)).toBe('again');
    expect(b.pushes).toHaveLength(2);
    expect(b.tokens.internal.stats()).toMatchObject({ cachedTokens: 1, inflight: 0 });
  });
});

describe('transient answers: retried with backoff', () => {
  it('5xx: exponential backoff with half jitter, then a failure naming the provider errors', async () => {
    const b = await bench();
    const id = b.authorized();
    b.advance(2 * 3600_000);
    b.stub.queue.push({ status: 503 }, { status: 500 }, { status: 502 });
    const e = await errorOf(b.tokens.internal.getAccessToken(id));
    expect(e).toMatchObject({ code: 'UNAUTHENTICATED', name: 'OAuthAuthError' });
    expect(e.message).toBe('authentication failed: the provider kept failing (HTTP 5xx) while refreshing the token: re-authorize the connection if it persists');
    expect(b.stub.seen).toHaveLength(3);
    // base 100 ms × 2^attempt, waited as base/2 + random × base/2 (random 0.5); none after the last attempt.
    expect(b.sleeps).toEqual([75, 150]);
    expect(b.row(id)).toMatchObject({ refresh_state: 'error', last_error_code: 'provider_error' });
  });

  it('429: Retry-After is honoured up to the maximum delay; a missing or invalid one falls back to the backoff', async () => {
    const b = await bench();
    const id = b.authorized();
    b.advance(2 * 3600_000);
    b.stub.queue.push({ status: 429, headers: { 'retry-after': '0' } }, { status: 429, headers: { 'retry-after': '0.25' } });
    b.stub.ok({ access: 'after-429', expiresIn: 3600 });
    expect(await b.tokens.internal.getAccessToken(id)).toBe('after-429');
    expect(b.sleeps).toEqual([0, 250]);

    b.sleeps.length = 0;
    b.advance(2 * 3600_000);
    b.stub.queue.push({ status: 429, headers: { 'retry-after': '3600' } }, { status: 429, headers: { 'retry-after': '-1' } }, { status: 429, headers: { 'retry-after': 'soon' } });
    const e = await errorOf(b.tokens.internal.getAccessToken(id));
    expect(e.message).toBe('authentication failed: the provider kept rate-limiting token refreshes (HTTP 429): re-authorize the connection if it persists');
    expect(b.sleeps).toEqual([1_000, 150]);
    expect(b.row(id)).toMatchObject({ last_error_code: 'rate_limited' });
  });

  it('the backoff is capped at the maximum delay', async () => {
    const b = await bench();
    const tokens = createOAuthTokenService({
      store: b.store,
      clock: b.core.clock,
      logger: { log: () => {} },
      access: b.core.access,
      audit: b.core.audit,
      bus: b.core.bus,
      vault: b.core.vault,
      connections: b.core.connections,
      apps: { internal: { clientFor: () => ({ app: { clientId: 'c', settings: { baseUrl: b.stub.url } }, clientSecret: null }) as never } },
      system: SYSTEM_ACTOR,
      policy: { attempts: 5, baseDelayMs: 300, maxDelayMs: 1_000 },
      random: () => 1,
      sleep: async (ms) => void b.sleeps.push(ms),
    });
    const id = b.create('Capped');
    tokens.internal.storeAuthorization(id, b.ws, 'okta', { accessToken: 'a', refreshToken: 'r', expiresIn: 1 });
    b.core.connections.internal.markHealthy(b.ws, id, 'authorized', SYSTEM_ACTOR);
    b.stub.queue.push({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    await errorOf(tokens.internal.getAccessToken(id));
    expect(b.sleeps).toEqual([300, 600, 1_000, 1_000]);
    // A public client (no secret) sends none.
    expect(new URLSearchParams(b.stub.seen[0]!.body).has('client_secret')).toBe(false);
  });
});

describe('permanent answers: the connection goes to error, once', () => {
  const cases: Array<[string, Answer, string, string]> = [
    ['invalid_client', { status: 401, body: '{"error":"invalid_client"}' }, 'invalid_client', "the provider rejected the OAuth app's client id or secret: check the OAuth app, then re-authorize"],
    ['unauthorized_client', { status: 400, body: '{"error":"unauthorized_client"}' }, 'unauthorized_client', 'the OAuth app may not use refresh tokens at the provider: enable them, then re-authorize'],
    ['another code', { status: 400, body: '{"error":"invalid_scope"}' }, 'invalid_scope', 'the token refresh failed (invalid_scope): re-authorize the connection'],
    ['a code that is not a plain code', { status: 400, body: '{"error":"Bad-Code<script>"}' }, 'token_endpoint_error', 'the token refresh failed (token_endpoint_error): re-authorize the connection'],
    ['a code too long', { status: 400, body: JSON.stringify({ error: 'a'.repeat(41) }) }, 'token_endpoint_error', 'the token refresh failed (token_endpoint_error): re-authorize the connection'],
    ['no access token', { status: 200, body: '{"token_type":"Bearer"}' }, 'invalid_token_response', 'the token refresh failed (invalid_token_response): re-authorize the connection'],
    ['not JSON', { status: 200, body: 'hello' }, 'invalid_token_response', 'the token refresh failed (invalid_token_response): re-authorize the connection'],
  ];
  for (const [what, answer, code, message] of cases) {
    it(`${what}: ${code}`, async () => {
      const b = await bench();
      const id = b.authorized('Okta');
      b.advance(2 * 3600_000);
      b.stub.queue.push(answer);
      const e = await errorOf(b.tokens.internal.getAccessToken(id));
      expect(e).toMatchObject({ code: 'UNAUTHENTICATED', message: `authentication failed: ${message}` });
      expect(b.stub.seen).toHaveLength(1); // not retried
      expect(b.sleeps).toEqual([]);
      expect(b.row(id)).toMatchObject({ refresh_state: 'error', last_error_code: code, last_error_message: message, next_refresh_at: null });
      expect(b.audits('connection.refresh_failed')).toEqual([
        { target_id: id, target_name: 'Okta', actor_name: 'ProvenanceOne', outcome: 'failure', details: { provider: 'okta', reason: code } },
      ]);
      expect(b.audits('connection.updated').at(-1)).toMatchObject({ target_id: id, details: { changed: ['status'], status: 'error', reason: code } });
      expect(b.core.connections.internal.get(b.ws, id)).toMatchObject({ status: 'error', lastError: { code: 'refresh_failed', message } });
      expect(b.logs.filter((l) => l.level === 'warn')).toEqual([{ level: 'warn', message: 'oauth refresh failed', fields: { provider: 'okta', reason: code } }]);
      expect(b.pushes).toEqual([{ workspaceId: b.ws }]);
      // The next use fails at once with the stored reason, calling nobody.
      expect(await errorOf(b.tokens.internal.getAccessToken(id))).toMatchObject({ code: 'UNAUTHENTICATED', message: `authentication failed: ${message}` });
      expect(await errorOf(b.tokens.internal.reportRejected(id))).toMatchObject({ code: 'UNAUTHENTICATED', message: `authentication failed: ${message}` });
      expect(b.stub.seen).toHaveLength(1);
    });
  }

  it('the OAuth app was removed: oauth_app_missing, without calling anyone', async () => {
    const b = await bench({ appMissing: true });
    const id = b.authorized();
    b.advance(2 * 3600_000);
    const e = await errorOf(b.tokens.internal.getAccessToken(id));
    expect(e.message).toBe("authentication failed: the provider's OAuth app was removed: register it again under OAuth apps, then re-authorize");
    expect(b.row(id)).toMatchObject({ last_error_code: 'oauth_app_missing' });
    expect(b.stub.seen).toEqual([]);
  });

  it('invalid_grant with no sibling rotation: the refresh token was revoked', async () => {
    const b = await bench();
    const id = b.authorized();
    b.advance(2 * 3600_000);
    b.stub.queue.push({ status: 400, body: '{"error":"invalid_grant"}' });
    const e = await errorOf(b.tokens.internal.getAccessToken(id));
    expect(e.message).toBe('authentication failed: the provider rejected the refresh token (revoked or expired): re-authorize the connection');
    expect(b.stub.seen).toHaveLength(1);
  });

  it('invalid_grant after a sibling rotated the token: tried again with the new one, not a failure', async () => {
    const b = await bench();
    const id = b.authorized('Okta', { refresh: 'old' });
    b.advance(2 * 3600_000);
    // While the request is in flight, a sibling process stores a new grant (generation 2, refresh token "new"), so the
    // old token is answered invalid_grant.
    const sibling = createOAuthTokenStore(b.core.db);
    b.stub.hooks.push(() => {
      const original = sibling.get(id)!;
      sibling.recordRefreshed({
        connectionId: id,
        refreshSealed: b.core.vault.seal(Buffer.from('new'), refreshTokenAad(id)),
        generation: original.generation + 1,
        tokenExpiresAt: b.now() + 3600_000,
        lifetimeS: 3600,
        nextRefreshAt: b.now() + 1800_000,
        now: b.now(),
      });
    });
    b.stub.queue.push({ status: 400, body: '{"error":"invalid_grant"}' });
    b.stub.ok({ access: 'with-new', expiresIn: 3600 });
    const token = await b.tokens.internal.reportRejected(id);
    expect(token).toBe('with-new');
    expect(b.stub.seen.map((r) => new URLSearchParams(r.body).get('refresh_token'))).toEqual(['old', 'new']);
    expect(b.row(id)).toMatchObject({ refresh_state: 'ok' });
    expect(b.audits('connection.refresh_failed')).toEqual([]);
  });
});

describe('offline', () => {
  it('no answer: UNAVAILABLE, state offline with a retry time, the connection stays active, health pushed', async () => {
    const b = await bench();
    const id = b.authorized();
    b.advance(2 * 3600_000);
    b.stub.queue.push('hang-up');
    const e = await errorOf(b.tokens.internal.getAccessToken(id));
    expect(e).toMatchObject({ code: 'UNAVAILABLE', message: 'the provider could not be reached (offline — will retry); check the network and try again' });
    expect(b.stub.seen).toHaveLength(1); // offline is not retried in the call
    expect(b.row(id)).toMatchObject({ refresh_state: 'offline', last_error_message: 'offline — will retry', next_refresh_at: b.now() + 5_000, lease_owner: null });
    expect(b.core.connections.internal.get(b.ws, id).status).toBe('active');
    expect(b.pushes).toEqual([{ workspaceId: b.ws }]);
  });
});

describe('getAccessToken refusals', () => {
  it('unknown id: not found; an OAuth connection never authorized: says so; paused: refused with the paused message', async () => {
    const b = await bench();
    expect(await errorOf(b.tokens.internal.getAccessToken('00000000-0000-4000-8000-000000000000'))).toMatchObject({ code: 'NOT_FOUND', message: 'connection not found' });
    const pending = b.create('Pending');
    expect(await errorOf(b.tokens.internal.getAccessToken(pending))).toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: 'not authorized yet: click Authorize to complete the OAuth consent flow',
    });
    const id = b.authorized('Paused');
    b.core.connections.update({ workspaceId: b.ws, id, status: 'paused' }, b.admin);
    expect(await errorOf(b.tokens.internal.getAccessToken(id))).toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringMatching(/^connection is paused/) });
  });

  it('a connection in error (its status, not its token) fails with its last error; with none, a generic one', async () => {
    const b = await bench();
    const id = b.authorized('Broken');
    b.core.connections.internal.markError(b.ws, id, { code: 'x', message: 'the provider said no' }, SYSTEM_ACTOR);
    expect(await errorOf(b.tokens.internal.getAccessToken(id))).toMatchObject({ code: 'UNAUTHENTICATED', message: 'authentication failed: the provider said no' });
    b.core.db.prepare("UPDATE oauth_tokens SET refresh_state = 'error', last_error_message = NULL WHERE connection_id = ?").run(id);
    b.core.db.prepare('UPDATE connections SET last_error_code = NULL, last_error_message = NULL WHERE id = ?').run(id);
    expect(await errorOf(b.tokens.internal.getAccessToken(id))).toMatchObject({ message: 'authentication failed: re-authorize the connection' });
    expect(await errorOf(b.tokens.internal.reportRejected(id))).toMatchObject({ message: 'authentication failed: re-authorize the connection' });
  });

  it('a token row without a refresh token: not authorized yet', async () => {
    const b = await bench();
    const id = b.authorized();
    b.core.db.prepare('UPDATE oauth_tokens SET refresh_sealed = NULL WHERE connection_id = ?').run(id);
    expect(await errorOf(b.tokens.internal.reportRejected(id))).toMatchObject({ code: 'PRECONDITION_FAILED', message: expect.stringMatching(/^not authorized yet/) });
    expect(b.row(id).lease_owner).toBeNull();
  });
});

describe('the cross-process lease', () => {
  it('a live holder is waited for until the deadline, then UNAVAILABLE; a dead holder is taken over at once', async () => {
    const b = await bench({ wall: 10_000_000 });
    const id = b.authorized();
    b.advance(2 * 3600_000);
    // Held by another owner in this very (live) process, for long.
    b.core.db.prepare('UPDATE oauth_tokens SET lease_owner = ?, lease_expires_at = ? WHERE connection_id = ?').run(`${process.pid}:sibling`, 10_000_000 + 10 * DAY, id);
    const e = await errorOf(b.tokens.internal.getAccessToken(id));
    expect(e).toMatchObject({ code: 'UNAVAILABLE', message: 'another app process is still refreshing this connection; try again' });
    expect(b.stub.seen).toEqual([]);
    // Waited past the deadline (2 × lease + 5 s), in steps of 25-50 ms (random 0.5: 38 ms).
    const waited = b.sleeps.reduce((a, s) => a + s, 0);
    expect(new Set(b.sleeps)).toEqual(new Set([38]));
    expect(waited).toBeGreaterThan(65_000);
    expect(waited).toBeLessThanOrEqual(65_000 + 38 + 38);
    // A holder whose process is gone (a pid that cannot exist) is recognised at once.
    b.sleeps.length = 0;
    b.core.db.prepare('UPDATE oauth_tokens SET lease_owner = ? WHERE connection_id = ?').run('2147483646:gone', id);
    b.stub.ok({ access: 'taken-over', expiresIn: 3600 });
    expect(await b.tokens.internal.getAccessToken(id)).toBe('taken-over');
    expect(b.sleeps).toEqual([]);
    expect(b.row(id).lease_owner).toBeNull();
    // An owner that is not a pid at all is not alive either.
    b.advance(2 * 3600_000);
    for (const owner of ['not-a-pid:x', '0:x', '-5:x']) {
      b.core.db.prepare('UPDATE oauth_tokens SET lease_owner = ?, lease_expires_at = ? WHERE connection_id = ?').run(owner, 10_000_000 + 10 * DAY, id);
      b.stub.ok({ access: `over-${owner}`, expiresIn: 60 });
      expect(await b.tokens.internal.reportRejected(id)).toBe(`over-${owner}`);
    }
    expect(b.sleeps).toEqual([]);
  });

  it('an expired lease of a live holder is taken', async () => {
    const b = await bench({ wall: 10_000_000 });
    const id = b.authorized();
    b.core.db.prepare('UPDATE oauth_tokens SET lease_owner = ?, lease_expires_at = ? WHERE connection_id = ?').run(`${process.pid}:sibling`, 10_000_000 - 1, id);
    b.stub.ok({ access: 'after-expiry', expiresIn: 3600 });
    expect(await b.tokens.internal.reportRejected(id)).toBe('after-expiry');
    expect(b.sleeps).toEqual([]);
  });
});

describe('the rotation tick', () => {
  it('defers a paused connection by an hour, refreshes the due active ones, and leaves the rest', async () => {
    const b = await bench();
    const due = b.authorized('Due');
    const paused = b.authorized('Paused');
    const later = b.authorized('Later', { expiresIn: 6 * 3600 });
    b.core.connections.update({ workspaceId: b.ws, id: paused, status: 'paused' }, b.admin);
    b.advance(50 * MIN); // the 1 h tokens are due (at 42.5 min), the 6 h one is not
    b.stub.ok({ access: 'due-1', expiresIn: 3600 });
    await b.tokens.internal.tick(new Date(b.now()));
    await b.tokens.internal.settle();
    expect(b.stub.seen).toHaveLength(1);
    expect(await b.tokens.internal.getAccessToken(due)).toBe('due-1');
    expect(b.row(paused).next_refresh_at).toBe(b.now() + 60 * MIN);
    expect(b.row(later).last_refresh_at).toBe(START);
    expect(b.tokens.internal.stats()).toMatchObject({ scheduledInFlight: 0, peakInFlight: 1 });
  });

  it('a scheduled refresh that fails is logged with its code, not thrown', async () => {
    const b = await bench();
    b.authorized('Due');
    b.advance(50 * MIN);
    b.stub.queue.push('hang-up');
    await b.tokens.internal.tick(new Date(b.now()));
    await b.tokens.internal.settle();
    expect(b.logs).toContainEqual({ level: 'info', message: 'scheduled refresh did not complete', fields: { reason: 'UNAVAILABLE' } });
  });
});

describe('what people read', () => {
  it('info: the bookkeeping of a connection in this workspace only, never a token; the last error with its time', async () => {
    const b = await bench();
    const id = b.authorized('Okta', { expiresIn: 3600 });
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(b.tokens.info(b.ws, id, b.admin)).toEqual({
      tokenExpiresAt: iso(START + 3600_000),
      lastRefreshAt: iso(START),
      nextRefreshAt: iso(START + 3600_000 - 17.5 * MIN),
      refreshState: 'ok',
      lastRefreshError: null,
    });
    const other = b.core.workspaces.create('Other', b.admin).id;
    expect(b.tokens.info(other, id, b.admin)).toBeNull();
    expect(b.tokens.info(b.ws, b.create('Pending'), b.admin)).toBeNull();
    b.advance(2 * 3600_000);
    b.stub.queue.push('hang-up');
    await errorOf(b.tokens.internal.getAccessToken(id));
    expect(b.tokens.info(b.ws, id, b.admin)).toMatchObject({
      refreshState: 'offline',
      lastRefreshError: { code: 'offline', message: 'offline — will retry', at: iso(b.now()) },
    });
    b.core.db.prepare('UPDATE oauth_tokens SET last_error_code = ?, last_error_message = NULL, last_error_at = NULL WHERE connection_id = ?').run('odd', id);
    expect(b.tokens.info(b.ws, id, b.admin)!.lastRefreshError).toEqual({ code: 'odd', message: '', at: iso(START) });
    b.core.db.prepare('UPDATE oauth_tokens SET last_refresh_at = NULL WHERE connection_id = ?').run(id);
    expect(b.tokens.info(b.ws, id, b.admin)!.lastRefreshError).toEqual({ code: 'odd', message: '', at: iso(0) });
    expect(b.tokens.info(b.ws, id, b.admin)!.lastRefreshAt).toBeNull();
  });

  it('health: per provider in catalog order, and the upcoming refreshes; both need the permission', async () => {
    const b = await bench();
    const a = b.authorized('A', { expiresIn: 3600 });
    b.authorized('B', { expiresIn: 7200 });
    const h = b.tokens.health(b.ws, b.admin);
    expect(h.providers).toEqual([
      { provider: 'okta', connections: 2, refreshesOk: 0, refreshesFailed: 0, connectionsInError: 0, offline: 0, nextRefreshAt: new Date(START + 3600_000 - 17.5 * MIN).toISOString() },
    ]);
    expect(h.upcoming).toEqual([
      { connectionId: a, name: 'A', provider: 'okta', nextRefreshAt: new Date(START + 3600_000 - 17.5 * MIN).toISOString() },
      expect.objectContaining({ name: 'B' }),
    ]);
    // A member of another workspace only.
    const outsider = roleActors(b.core)('admin', b.core.workspaces.create('Other', b.admin).id, 'outsider');
    expect(() => b.tokens.health(b.ws, outsider)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => b.tokens.info(b.ws, a, outsider)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    const viewer = roleActors(b.core)('viewer', b.ws, 'a-viewer');
    expect(b.tokens.health(b.ws, viewer).providers).toHaveLength(1);
    // The detail's token bookkeeping takes the detail's permission, which a viewer does not have; an editor does.
    expect(() => b.tokens.info(b.ws, a, viewer)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(b.tokens.info(b.ws, a, roleActors(b.core)('editor', b.ws, 'an-editor'))).not.toBeNull();
  });
});

describe('the access-token cache', () => {
  it('forget drops the cached token, so the next use refreshes; a failed refresh drops it too', async () => {
    const b = await bench();
    const id = b.authorized('Okta', { expiresIn: 3600 });
    expect(b.tokens.internal.stats().cachedTokens).toBe(1);
    b.tokens.internal.forget(id);
    expect(b.tokens.internal.stats().cachedTokens).toBe(0);
    b.stub.ok({ access: 'after-forget', expiresIn: 3600 });
    expect(await b.tokens.internal.getAccessToken(id)).toBe('after-forget');
    expect(b.stub.seen).toHaveLength(1);
    expect(b.tokens.internal.stats().cachedTokens).toBe(1);
    b.stub.queue.push({ status: 400, body: '{"error":"invalid_grant"}' });
    await errorOf(b.tokens.internal.reportRejected(id));
    expect(b.tokens.internal.stats()).toMatchObject({ cachedTokens: 0, inflight: 0 });
  });
});

describe('a refresh answer without an expiry', () => {
  it('stores no expiry and no lifetime, and keeps the token until it is reported rejected', async () => {
    const b = await bench();
    const id = b.authorized('Okta', { expiresIn: 3600 });
    b.advance(2 * 3600_000);
    b.stub.ok({ access: 'no-expiry' });
    expect(await b.tokens.internal.getAccessToken(id)).toBe('no-expiry');
    expect(b.row(id)).toMatchObject({ token_expires_at: null, lifetime_s: null, next_refresh_at: b.now() + DAY });
    b.advance(30 * DAY);
    expect(await b.tokens.internal.getAccessToken(id)).toBe('no-expiry');
    expect(b.stub.seen).toHaveLength(1);
  });
});
