import fc from 'fast-check';
import type { z } from 'zod';
import type { RestRoute } from '@core/http/rest/rest-router';
import { inputFields } from '@core/http/rest/rest-request';
import { CONSOLE_TOKEN_HEADER, USER_TOKEN_HEADER } from '@core/http/http-server';
import { contract, type Channel } from '@shared/ipc/contract';
import type { FuzzBench } from './fuzz-bench';
import type { Expectation } from './fuzz-invariants';
import type { WireRequest } from './wire-client';
import { described } from './fuzz-config';
import { byMode, fuzzed, hostileString, modesArb, type Mode } from './hostile-values';
import { idArb, idKindFor, pick } from './fuzz-pools';
import { cursorArb, inputObjectArb, keepLocal, objectKeyArb, validish, type JsonSchema, type ValueContext } from './contract-inputs';

/**
 * REST requests for the fuzz suite, one generator per route of REST_ROUTES, built from the route's declaration and
 * its channel's contract: path parameters, query and body valid-ish or hostile part by part (modesArb), with
 * credentials of every strength. The pieces (encodings, headers, bodies, queries) are shared with the streaming
 * routes (stream-requests.ts) and the console bridge (bridge-requests.ts).
 */

/** One generated HTTP request, with what the checks need to know about it. */
export type FuzzRequest = WireRequest & {
  /** The route it targets (`METHOD path` as the tables declare it), or `ipc <channel>` for the bridge. */
  route: string;
  credential: string;
  /** Path parameters before encoding (the reveal's id decides which canary it may return). */
  params: Record<string, string>;
  /** The channel whose answer this is (bridge and REST), for harvesting ids and checking schemas. */
  channel?: Channel;
  /** What was done to the request beyond the valid-ish start, for the report. */
  notes: string[];
};

// ---------- encoding ----------

const UNRESERVED = /[A-Za-z0-9\-._~]/;
/** Percent-encodes UTF-8 bytes (a lone surrogate becomes U+FFFD's bytes, as any client would send it). */
export function enc(s: string, keep = ''): string {
  let out = '';
  for (const ch of s) {
    if (UNRESERVED.test(ch) || keep.includes(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
/** What Node's client can put on the wire as is: printable ASCII, with `?` and `#` (and spaces, controls) encoded. */
export const rawSafe = (s: string) => enc(s, "!$&'()*+,;=:@/%");
/** A header value Node's client will send (no CR, LF or NUL; Latin-1 only). */
export const headerSafe = (s: string) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

/** A path segment as sent: encoded as a client would (valid), or hostile spellings of a path. */
function segmentArb(value: string, wildcard: boolean, mode: Mode): fc.Arbitrary<{ text: string; note?: string }> {
  const valid = fc.constant({ text: wildcard ? enc(value, '/') : enc(value) });
  const hostile = fc.oneof(
    { weight: 1, arbitrary: fc.constant({ text: enc(value), note: 'slashes encoded' }) },
    { weight: 1, arbitrary: fc.constant({ text: rawSafe(value), note: 'raw' }) },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom('..', '.', '%2e%2e', '..%2f..%2fetc%2fpasswd', '%00', '%zz', '%', 'x'.repeat(9000), '%F0%9F%92%A9', '%C0%AF', '%ED%A0%80', '%FF', 'A%2FB', ';x=1', '%3F', '%23', '', '%252e%252e', '\xff')
        .map((text) => ({ text, note: 'hostile segment' })),
    },
  );
  return byMode(mode, valid, hostile);
}

// ---------- headers ----------

/** Valid: a principal (the owner key most often, so cases get past the gate); hostile: a broken credential. */
export function credentialArb(b: FuzzBench, mode: Mode = 'valid'): fc.Arbitrary<{ label: string; headers: Array<[string, string]> }> {
  const owner = b.principals[0]!.headers[0]![1];
  const [ownerP, viewerP, scopedP, noneP] = b.principals as [FuzzBench['principals'][number], FuzzBench['principals'][number], FuzzBench['principals'][number], FuzzBench['principals'][number]];
  const valid = fc.oneof({ weight: 4, arbitrary: fc.constant(ownerP) }, { weight: 2, arbitrary: fc.constant(viewerP) }, { weight: 2, arbitrary: fc.constant(scopedP) }, { weight: 1, arbitrary: fc.constant(noneP) });
  const hostile = fc
    .constantFrom<Array<[string, string]>>(
      [['x-api-key', '']],
      [['x-api-key', 'p1k_made-up-key']],
      [['x-api-key', owner.toUpperCase()]],
      [['x-api-key', owner], ['x-api-key', owner]],
      [['x-api-key', `${owner} `]],
      [['authorization', 'Bearer garbage']],
      [['authorization', `Bearer ${b.viewerJwt}x`]],
      [['authorization', `Bearer ${b.viewerJwt.split('.').slice(0, 2).join('.')}.`]],
      [['authorization', 'Basic YWRtaW46YWRtaW4=']],
      [['authorization', 'Bearer']],
      [['authorization', `Bearer ${'a'.repeat(5000)}`]],
      [['authorization', `Bearer ${b.viewerJwt}`], ['x-api-key', 'p1k_made-up-key']],
      [[CONSOLE_TOKEN_HEADER, b.consoleToken]],
    )
    .map((headers) => ({ label: 'bad credential', headers }));
  return byMode(mode, valid, hostile);
}

/** Valid: no x-workspace-id or one that exists; hostile: unknown, malformed or given twice. */
export function workspaceHeaderArb(b: FuzzBench, mode: Mode = 'valid'): fc.Arbitrary<Array<[string, string]>> {
  const valid = fc.oneof(
    { weight: 1, arbitrary: fc.constant([] as Array<[string, string]>) },
    { weight: 1, arbitrary: pick(() => b.pools.workspace, b.defaultWs).map((w) => [['x-workspace-id', w]] as Array<[string, string]>) },
  );
  const hostile = fc.oneof(
    { weight: 1, arbitrary: fc.uuid().map((w) => [['x-workspace-id', w]] as Array<[string, string]>) },
    { weight: 1, arbitrary: hostileString.map((w) => [['x-workspace-id', headerSafe(w)]] as Array<[string, string]>) },
    {
      weight: 1,
      arbitrary: fc.constant([
        ['x-workspace-id', b.defaultWs],
        ['x-workspace-id', b.otherWs],
      ] as Array<[string, string]>),
    },
  );
  return byMode(mode, valid, hostile);
}

/** Valid: none; hostile: one or two headers that lie, overflow or point elsewhere. */
export function extraHeadersArb(b: FuzzBench, mode: Mode = 'valid'): fc.Arbitrary<Array<[string, string]>> {
  const hostile = fc.array(
    fc.constantFrom<[string, string]>(
      ['x-filler', 'a'.repeat(8_000)],
      ['x-filler', 'a'.repeat(20_000)],
      ['origin', 'http://evil.example'],
      ['origin', `http://127.0.0.1:${b.port}`],
      ['origin', 'null'],
      ['host', 'evil.example'],
      ['host', `localhost:${b.port}`],
      ['x-forwarded-for', '10.0.0.1'],
      ['x-forwarded-host', 'evil.example'],
      [USER_TOKEN_HEADER, b.viewerJwt],
      ['accept', 'text/html'],
      ['accept-encoding', 'gzip, deflate, br'],
      ['content-encoding', 'gzip'],
      ['x-http-method-override', 'DELETE'],
      ['range', 'bytes=0-1'],
      ['if-none-match', '*'],
      ['cookie', 'session=abc'],
    ),
    { minLength: 1, maxLength: 2 },
  );
  return byMode(mode, fc.constant([] as Array<[string, string]>), hostile);
}

// ---------- bodies and queries ----------

/** Request bodies no schema produces: broken JSON, deep text, prototype keys, the size limit. */
export const RAW_BODIES: readonly string[] = [
  '',
  ' ',
  '{',
  '{"a":',
  'null',
  '[]',
  '[1,2]',
  '"text"',
  '1',
  'true',
  '{"__proto__":{"polluted":true}}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"a":1,"a":2}',
  '\uFEFF{}',
  '{}garbage',
  '{"a":"\\ud800"}',
  'NaN',
  '{"a":1e999}',
  '{"a":-}',
  '<xml/>',
  'a=1&b=2',
  '['.repeat(65) + ']'.repeat(65),
  '{"a":'.repeat(70) + '1' + '}'.repeat(70),
  '['.repeat(100_000),
  '{"s":"' + '\\\\'.repeat(1000) + '"}',
  JSON.stringify({ big: 'b'.repeat(1024 * 1024 + 16) }),
];

const JSON_TYPE = 'application/json';
const TYPE_LIES = ['text/plain', 'application/xml', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', 'application/x-www-form-urlencoded', 'APPLICATION/JSON', 'application/jsonx', 'application/json, text/plain', ''];

/**
 * A body: valid, the channel input (valid-ish) as JSON, or none where the route takes none; hostile, the input
 * mutated, raw text no schema makes, a body where none is taken, or a content type that lies.
 */
function bodyArb(channel: Channel, ctx: ValueContext, omit: readonly string[], takesBody: boolean, mode: Mode): fc.Arbitrary<{ body?: string; type?: string; notes: string[] }> {
  const json = (m: Mode) =>
    fuzzed(inputObjectArb(channel, ctx, omit), m).map(({ value, mutations }) => ({
      body: value === undefined ? undefined : JSON.stringify(keepLocal(channel, value, ctx.pools.sandbox)),
      type: value === undefined ? undefined : JSON_TYPE,
      notes: mutations.map((mu) => `body ${mu.op}`),
    }));
  const raw = fc.constantFrom(...RAW_BODIES).map((body) => ({ body, type: JSON_TYPE, notes: ['raw body'] }));
  const lie = fc.tuple(json('any'), fc.constantFrom(...TYPE_LIES)).map(([j, t]) => ({ body: j.body ?? '{}', type: t, notes: [...j.notes, `content-type ${t || '(empty)'}`] }));
  const none = fc.constant({ body: undefined, type: undefined, notes: [] as string[] });
  const unwanted = fc.constantFrom('{}', '{"a":1}', '{"workspaceId":"x"}').map((body) => ({ body, type: JSON_TYPE, notes: ['body on a route without one'] }));
  const valid = takesBody ? json('valid') : none;
  const hostile = takesBody
    ? fc.oneof({ weight: 4, arbitrary: json('hostile') }, { weight: 2, arbitrary: raw }, { weight: 1, arbitrary: lie }, { weight: 1, arbitrary: none })
    : fc.oneof(unwanted, raw, lie);
  return byMode(mode, valid, hostile);
}

/** A query value as text: numbers, flags and text as a client writes them. */
function asQueryText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v) ?? '';
}

type QueryMutation = 'repeat' | 'unknown' | 'number' | 'brackets' | 'bare' | 'garbage' | 'long' | 'plus';

const QUERY_MUTATIONS: readonly QueryMutation[] = ['repeat', 'unknown', 'number', 'brackets', 'bare', 'garbage', 'long', 'plus'];

/** The query string of a route: its own parameters (valid-ish); hostile, also repeated, unknown or malformed ones. */
export function queryArb(names: readonly string[], props: Record<string, JsonSchema>, ctx: ValueContext, mode: Mode = 'valid'): fc.Arbitrary<{ text: string; notes: string[] }> {
  const entries = fc.tuple(
    ...names.map((n) =>
      fc.option(
        (n === 'cursor' ? cursorArb(ctx.pools) : validish(props[n] ?? {}, ctx, n)).map((v) => [n, asQueryText(v)] as [string, string]),
        { freq: 2 },
      ),
    ),
  );
  const mutations = byMode(mode, fc.constant([] as QueryMutation[]), fc.array(fc.constantFrom(...QUERY_MUTATIONS), { minLength: 1, maxLength: 2 }));
  return fc.tuple(entries, mutations, fc.constantFrom(...names, 'force', 'token', 'workspaceId', '__proto__', 'limit', 'x'), fc.constantFrom('1e309', '-1', '0', '1.5', '0x10', 'NaN', '9'.repeat(400), ' 5', '5abc', 'Infinity')).map(
    ([picked, muts, other, number]) => {
      const pairs: string[] = [];
      for (const e of picked) if (e) pairs.push(`${enc(e[0])}=${enc(e[1])}`);
      for (const m of muts) {
        if (m === 'repeat') pairs.push(pairs[0] ?? `${enc(other)}=1`, pairs[0] ?? `${enc(other)}=2`);
        if (m === 'unknown') pairs.push(`${enc(other)}=1`);
        if (m === 'number') pairs.push(`${enc(names[0] ?? 'limit')}=${enc(number)}`);
        if (m === 'brackets') pairs.push(`${enc(other)}[]=1`, `${enc(other)}[0]=2`);
        if (m === 'bare') pairs.push(enc(other));
        if (m === 'garbage') pairs.push('%zz=%', '=', '&&', '%00=%00');
        if (m === 'long') pairs.push(`${enc(other)}=${'q'.repeat(10_000)}`);
        if (m === 'plus') pairs.push(`${enc(names[0] ?? other)}=a+b%20c`);
      }
      return { text: pairs.length ? `?${pairs.join('&')}` : '', notes: muts.map((m) => `query ${m}`) };
    },
  );
}

// ---------- REST routes ----------

/** A route's path parameters: `:name` and the `*` wildcard. */
export const pathParams = (routePath: string) => routePath.split('/').filter((s) => s.startsWith(':') || s === '*').map((s) => (s === '*' ? '*' : s.slice(1)));

/**
 * The contract field a path parameter fills, and its pool; null when the fuzz does not know what the parameter
 * names (then the route has no generator, and the coverage test says so).
 */
export function paramField(route: Pick<RestRoute, 'channel' | 'request'>, param: string): { field: string; gen: 'id' | 'key' } | null {
  const field = route.request?.params?.[param] ?? param;
  if (field === 'key') return { field, gen: 'key' };
  return idKindFor(route.channel, field) ? { field, gen: 'id' } : null;
}

/** Routes whose every path parameter the fuzz can fill: the others have no generator (the coverage test fails). */
export function restGeneratorMissing(route: RestRoute): string | null {
  for (const p of pathParams(route.path)) if (!paramField(route, p)) return `${route.method} ${route.path}: no generator for path parameter ${p}`;
  return null;
}

export function paramsArb(route: Pick<RestRoute, 'channel' | 'request' | 'path'>, ctx: ValueContext, mode: Mode): fc.Arbitrary<{ path: string; params: Record<string, string>; notes: string[] }> {
  const names = pathParams(route.path);
  const values = names.map((p) => {
    const f = paramField(route, p)!;
    const value = f.gen === 'key' ? objectKeyArb(ctx.pools) : idArb(ctx.pools, idKindFor(route.channel, f.field)!, mode);
    return value.chain((v) => segmentArb(v, p === '*', mode).map((seg) => ({ p, v, seg })));
  });
  return fc.tuple(...values).map((parts) => {
    let path = route.path;
    const params: Record<string, string> = {};
    const notes: string[] = [];
    for (const { p, v, seg } of parts) {
      params[p] = v;
      path = path.replace(p === '*' ? '*' : `:${p}`, seg.text);
      if (seg.note) notes.push(`${p}: ${seg.note}`);
    }
    return { path, params, notes };
  });
}

type Target = { params: { path: string; params: Record<string, string>; notes: string[] }; ws: Array<[string, string]> };

/**
 * Path parameters and x-workspace-id. Valid ones for a route on a datastore's objects are often an object that
 * exists, in its own datastore and workspace (drawn independently they rarely meet, and the case stops at a 404).
 */
export function targetArb(b: FuzzBench, route: Pick<RestRoute, 'channel' | 'request' | 'path'>, ctx: ValueContext, modes: { params: Mode; workspace: Mode }): fc.Arbitrary<Target> {
  const independent = fc.record({ params: paramsArb(route, ctx, modes.params), ws: workspaceHeaderArb(b, modes.workspace) });
  const names = pathParams(route.path);
  const onObjects = route.path.includes('/objects') && names.some((p) => paramField(route, p)?.field === 'datastoreId');
  if (!onObjects || modes.params !== 'valid' || modes.workspace !== 'valid' || !b.pools.objectRef.length) return independent;
  const existing = fc.nat().map((i): Target => {
    const ref = b.pools.objectRef[i % b.pools.objectRef.length]!;
    let path = route.path;
    const params: Record<string, string> = {};
    for (const p of names) {
      const value = paramField(route, p)!.field === 'key' ? ref.key : ref.datastoreId;
      params[p] = value;
      path = path.replace(p === '*' ? '*' : `:${p}`, p === '*' ? enc(value, '/') : enc(value));
    }
    return { params: { path, params, notes: ['an object that exists'] }, ws: [['x-workspace-id', ref.workspaceId]] };
  });
  return fc.oneof(independent, existing);
}

/** The parts of a request the modes pick from: each is valid-ish or hostile on its own. */
const REQUEST_PARTS = ['params', 'query', 'body', 'credential', 'workspace', 'headers'] as const;

export function restRequestArb(route: RestRoute, b: FuzzBench): fc.Arbitrary<FuzzRequest> {
  const ctx: ValueContext = { pools: b.pools, channel: route.channel };
  const fields = inputFields(route.channel);
  const props = (fields?.properties ?? {}) as Record<string, JsonSchema>;
  const paramFields = pathParams(route.path).map((p) => paramField(route, p)!.field);
  const allow = route.request?.body && route.request.body !== true ? route.request.body.allow : [];
  const fixed = ['workspaceId', ...paramFields].filter((f) => !allow.includes(f));
  const spec = route.request?.query;
  const queryNames = spec === 'strict' ? Object.keys(props).filter((k) => !fixed.includes(k)) : (spec ?? []);
  return modesArb(REQUEST_PARTS).chain((modes) =>
    fc
      .record({
        target: targetArb(b, route, ctx, modes),
        query: queryArb(queryNames, props, ctx, modes.query),
        body: bodyArb(route.channel, ctx, fixed, !!route.request?.body, modes.body),
        cred: credentialArb(b, modes.credential),

        extra: extraHeadersArb(b, modes.headers),
      })
      .map(({ target: { params, ws }, query, body, cred, extra }) => {
        const headers: Array<[string, string]> = [...cred.headers, ...ws, ...extra];
        if (body.type !== undefined) headers.push(['content-type', body.type]);
        return described({
          route: `${route.method} ${route.path}`,
          method: route.method,
          path: params.path + query.text,
          headers,
          body: body.body,
          credential: cred.label,
          params: params.params,
          channel: route.channel,
          notes: [...params.notes, ...query.notes, ...body.notes, ...extra.map(([k, v]) => `header ${k} (${v.length} chars)`)],
        });
      }),
  );
}

/** What a REST route's answer is checked against (see Expectation). */
export function restExpectation(route: RestRoute, b: FuzzBench, req: FuzzRequest): Expectation {
  const output = contract[route.channel].output as z.ZodType;
  return {
    route: req.route,
    allowed: b.revealable(route.channel, req.params.id),
    // A connection test that ran and failed is a 4xx carrying its result: it records the result, as it should.
    answerNotRefusal: route.respond ? (status, json) => !!route.respond!.responses[String(status)]?.schema.safeParse(json).success : undefined,
    schemaFor: (status) => (status === 204 ? null : route.respond ? (status === 200 ? output : null) : (route.reply?.schema ?? output)),
    envelope: 'rest',
  };
}
