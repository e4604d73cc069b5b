// One file (~440 lines): the schema walk, the hints by field name, the written-out examples and keepLocal shape the
// same inputs together; apart, a new field of the contract would need edits in several files to be fuzzed well.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { z } from 'zod';
import { contract, type Channel } from '@shared/ipc/contract';
import { SCOPES } from '@shared/access/policy';
import { hostileString, hostileValue } from './hostile-values';
import { NIL, VICTIM_PASSWORD, idArb, idKindFor, pick, type Pools } from './fuzz-pools';

/**
 * Channel inputs for the fuzz suite, derived from the contract's zod schemas (through their public JSON Schema, the
 * same one REST documents) and steered towards things that exist: ids from the pools, field values by name (keys,
 * paths, names, cursors, write-only canaries), and written-out examples where the schema alone rarely yields a valid
 * input. Nothing here knows a route: rest-requests.ts, stream-requests.ts, bridge-requests.ts and ipc-fuzz.test.ts
 * put them together.
 *
 * What must stay true: no generated value can make the server reach the network or write outside the fuzz's own
 * sandbox folder. URLs are loopback ports nobody listens on (keepLocal enforces it after any mutation); filesystem
 * paths are under the sandbox or ones the server must refuse.
 */

export type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
};

const schemaCache = new Map<Channel, JsonSchema>();
/** A channel's input as JSON Schema (zod's public converter, input side; refinements are not representable and are left to the server). */
export function inputSchema(channel: Channel): JsonSchema {
  let s = schemaCache.get(channel);
  if (!s) {
    s = z.toJSONSchema(contract[channel].input as z.ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    schemaCache.set(channel, s);
  }
  return s;
}

/** Loopback ports nobody listens on (connection refused at once), and URLs that must be refused outright. */
export const SAFE_URLS = [
  'http://127.0.0.1:9',
  'http://127.0.0.1:9/oauth2/default',
  'https://127.0.0.1:9',
  'http://localhost:9/',
  'http://[::1]:9',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'http://127.0.0.1:9/%2e%2e/%00',
  'ftp://127.0.0.1:9',
  'not a url',
  '',
];

const NAMES = ['alpha', 'Prod DB', 'café-db', 'CAFÉ-DB', 'cafe\u0301-db', 'Straße', 'STRASSE', 'ﬁle', 'FILE', 'ı', 'İ', 'Σίσυφος', '東京', '😀 emoji', 'default'];
/** Names people type: ASCII, Unicode that folds onto other names, and a numbered suffix so most are new. */
export const nameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...NAMES), fc.nat(1_000_000)).map(([n, i]) => `${n} ${i}`) },
  { weight: 2, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 30 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }) },
  { weight: 1, arbitrary: hostileString },
);

/** Object keys: ones that exist, path-like and Unicode ones, and keys meant to escape a folder. */
export function objectKeyArb(pools: Pools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: pick(() => pools.objectKey, 'reports/2026-05-01.csv') },
    { weight: 2, arbitrary: fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4 }).map((p) => p.join('/')) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '../../../etc/passwd',
        '/leading/slash',
        'trailing/',
        'a//b',
        './a',
        'a/./b',
        'a/../b',
        '%2e%2e/x',
        'nul\0byte',
        'CON',
        'café/ﬁle.txt',
        'cafe\u0301/file.txt',
        '\u202Eexe.txt',
        'k'.repeat(1024),
        'k'.repeat(1025),
        'é'.repeat(513),
        'lone\uD800',
        ' ',
        '?x=1',
        '#frag',
      ),
    },
    { weight: 1, arbitrary: hostileString },
  );
}

/** Filesystem paths: under the sandbox (absent or empty folders), relative ones, and existing folders that must be refused. */
export function fsPathArb(pools: Pools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.nat(1_000_000).map((i) => `${pools.sandbox}/store-${i}`) },
    { weight: 1, arbitrary: fc.constant(`${pools.sandbox}/upload-me.txt`) },
    { weight: 2, arbitrary: fc.constantFrom('relative/folder', '.', '..', '', '/', '/etc', '/proc/self', `${pools.sandbox}/../..`, '\0/x', 'C:\\data') },
  );
}

export const contentTypeArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('text/plain', 'text/csv', 'application/json', 'application/octet-stream', 'image/png; charset=binary') },
  { weight: 1, arbitrary: fc.constantFrom('text/html', 'image/svg+xml', 'application/javascript', 'text/plain; charset=utf-8\r\nx-injected: 1', 'nonsense', '', '*/*', 'a/b; ' + 'p=1;'.repeat(100)) },
  { weight: 1, arbitrary: hostileString },
);

/** A cursor: one a list returned (maybe for another list or workspace), or forged ones. */
export function cursorArb(pools: Pools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: pick(() => pools.cursor, 'AAAA') },
    { weight: 1, arbitrary: fc.base64String({ maxLength: 80 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? 'null').toString('base64url')) },
    { weight: 1, arbitrary: fc.constantFrom('', '=', '!!!', 'eyJrIjoiYSJ9', 'x'.repeat(5000)) },
    { weight: 1, arbitrary: hostileString },
  );
}

const SETTING_KEYS = ['baseUrl', 'orgUrl', 'siteUrl', 'instanceUrl', 'site', 'region', 'subdomain', 'account', 'email', 'username', 'user', 'role', 'warehouse', 'clientId', 'scopes'];
const URL_KEYS = new Set(['baseUrl', 'orgUrl', 'siteUrl', 'instanceUrl', 'endpoint']);

/** A connection's or OAuth app's settings: known keys with plausible values (URLs always safe), hostile keys too. */
const settingsArb: fc.Arbitrary<Record<string, unknown>> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...SETTING_KEYS) },
      { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', '', 'k'.repeat(65)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
    ),
    { maxLength: 4 },
  )
  .chain((keys) =>
    fc.tuple(
      ...keys.map((k) =>
        URL_KEYS.has(k)
          ? fc.constantFrom(...SAFE_URLS)
          : k === 'site'
            ? fc.constantFrom('datadoghq.com', 'datadoghq.eu', 'example.com')
            : fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 20 }), hostileString, fc.constant(null)),
      ),
    ).map((values) => {
      const out: Record<string, unknown> = {};
      keys.forEach((k, i) => Object.defineProperty(out, k, { value: values[i], enumerable: true, writable: true, configurable: true }));
      return out;
    }),
  );

/** A write-only value: a canary most often (so an answer that echoes it is caught), else any text. */
function writeOnlyArb(pools: Pools): fc.Arbitrary<string> {
  return fc.oneof({ weight: 3, arbitrary: pick(() => pools.writeOnly, 'write-only') }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 40 }) });
}

/** A secret value: a canary, as text or inside a JSON object; other text, objects, or what the schema refuses. */
const secretValueArb = (pools: Pools): fc.Arbitrary<unknown> => fc.oneof(
  { weight: 3, arbitrary: pick(() => pools.writeOnly, 'write-only') },
  { weight: 1, arbitrary: pick(() => pools.writeOnly, 'write-only').map((c) => ({ token: c, nested: { list: [c] } })) },
  { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 60 }) },
  { weight: 2, arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.integer({ min: 60_000, max: 70_000 }).map((n) => 'v'.repeat(n)) },
  { weight: 1, arbitrary: hostileValue },
);

/** Passphrases and passwords: the one the fuzz knows for its victim users, and others of every length. */
function passwordArb(pools: Pools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: pick(() => pools.password, 'correct horse battery staple') },
    { weight: 2, arbitrary: pick(() => pools.writeOnly, 'write-only') },
    { weight: 2, arbitrary: fc.string({ minLength: 12, maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 11 }) },
    { weight: 1, arbitrary: fc.constant('p'.repeat(1025)) },
    { weight: 1, arbitrary: hostileString },
  );
}

export type ValueContext = { pools: Pools; channel: string };

/**
 * UUID fields a client makes up that name nothing stored (no pool to draw from): `openingId`, one opening of the
 * desktop's connection detail. Generated from a few fixed values (so repeats reach the "already recorded" path),
 * fresh ones, and hostile strings.
 */
export const CLIENT_MADE_IDS: readonly string[] = ['openingId'];
const OPENINGS = ['6f1c1c1e-0000-4000-8000-000000000001', '6f1c1c1e-0000-4000-8000-000000000002'];

/** Arbitraries for fields the generic schema walk would only hit by luck, by field name. */
function hinted(field: string, ctx: ValueContext): fc.Arbitrary<unknown> | null {
  const kind = idKindFor(ctx.channel, field);
  if (kind) return idArb(ctx.pools, kind);
  switch (field) {
    case 'openingId':
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...OPENINGS) }, { weight: 2, arbitrary: fc.uuid() }, { weight: 1, arbitrary: hostileString });
    case 'key':
      return objectKeyArb(ctx.pools);
    case 'path':
      return fsPathArb(ctx.pools);
    case 'name':
      return nameArb;
    case 'username':
      return fc.oneof(pick(() => ctx.pools.username, 'nobody'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }), hostileString);
    case 'password':
    case 'passphrase':
      return passwordArb(ctx.pools);
    case 'cursor':
      return cursorArb(ctx.pools);
    case 'contentType':
      return contentTypeArb;
    case 'value':
      return secretValueArb(ctx.pools);
    case 'credential':
    case 'clientSecret':
    case 'secretAccessKey':
      return writeOnlyArb(ctx.pools);
    case 'settings':
      return settingsArb;
    case 'endpoint':
    case 'baseUrl':
    case 'orgUrl':
      return fc.constantFrom(...SAFE_URLS);
    case 'scopes':
      return fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SCOPES, 'openid', 'repo', 'chat:write') }, { weight: 1, arbitrary: hostileString }), { maxLength: 4 });
    case 'credentialFieldSecretIds':
      return fc.dictionary(fc.constantFrom('applicationKey', 'passphrase', 'other'), fc.oneof(idArb(ctx.pools, 'secret'), fc.constant(null)), { maxKeys: 2 });
    case 'credentialFields':
      return fc.dictionary(fc.constantFrom('applicationKey', 'passphrase', 'other', '__proto__'), fc.oneof(writeOnlyArb(ctx.pools), fc.constant(null)), { maxKeys: 2 });
    case 'data':
      return fc.oneof(fc.base64String({ maxLength: 400 }), hostileString);
  }
  return null;
}

const typeOf = (s: JsonSchema): string | undefined => (Array.isArray(s.type) ? s.type[0] : s.type);

function stringFor(s: JsonSchema): fc.Arbitrary<string> {
  if (s.format === 'uuid') return fc.uuid();
  if (s.format === 'date-time') return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'base64') return fc.base64String({ maxLength: 200 });
  if (s.format === 'uri' || s.format === 'url') return fc.constantFrom(...SAFE_URLS);
  const min = s.minLength ?? 0;
  const max = Math.max(min, Math.min(s.maxLength ?? 40, 60));
  if (s.pattern) return fc.oneof(nameArb, fc.string({ unit: 'grapheme-ascii', minLength: min, maxLength: max }));
  return fc.oneof(fc.string({ minLength: min, maxLength: max }), fc.string({ unit: 'grapheme', minLength: min, maxLength: max }));
}

/** A value the schema (mostly) accepts: the valid-ish starting point every mutation works from. */
export function validish(schema: JsonSchema, ctx: ValueContext, field = ''): fc.Arbitrary<unknown> {
  const h = field ? hinted(field, ctx) : null;
  if (h) return h;
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alts = schema.oneOf ?? schema.anyOf;
  if (alts?.length) return fc.oneof(...alts.map((a) => validish(a, ctx, field)));
  switch (typeOf(schema)) {
    case 'string':
      return stringFor(schema);
    case 'integer': {
      const min = schema.minimum ?? -1000;
      const max = Math.max(min, Math.min(schema.maximum ?? min + 100_000, Number.MAX_SAFE_INTEGER));
      return fc.integer({ min, max });
    }
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schema.items ? validish(schema.items, ctx) : fc.jsonValue({ maxDepth: 1 }), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 4, 4)),
      });
    case 'object':
      return objectFor(schema, ctx);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function objectFor(schema: JsonSchema, ctx: ValueContext, omit: readonly string[] = []): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.entries(schema.properties ?? {}).filter(([k]) => !omit.includes(k));
  const required = (schema.required ?? []).filter((k) => !omit.includes(k));
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const [k, s] of props) model[k] = validish(s, ctx, k);
  const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : null;
  const base = fc.record(model, { requiredKeys: required });
  if (!extra) return base as fc.Arbitrary<Record<string, unknown>>;
  return fc.tuple(base, fc.dictionary(fc.string({ maxLength: 12 }), validish(extra, ctx), { maxKeys: 3 })).map(([a, b]) => ({ ...b, ...a }));
}

/**
 * Inputs the schema alone reaches only by luck (a provider with its matching auth type and settings, a version that
 * exists): written out, with ids from the pools, as another valid-ish starting point beside the schema's.
 */
/** An object that exists, as the object channels name it. */
const objectRefArb = (p: Pools) => fc.nat().map((i) => ({ ...p.objectRef[i % p.objectRef.length]! }));
/** An object channel's input: one that exists, maybe with the channel's extra fields. */
const onObject = (extra: Record<string, fc.Arbitrary<unknown>> = {}) => (p: Pools) =>
  fc.tuple(objectRefArb(p), fc.record(extra)).map(([ref, more]) => ({ ...ref, ...more }));

/**
 * A workflow definition: a chain of steps of every kind naming pool ids (often of the same workspace, so some saves
 * pass), cron expressions good and bad, templates reading earlier steps or unknown ones.
 */
const definitionArb = (p: Pools): fc.Arbitrary<Record<string, unknown>> => {
  const config = fc.oneof(
    fc.record({ kind: fc.constant('storage'), config: fc.record({ action: fc.constantFrom('get', 'put'), datastoreId: pick(() => p.datastore, NIL), key: objectKeyArb(p), content: fc.constantFrom('{{ steps.s0.output }}', 'text', undefined) }) }),
    fc.record({
      kind: fc.constant('http'),
      config: fc.record({
        connectionId: pick(() => p.connection, NIL),
        method: fc.constantFrom('GET', 'POST'),
        path: fc.constantFrom('/api/v1/validate', '/x?y=1', '/{{ inputs.id }}'),
        headers: fc.option(fc.record({ 'X-Token': pick(() => p.secret, NIL).map(($secret) => ({ $secret })) }), { nil: undefined }),
        body: fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      }),
    }),
    fc.record({ kind: fc.constant('transform'), config: fc.record({ expression: fc.constantFrom('steps.s0.output', '$sum([1,2])', '$sum(', 'steps.nowhere.output', '{"a": inputs.x}') }) }),
  );
  return fc
    .record({
      name: nameArb,
      description: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
      schedule: fc.option(fc.constantFrom('*/5 * * * *', '0 9 * * 1-5', '61 * * * *', 'not cron', null), { nil: undefined }),
      timezone: fc.option(fc.constantFrom('UTC', 'Europe/Paris', 'Mars/Olympus'), { nil: undefined }),
      steps: fc.array(config, { minLength: 1, maxLength: 4 }),
    })
    .map((d) => {
      const steps = (d.steps as Array<Record<string, unknown>>).map((s, i) => ({ id: `s${i}`, ...(i > 0 ? { needs: [`s${i - 1}`] } : {}), ...s }));
      return Object.fromEntries(Object.entries({ ...d, steps }).filter(([, v]) => v !== undefined));
    });
};

const EXAMPLES: Partial<Record<Channel, (pools: Pools) => fc.Arbitrary<Record<string, unknown>>>> = {
  'workflows:create': (p) => fc.record({ workspaceId: pick(() => p.workspace, NIL), definition: definitionArb(p) }),
  'workflows:validate': (p) => fc.record({ workspaceId: pick(() => p.workspace, NIL), definition: definitionArb(p) }),
  'workflows:update': (p) =>
    fc.record(
      { workspaceId: pick(() => p.workspace, NIL), id: pick(() => p.workflow, NIL), definition: definitionArb(p), expectedVersion: fc.integer({ min: 1, max: 4 }) },
      { requiredKeys: ['workspaceId', 'id', 'definition'] },
    ),
  'datastores:objects:head': onObject(),
  'datastores:objects:preview': onObject(),
  'datastores:objects:delete': onObject(),
  'datastores:objects:saveAs': onObject(),
  'datastores:objects:putText': onObject({ content: fc.string({ maxLength: 200 }), contentType: fc.constantFrom('text/plain', 'text/csv') }),
  'datastores:uploadUrl': onObject({ contentType: fc.constantFrom('text/plain', 'application/octet-stream'), maxBytes: fc.integer({ min: 1, max: 4096 }) }),
  'datastores:storageStep': onObject({ action: fc.constantFrom('get', 'put'), content: fc.string({ maxLength: 200 }) }),
  'datastores:objects:list': (p) =>
    objectRefArb(p).chain(({ workspaceId, datastoreId, key }) =>
      fc.record({ workspaceId: fc.constant(workspaceId), datastoreId: fc.constant(datastoreId), prefix: fc.constantFrom('', key.slice(0, 2)), delimiter: fc.constant('/') }, { requiredKeys: ['workspaceId', 'datastoreId'] }),
    ),
  'connections:create': (p) =>
    fc.record({
      workspaceId: pick(() => p.workspace, NIL),
      name: nameArb,
      provider: fc.constant('datadog'),
      authType: fc.constant('apikey'),
      credential: fc.string({ minLength: 1, maxLength: 40 }),
      settings: fc.constant({ site: 'datadoghq.com', baseUrl: 'http://127.0.0.1:9' }),
      credentialFields: fc.option(fc.record({ applicationKey: fc.string({ minLength: 1, maxLength: 40 }) }), { nil: undefined }),
    }, { requiredKeys: ['workspaceId', 'name', 'provider', 'authType', 'credential', 'settings'] }),
  'connections:testDraft': (p) =>
    fc.record({
      workspaceId: pick(() => p.workspace, NIL),
      provider: fc.constant('datadog'),
      authType: fc.constant('apikey'),
      credential: fc.string({ minLength: 1, maxLength: 40 }),
      settings: fc.constant({ site: 'datadoghq.com' }),
    }),
  'connections:update': (p) =>
    fc.tuple(
      fc.record({ workspaceId: pick(() => p.workspace, NIL), id: pick(() => p.connection, NIL) }),
      fc.oneof(
        fc.record({ status: fc.constantFrom('paused', 'active') }),
        fc.record({ name: nameArb }),
        fc.record({ settings: fc.constant({ baseUrl: 'http://127.0.0.1:9' }) }),
        fc.record({ credential: fc.string({ minLength: 1, maxLength: 40 }) }),
      ),
    ).map(([a, b]) => ({ ...a, ...b })),
  'oauthApps:update': (p) =>
    fc.record(
      {
        workspaceId: pick(() => p.workspace, NIL),
        id: pick(() => p.oauthApp, NIL),
        clientId: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 20 }),
        clientSecret: fc.option(fc.string({ minLength: 1, maxLength: 40 }), { nil: null }),
        scopes: fc.constant(['openid', 'profile']),
        settings: fc.constant({ baseUrl: 'http://127.0.0.1:9/oauth2/default' }),
      },
      { requiredKeys: ['workspaceId', 'id'] },
    ),
  'secrets:create': (p) => fc.record({ workspaceId: pick(() => p.workspace, NIL), name: nameArb, value: fc.string({ minLength: 1, maxLength: 40 }) }),
  'secrets:rollback': (p) => fc.record({ workspaceId: pick(() => p.workspace, NIL), id: pick(() => p.secret, NIL), version: fc.integer({ min: 1, max: 3 }) }),
  'users:create': (p) =>
    fc.record({
      workspaceId: pick(() => p.workspace, NIL),
      username: fc.stringMatching(/^[a-z][a-z0-9._-]{2,20}$/),
      password: fc.constant(VICTIM_PASSWORD),
      role: fc.constantFrom('admin', 'editor', 'viewer'),
    }),
  'auth:login': (p) => fc.record({ username: pick(() => p.username, 'nobody'), password: fc.constant(VICTIM_PASSWORD) }),
};

/** The input object of a channel without the fields a transport decides (REST: the URL and the caller). */
export function inputObjectArb(channel: Channel, ctx: ValueContext, omit: readonly string[] = []): fc.Arbitrary<unknown> {
  const example = EXAMPLES[channel];
  if (example) {
    const withoutFixed = example(ctx.pools).map((v) => Object.fromEntries(Object.entries(v).filter(([k]) => !omit.includes(k))));
    return fc.oneof(withoutFixed, fromSchema(channel, ctx, omit));
  }
  return fromSchema(channel, ctx, omit);
}

function fromSchema(channel: Channel, ctx: ValueContext, omit: readonly string[]): fc.Arbitrary<unknown> {
  const schema = inputSchema(channel);
  if (typeOf(schema) === 'object' || schema.properties) return objectFor(schema, ctx, omit);
  const alts = schema.oneOf ?? schema.anyOf;
  if (alts?.length) return fc.oneof(...alts.map((a) => (a.properties ? objectFor(a, ctx, omit) : validish(a, ctx))));
  // z.undefined(): the channel takes no input.
  return fc.constant(undefined);
}

// ---------- staying on this machine ----------

const LOOPBACK = 'http://127.0.0.1:9';
const LOOPBACK_AS = 'http://127.0.0.1:9/oauth2/default';

/**
 * Whether a filesystem datastore at `p` stays inside the sandbox or is refused: a relative path, one under the
 * sandbox, or one that exists already (a folder with files, or a file, which the server refuses). A new absolute
 * folder elsewhere would be created by the server (the tests may run as root).
 */
let moved = 0;
function harmlessFolder(p: unknown, sandbox: string): boolean {
  if (typeof p !== 'string' || !path.isAbsolute(p)) return true;
  if (path.resolve(p).startsWith(`${sandbox}${path.sep}`)) return true;
  try {
    return fs.existsSync(p) && (!fs.statSync(p).isDirectory() || fs.readdirSync(p).length > 0);
  } catch {
    return false;
  }
}

/**
 * Makes a generated input unable to reach the network or write outside the sandbox, whatever the mutations did: an
 * S3 backend always has an endpoint of SAFE_URLS (without one the SDK would call AWS), a filesystem backend's path
 * is harmless (else it moves into the sandbox), and an OAuth app always keeps a loopback baseUrl (without one a
 * consent flow's preflight would call the provider). Works on a copy; other values pass unchanged.
 */
export function keepLocal(channel: string, input: unknown, sandbox: string): unknown {
  if (input === null || typeof input !== 'object') return input;
  let copy: unknown;
  try {
    copy = JSON.parse(JSON.stringify(input)) as unknown;
  } catch {
    return input;
  }
  const stack: unknown[] = [copy];
  for (let seen = 0; stack.length && seen < 10_000; seen++) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const o = node as Record<string, unknown>;
    if (o.type === 's3' && !SAFE_URLS.includes(o.endpoint as string)) o.endpoint = LOOPBACK;
    if (o.type === 'filesystem' && !harmlessFolder(o.path, sandbox)) o.path = path.join(sandbox, `moved-${++moved}`);
    for (const v of Object.values(o)) if (v !== null && typeof v === 'object') stack.push(v);
  }
  if ((channel === 'oauthApps:create' || channel === 'oauthApps:update') && !Array.isArray(copy)) {
    const o = copy as Record<string, unknown>;
    const settings = o.settings !== null && typeof o.settings === 'object' && !Array.isArray(o.settings) ? (o.settings as Record<string, unknown>) : {};
    o.settings = { ...settings, baseUrl: SAFE_URLS.includes(settings.baseUrl as string) && String(settings.baseUrl).includes('127.0.0.1') ? settings.baseUrl : LOOPBACK_AS };
  }
  return copy;
}

