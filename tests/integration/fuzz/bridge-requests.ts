import fc from 'fast-check';
import { z } from 'zod';
import { REST_ROUTES } from '@core/http/rest/routes';
import { STREAM_ROUTES } from '@core/http/stream-routes';
import { contract, type Channel } from '@shared/ipc/contract';
import type { FuzzBench } from './fuzz-bench';
import type { Expectation } from './fuzz-invariants';
import { described } from './fuzz-config';
import { byMode, fuzzed, hostileString, modesArb } from './hostile-values';
import { idArb } from './fuzz-pools';
import { inputObjectArb, keepLocal } from './contract-inputs';
import { RAW_BODIES, credentialArb, enc, extraHeadersArb, rawSafe, type FuzzRequest } from './rest-requests';
import { consoleAuthArb } from './stream-requests';

/**
 * The console bridge (POST /ipc/:channel, every channel and names that are none) and stray requests (any method on
 * any path: wrong methods, near-miss paths, static files by traversal) for the fuzz suite.
 */

const BAD_CHANNELS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'secrets:reveal ', 'SECRETS:LIST', 'secrets', ':', '', 'x'.repeat(300), 'secrets:list/../reveal'];
const BRIDGE_PARTS = ['input', 'envelope', 'credential', 'headers'] as const;

/** POST /ipc/:channel: every channel (and names that are none), `{input}` valid-ish or not, console credentials. */
export function bridgeRequestArb(b: FuzzBench, channel: Channel | null): fc.Arbitrary<FuzzRequest> {
  const name = channel ? fc.constant(channel as string) : fc.oneof(fc.constantFrom(...BAD_CHANNELS), hostileString);
  return modesArb(BRIDGE_PARTS).chain((m) => {
    const input = channel
      ? fuzzed(inputObjectArb(channel, { pools: b.pools, channel }), m.input).map(({ value, mutations }) => ({ value: keepLocal(channel, value, b.pools.sandbox), mutations }))
      : fc.jsonValue({ maxDepth: 2 }).map((value) => ({ value, mutations: [] }));
    const wrapped = input.map(({ value, mutations }) => ({ body: JSON.stringify(value === undefined ? {} : { input: value }), notes: mutations.map((mu) => `input ${mu.op}`) }));
    const envelope = byMode(
      m.envelope,
      wrapped,
      fc.oneof(
        input.map(({ value }) => ({ body: JSON.stringify({ inputs: value }), notes: ['envelope typo'] })),
        input.map(({ value }) => ({ body: JSON.stringify({ input: value, extra: 1 }), notes: ['envelope extra field'] })),
        fc.constantFrom(...RAW_BODIES).map((body) => ({ body, notes: ['raw body'] })),
      ),
    );
    return fc.record({ name, envelope, auth: consoleAuthArb(b, m.credential), extra: extraHeadersArb(b, m.headers) }).map(({ name, envelope, auth, extra }) =>
      described({
        route: channel ? `ipc ${channel}` : 'ipc <not a channel>',
        method: 'POST',
        path: `/ipc/${enc(name)}${auth.query ? `?${auth.query}` : ''}`,
        headers: [...auth.headers, ['content-type', 'application/json'], ...extra] as Array<[string, string]>,
        body: envelope.body,
        credential: auth.label,
        params: {},
        channel: channel ?? undefined,
        notes: envelope.notes,
      }),
    );
  });
}

export function bridgeExpectation(b: FuzzBench, channel: Channel | null, req: FuzzRequest): Expectation {
  let allowed: readonly string[] = [];
  if (channel === 'secrets:reveal' || channel === 'connections:credential') {
    try {
      const id = (JSON.parse(req.body as string) as { input?: { id?: string } }).input?.id;
      allowed = b.revealable(channel, typeof id === 'string' ? id : undefined);
    } catch {
      allowed = [];
    }
  }
  return {
    route: req.route,
    allowed,
    schemaFor: () => (channel ? z.object({ ok: z.literal(true), value: contract[channel].output as z.ZodType }) : null),
    envelope: 'bridge',
  };
}

const STRAY_PATHS = ['/', '/health', '/openapi.json', '/docs', '/docs/', '/docs/api-reference.js', '/docs/assets/swagger-ui.css', '/docs/assets/index.html', '/docs/assets/..%2f..%2fpackage.json', '/docs/assets/%2e%2e/%2e%2e/package.json', '/docs/assets/../../../package.json', '/index.html', '/assets/x.js', '/ipc', '/ipc/', '/ipc-events/x', '/console', '/api/secrets', '/secrets/', '//secrets', '/SECRETS', '/secrets;x', '/secrets%2F', '/%2e%2e/', '/.env', '/../../etc/passwd'];

/** Any method on any path: the routes' own paths with wrong methods, near-misses, and static files by traversal. */
export function strayRequestArb(b: FuzzBench): fc.Arbitrary<FuzzRequest> {
  const templates = [...REST_ROUTES.map((r) => r.path), ...Object.values(STREAM_ROUTES).map((r) => r.path)];
  const pathArb = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...STRAY_PATHS) },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...templates), idArb(b.pools, 'secret', 'any')).map(([t, id]) => t.replace(/:[a-zA-Z]+/g, enc(id)).replace('*', 'a/b')) },
    { weight: 2, arbitrary: fc.array(hostileString.map((s) => rawSafe(s)), { minLength: 1, maxLength: 4 }).map((segs) => `/${segs.join('/')}`) },
  );
  return fc
    .record({ method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'), path: pathArb, cred: credentialArb(b, 'any'), extra: extraHeadersArb(b, 'any'), body: fc.option(fc.constantFrom(...RAW_BODIES.slice(0, 12)), { freq: 3 }) })
    .map(({ method, path, cred, extra, body }) =>
      described({
        route: 'stray',
        method,
        path: path.startsWith('/') ? path : `/${path}`,
        headers: [...cred.headers, ...extra, ...(body !== null && method !== 'GET' && method !== 'HEAD' ? ([['content-type', 'application/json']] as Array<[string, string]>) : [])],
        body: body !== null && method !== 'GET' && method !== 'HEAD' ? body : undefined,
        credential: cred.label,
        params: {},
        notes: [],
      }),
    );
}

