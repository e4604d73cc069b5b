import { z } from 'zod';
import { CHANNELS } from '@shared/ipc/channels';
import { contract } from '@shared/ipc/contract';
import { BridgeRequestSchema, BridgeResultSchema, RestErrorSchema, streamsContract, type StreamContract, type StreamName } from '@shared/ipc/rest.contract';
import { inputFields } from './rest/rest-request';
import type { RestRoute } from './rest/rest-router';
import { STREAM_ROUTES, type StreamRoute } from './stream-routes';

/**
 * GET /openapi.json, generated from the route tables and the contract's zod schemas (zod's own z.toJSONSchema), so
 * the document cannot describe an endpoint differently from how it behaves. OpenAPI 3.1, whose schemas are JSON
 * Schema 2020-12, zod's native target: nothing is lost in a conversion. What must stay true (checked by
 * tests/integration/rest/openapi.test.ts with swagger-parser): every $ref resolves inside the document, every path
 * is a template whose {names} are exactly its path parameters, and operation ids are unique.
 */

type Json = Record<string, unknown>;
type Io = 'input' | 'output';

export const OPENAPI_VERSION = '3.1.1';
const ERROR_REF = { $ref: '#/components/schemas/Error' };

/** What a REST error status means, for the reference. */
const ERRORS: Record<string, string> = {
  '400':
    'Invalid input; the message names the field. Also: an unknown or repeated query parameter, an unknown body field, a body nested deeper than 64 levels, a cursor this list did not return',
  '401': 'No credential, or one that is not valid (revoked key, expired or forged token)',
  '403': 'The role, the key scopes or the workspace do not allow it',
  '404': 'Not found',
  '409': 'Conflicts with an existing resource, or something still refers to it',
  '413': 'Body over the 1 MiB limit',
  '423': 'The vault is locked; unlock it in the app',
  '429': 'Too many failed sign-ins; see Retry-After',
  '503': 'BUSY: another app process holds the database (Retry-After: 1); or a service the app needs is unavailable',
  '507': "STORAGE_FULL: the data folder's disk is full; free some space and try again",
};

const TAGS: Array<{ name: string; description: string; prefixes: readonly string[] }> = [
  { name: 'identity', description: 'Sign-in, the caller, users, API keys and app settings', prefixes: ['auth', 'users', 'apiKeys', 'settings'] },
  { name: 'workspaces', description: 'Workspaces the credential can see', prefixes: ['workspaces'] },
  { name: 'connections', description: 'Stored credentials for the integrations; credentials are write-only', prefixes: ['connections'] },
  { name: 'oauth', description: 'OAuth apps and the consent flow of OAuth connections', prefixes: ['oauthApps', 'oauth'] },
  { name: 'secrets', description: 'The encrypted vault of secrets; only /reveal returns a value', prefixes: ['secrets'] },
  { name: 'datastores', description: 'Object stores on this machine or in S3; object bytes stream outside JSON', prefixes: ['datastores'] },
  { name: 'workflows', description: 'Versioned workflow definitions (a DAG of steps using connections, secrets and datastores) and their runs', prefixes: ['workflows', 'runs'] },
  { name: 'audit', description: 'The append-only audit log', prefixes: ['audit'] },
  { name: 'console', description: "The console page's own endpoints (npm run serve): they take the console token, not an API key", prefixes: ['console'] },
];
const tagOf = (name: string) => TAGS.find((t) => t.prefixes.includes(name.split(':')[0]!))?.name ?? name.split(':')[0]!;
/** `datastores:objects:list` → `datastoresObjectsList`: an identifier code generators can use as is. */
const operationId = (name: string) => name.split(':').map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join('');

/**
 * Component schemas: the error envelope, and the recursive parts zod puts under $defs (a secret's JSON value).
 * Each generated schema's $defs move here and its $refs are relinked to them; identical groups are kept once.
 */
function createComponents() {
  const schemas: Record<string, Json> = { Error: toJson(RestErrorSchema, 'output') };
  const groups = new Map<string, Record<string, string>>();
  let jsonValueGroup: string | undefined;

  function toJson(s: z.ZodType, io: Io): Json {
    const json = z.toJSONSchema(s, { io, target: 'draft-2020-12', unrepresentable: 'any', cycles: 'ref', reused: 'inline' }) as Json;
    delete json.$schema;
    return json;
  }

  function relink(node: unknown, names: Record<string, string>): unknown {
    if (Array.isArray(node)) return node.map((n) => relink(n, names));
    if (!node || typeof node !== 'object') return node;
    const out: Json = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        const local = v.startsWith('#/$defs/') ? names[v.slice('#/$defs/'.length)] : undefined;
        // A self-reference of a top-level schema ('#') or any other pointer would resolve against the document.
        if (!local) throw new Error(`openapi: cannot place $ref ${v}`);
        out[k] = `#/components/schemas/${local}`;
      } else {
        out[k] = relink(v, names);
      }
    }
    return out;
  }

  function name(base: string): string {
    let n = base;
    for (let i = 2; n in schemas; i++) n = `${base}${i}`;
    return n;
  }

  /** A zod schema as a JSON Schema for the document, its $defs hoisted into the components. */
  function schema(s: z.ZodType, io: Io): Json {
    const json = toJson(s, io);
    const defs = json.$defs as Record<string, Json> | undefined;
    delete json.$defs;
    if (!defs) return json;
    const key = JSON.stringify(defs);
    jsonValueGroup ??= JSON.stringify(toJson(z.record(z.string(), z.json()), io).$defs);
    let names = groups.get(key);
    if (!names) {
      const made: Record<string, string> = {};
      for (const local of Object.keys(defs)) made[local] = name(key === jsonValueGroup ? 'JsonValue' : 'Shared');
      for (const [local, def] of Object.entries(defs)) schemas[made[local]!] = relink(def, made) as Json;
      groups.set(key, made);
      names = made;
    }
    return relink(json, names) as Json;
  }

  return { schemas, schema };
}
type Components = ReturnType<typeof createComponents>;

/**
 * A Fastify path as an OpenAPI template: `:id` → `{id}`, and the rest-of-path `*` → `{<its field>}` (e.g. {key},
 * which may contain slashes). Returns each template name with the input field it fills.
 */
function template(path: string, rename: Readonly<Record<string, string>> = {}): { path: string; params: Array<{ name: string; field: string }> } {
  const params: Array<{ name: string; field: string }> = [];
  const out = path
    .split('/')
    .map((seg) => {
      if (seg === '*') {
        const field = rename['*'] ?? 'path';
        params.push({ name: field, field });
        return `{${field}}`;
      }
      if (!seg.startsWith(':')) return seg;
      const name = seg.slice(1);
      params.push({ name, field: rename[name] ?? name });
      return `{${name}}`;
    })
    .join('/');
  return { path: out, params };
}

const SLASHES_NOTE = 'May contain slashes: send them as they are (`a/b.csv`) or percent-encoded (`a%2Fb.csv`).';

function pathParameters(t: ReturnType<typeof template>, props: Record<string, Json>, wildcard: string | undefined) {
  return t.params.map((p) => ({
    name: p.name,
    in: 'path',
    required: true,
    schema: props[p.field] ?? { type: 'string' },
    ...(p.name === wildcard ? { description: SLASHES_NOTE } : {}),
  }));
}

function errorResponses(codes: readonly string[], descriptions: Record<string, string> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const code of codes) out[code] = { description: descriptions[code] ?? ERRORS[code], content: { 'application/json': { schema: ERROR_REF } } };
  return out;
}

const REST_SECURITY = [{ apiKey: [] }, { bearer: [] }];
const CONSOLE_SECURITY = [{ consoleToken: [] }];
const TICKET_SECURITY = [{ consoleTicket: [] }];
/** The query parameter a ticket route's security scheme (consoleTicket) already describes. */
const TICKET_PARAM = 'ticket';
const WORKSPACE_HEADER = {
  name: 'x-workspace-id',
  in: 'header',
  required: false,
  schema: { type: 'string', format: 'uuid' },
  description: "Workspace to act in (default: the Default workspace, or the API key's own)",
};

function restOperation(route: RestRoute, c: Components): { path: string; op: Json } {
  const spec = route.request ?? {};
  const input = inputFields(route.channel) ? c.schema(contract[route.channel].input, 'input') : null;
  const props = (input?.properties ?? {}) as Record<string, Json>;
  const required = new Set((input?.required ?? []) as string[]);
  const t = template(route.path, spec.params);
  const fixed = new Set(['workspaceId', ...t.params.map((p) => p.field)]);
  const queryNames = spec.query === 'strict' ? Object.keys(props).filter((k) => !fixed.has(k)) : (spec.query ?? []);
  const parameters: Json[] = [
    ...pathParameters(t, props, spec.params?.['*']),
    ...queryNames.map((name) => ({ name, in: 'query', required: required.has(name), schema: props[name] ?? { type: 'string' } })),
    ...(route.public ? [] : [WORKSPACE_HEADER]),
  ];

  const op: Json = { operationId: route.operationId ?? operationId(route.channel), summary: route.summary, tags: [tagOf(route.channel)], parameters };
  if (spec.body && input) {
    const allowed = spec.body === true ? [] : spec.body.allow;
    const inBody = (k: string) => (!fixed.has(k) || allowed.includes(k)) && !queryNames.includes(k) && !(spec.omit ?? []).includes(k);
    const bodyProps = Object.fromEntries(Object.entries(props).filter(([k]) => inBody(k)));
    const bodyRequired = [...required].filter(inBody);
    const schema: Json = { ...input, properties: bodyProps };
    if (bodyRequired.length) schema.required = bodyRequired;
    else delete schema.required;
    op.requestBody = { required: bodyRequired.length > 0, content: { 'application/json': { schema } } };
  }

  const ok = String(route.status ?? 200);
  const output = route.reply?.schema ?? contract[route.channel].output;
  const responses: Record<string, unknown> = {
    [ok]: route.status === 204 ? { description: 'Done (no body)' } : { description: 'OK', content: { 'application/json': { schema: c.schema(output, 'output') } } },
  };
  for (const [status, r] of Object.entries(route.respond?.responses ?? {})) {
    responses[status] = {
      description: r.description,
      content: { 'application/json': { schema: c.schema(r.schema, 'output') } },
      ...(r.headers ? { headers: Object.fromEntries(Object.entries(r.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }])) } : {}),
    };
  }
  // 503/507 on every route: even a read may write (the audit log, a key's last use, the audit index).
  const errorCodes = route.public
    ? ['400', '401', '429', '503', '507']
    : ['400', '401', '403', '404', '423', ...(route.method === 'GET' ? [] : ['409']), ...(spec.body ? ['413'] : []), '503', '507'];
  Object.assign(responses, errorResponses(errorCodes.filter((code) => !(code in responses))));
  op.responses = responses;
  op.security = route.public ? [] : REST_SECURITY;
  return { path: t.path, op };
}

/** Response and request headers HTTP owns (OpenAPI ignores them as parameters): said by the media type instead. */
const MEDIA_HEADERS = new Set(['content-type', 'accept', 'authorization']);

function streamOperation(name: StreamName, route: StreamRoute, c: Components): { path: string; op: Json } {
  const sc: StreamContract = streamsContract[name];
  const objectOf = (s: z.ZodObject | undefined) => {
    const json = s ? c.schema(s, 'input') : {};
    return { props: (json.properties ?? {}) as Record<string, Json>, required: new Set((json.required ?? []) as string[]) };
  };
  const t = template(route.path, route.params);
  const query = objectOf(sc.query);
  const headers = objectOf(sc.headers);
  const parameters: Json[] = [
    ...pathParameters(t, objectOf(sc.params).props, route.params?.['*']),
    ...Object.entries(query.props)
      .filter(([n]) => !(route.auth === 'ticket' && n === TICKET_PARAM))
      .map(([n, schema]) => ({ name: n, in: 'query', required: query.required.has(n), schema })),
    ...Object.entries(headers.props)
      .filter(([n]) => !MEDIA_HEADERS.has(n))
      .map(([n, schema]) => ({ name: n, in: 'header', required: headers.required.has(n), schema })),
    ...(route.auth === 'rest' ? [WORKSPACE_HEADER] : []),
  ];
  const op: Json = { operationId: operationId(name), summary: route.summary, tags: [tagOf(name)], parameters };
  if (sc.body) op.requestBody = { required: true, content: { 'application/json': { schema: c.schema(sc.body, 'input') } } };
  if (sc.bytesIn) {
    const contentType = headers.props['content-type'];
    op.requestBody = {
      required: true,
      description: `The object's bytes, streamed (no 1 MiB limit).${typeof contentType?.description === 'string' ? ` Content-Type: ${contentType.description}.` : ''}`,
      content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
    };
  }
  const r = sc.response;
  let ok: Json;
  if (r.kind === 'json') {
    ok = { description: 'OK', content: { 'application/json': { schema: c.schema(r.schema, 'output') } } };
  } else if (r.kind === 'bytes') {
    const out = c.schema(r.headers, 'output');
    const outProps = (out.properties ?? {}) as Record<string, Json>;
    const outRequired = new Set((out.required ?? []) as string[]);
    ok = {
      description: "The object's bytes, with its content type",
      headers: Object.fromEntries(
        Object.entries(outProps)
          .filter(([h]) => !MEDIA_HEADERS.has(h))
          .map(([h, schema]) => [h, { required: outRequired.has(h), schema }]),
      ),
      content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
    };
  } else {
    ok = {
      description: 'A stream of `event: <name>` / `data: <JSON payload>` messages, one per push event',
      content: {
        'text/event-stream': {
          schema: {
            oneOf: Object.entries(r.events).map(([event, payload]) => ({
              title: event,
              type: 'object',
              properties: { event: { const: event }, data: c.schema(payload, 'output') },
              required: ['event', 'data'],
            })),
          },
        },
      },
    };
  }
  const errors =
    route.auth === 'signed'
      ? errorResponses(['400', '403', '404', '413', '503', '507'], { '403': 'The URL is tampered with, expired, or for another key or content type', '413': 'More bytes than the URL allows' })
      : route.auth === 'ticket'
        ? errorResponses(['400', '401', '403', '404', '423', '503', '507'], {
            '401': 'No ticket, or one that is malformed, expired, already used or forged; or a credential in the URL (?token=, ?user=)',
            '403': 'The ticket is for another purpose or another object (it is then spent), or whoever minted it may no longer read the object',
          })
        : sc.body
          ? errorResponses(['400', '401', '403', '429', '503'], { '429': 'Too many tickets waiting to be used; see Retry-After' })
          : errorResponses(['400', '401', '403', '404', '423', '503', '507']);
  op.responses = { '200': ok, ...errors };
  op.security = route.auth === 'rest' ? REST_SECURITY : route.auth === 'console' ? CONSOLE_SECURITY : route.auth === 'ticket' ? TICKET_SECURITY : [];
  return { path: t.path, op };
}

function bridgeOperation(c: Components): Json {
  return {
    operationId: 'consoleInvoke',
    summary: 'Run a channel as the console (the page served at / does everything through this)',
    tags: ['console'],
    parameters: [{ name: 'channel', in: 'path', required: true, schema: { type: 'string', enum: [...CHANNELS] } }],
    requestBody: { required: false, content: { 'application/json': { schema: c.schema(BridgeRequestSchema, 'input') } } },
    responses: {
      '200': { description: 'The channel ran: `{ok:true,value}`', content: { 'application/json': { schema: c.schema(BridgeResultSchema, 'output') } } },
      default: { description: '`{ok:false,error}` with the status of its code', content: { 'application/json': { schema: c.schema(BridgeResultSchema, 'output') } } },
    },
    security: [{ consoleToken: [] }],
  };
}

const DESCRIPTION = `The REST API of ProvenanceOne Desktop, on 127.0.0.1 only.

- **Credentials**: \`x-api-key: <key>\` (an API key, or the owner key from PROVENANCE_ADMIN_API_KEY), or
  \`Authorization: Bearer <JWT>\` from \`POST /auth/login\`. \`x-workspace-id\` picks the workspace.
- **Errors**: \`{"error":{"code","message","field?"}}\` with the status of the code; RATE_LIMITED and BUSY (503) add Retry-After;
  STORAGE_FULL (507) means the data folder's disk is full.
- **Lists**: \`{items, nextCursor}\`; pass \`cursor=<nextCursor>\` for the next page.
- Object bytes stream outside JSON: download from \`/datastores/{id}/objects/{key}\`, upload with a PUT there (resumable
  on S3 with \`x-upload-fingerprint\`; \`GET /datastores/{id}/uploads\` says how much is stored) or through
  \`POST /datastores/{id}/upload-url\`.`;

export type OpenApiOptions = { version: string; serverUrl: string; routes: readonly RestRoute[]; console: boolean };

/** The whole document for one server: the REST routes, the streaming routes, and the console's when it serves one. */
export function buildOpenApi(opts: OpenApiOptions): Json {
  const c = createComponents();
  const paths: Record<string, Json> = {};
  const add = (path: string, method: string, op: Json) => (paths[path] = { ...paths[path], [method.toLowerCase()]: op });
  for (const route of opts.routes) {
    const { path, op } = restOperation(route, c);
    add(path, route.method, op);
  }
  for (const [name, route] of Object.entries(STREAM_ROUTES) as Array<[StreamName, StreamRoute]>) {
    if ((route.auth === 'console' || route.auth === 'ticket') && !opts.console) continue;
    const { path, op } = streamOperation(name, route, c);
    add(path, route.method, op);
  }
  if (opts.console) add('/ipc/{channel}', 'POST', bridgeOperation(c));
  const used = new Set(Object.values(paths).flatMap((p) => Object.values(p).flatMap((op) => (op as { tags: string[] }).tags)));
  return {
    openapi: OPENAPI_VERSION,
    info: { title: 'ProvenanceOne Desktop REST API', version: opts.version, description: DESCRIPTION },
    servers: [{ url: opts.serverUrl }],
    tags: TAGS.filter((t) => used.has(t.name)).map(({ name, description }) => ({ name, description })),
    paths,
    components: {
      schemas: c.schemas,
      securitySchemes: {
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        consoleToken: {
          type: 'apiKey',
          in: 'header',
          name: 'x-console-token',
          description: 'The token in the URL npm run serve prints; only ever in this header (in a URL it is refused: 401)',
        },
        consoleTicket: {
          type: 'apiKey',
          in: 'query',
          name: TICKET_PARAM,
          description:
            'A ticket from POST /console/tickets, for a link or EventSource that cannot send headers: `<id>.<secret>` (base64url, a 256-bit secret), one object or one stream, once, within a minute',
        },
      },
    },
  };
}
