import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApi } from '@core/http/openapi-document';
import { inputFields } from '@core/http/rest/rest-request';
import { REST_ROUTES } from '@core/http/rest/routes';
import { STREAM_ROUTES } from '@core/http/stream-routes';
import { startRestBench, type RestBench } from './rest-harness';

let b: RestBench;
beforeAll(async () => (b = await startRestBench()));
afterAll(() => b.stop());

type Parameter = { name: string; in: string; schema: { type?: string } };
type Operation = { operationId: string; parameters?: Parameter[]; requestBody?: unknown; responses: Record<string, unknown>; security: unknown[] };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } };

/** The OpenAPI template of a route's Fastify path: `:id` → `{id}`, the rest-of-path `*` → its field, e.g. `{key}`. */
const templateOf = (path: string, wildcard = 'path') => path.replace(/:(\w+)/g, '{$1}').replace('*', `{${wildcard}}`);

async function fetchDoc(): Promise<Doc> {
  const r = await b.call('GET', '/openapi.json');
  expect(r.status).toBe(200);
  expect(r.headers.get('content-type')).toMatch(/^application\/json/);
  return r.json as unknown as Doc;
}

/** What swagger-parser does not check for OpenAPI 3: templates match parameters, ids are unique, refs stay inside. */
function structuralProblems(doc: Doc): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    if (/[:*]/.test(path)) problems.push(`${path}: not an OpenAPI path template`);
    const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!).sort();
    for (const [method, op] of Object.entries(item)) {
      const inPath = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
      if (JSON.stringify(inPath) !== JSON.stringify(names)) problems.push(`${method} ${path}: path parameters ${inPath} ≠ template ${names}`);
      if (ids.has(op.operationId)) problems.push(`${method} ${path}: operationId ${op.operationId} used twice`);
      ids.add(op.operationId);
    }
  }
  for (const [, ref] of JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)) {
    const m = /^#\/components\/schemas\/([^/]+)$/.exec(ref!);
    if (!m || !(m[1]! in doc.components.schemas)) problems.push(`$ref ${ref} does not point at a component schema`);
  }
  return problems;
}

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI document (swagger-parser validate)', async () => {
    const doc = await fetchDoc();
    expect(doc.openapi).toMatch(/^3\.1\./);
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    expect(structuralProblems(doc)).toEqual([]);
  });

  it("is valid for the desktop app's REST-only server too (no console routes there)", async () => {
    const doc = buildOpenApi({ version: '1.0.0', serverUrl: 'http://127.0.0.1:4171', routes: REST_ROUTES, console: false }) as unknown as Doc;
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
    expect(structuralProblems(doc)).toEqual([]);
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/console') || p.startsWith('/ipc'))).toEqual([]);
  });

  it('describes every route of the route tables, with schemas from the contract', async () => {
    const doc = await fetchDoc();
    for (const route of REST_ROUTES) {
      const p = templateOf(route.path, route.request?.params?.['*']);
      expect(doc.paths[p]?.[route.method.toLowerCase()], `${route.method} ${p}`).toBeDefined();
    }
    const createUser = doc.paths['/users']!.post!;
    expect(JSON.stringify(createUser.requestBody)).toContain('"password"');
    // The caller's workspace comes from x-workspace-id, never from the body.
    expect(JSON.stringify(createUser.requestBody)).not.toContain('workspaceId');
    expect(createUser.responses['201']).toBeDefined();
    expect(createUser.responses['403']).toBeDefined();
    expect(doc.paths['/auth/login']!.post!.security).toEqual([]);
    // The list shape every list endpoint shares.
    expect(JSON.stringify(doc.paths['/audit-events']!.get!.responses['200'])).toContain('nextCursor');
    expect(JSON.stringify(doc.paths['/workspaces']!.get!.responses['200'])).toContain('nextCursor');
    // Query parameters come from the contract, typed (limit is an integer, force a boolean).
    const auditParams = doc.paths['/audit-events']!.get!.parameters!;
    expect(auditParams.find((p) => p.name === 'limit')?.schema.type).toBe('integer');
    const del = doc.paths['/secrets/{id}']!.delete!.parameters!;
    expect(del.find((p) => p.name === 'force')).toMatchObject({ in: 'query', schema: { type: 'boolean' } });
    // A failed connection test is documented with its own statuses and body.
    expect(Object.keys(doc.paths['/connections/{id}/test']!.post!.responses)).toEqual(expect.arrayContaining(['200', '422', '424', '429']));
  });

  it('describes the streaming routes from their contract schemas, with valid templates', async () => {
    const doc = await fetchDoc();
    for (const route of Object.values(STREAM_ROUTES)) {
      expect(doc.paths[templateOf(route.path, route.params?.['*'])]?.[route.method.toLowerCase()], route.path).toBeDefined();
    }
    const download = doc.paths['/datastores/{id}/objects/{key}']!.get! as Operation & { responses: { '200': { headers: Record<string, unknown> } } };
    expect(Object.keys(download.responses['200'].headers)).toEqual(expect.arrayContaining(['content-length', 'x-content-sha256']));
    const upload = doc.paths['/console/datastores/{id}/objects']!.put!;
    expect(upload.parameters!.map((p) => `${p.in}:${p.name}`)).toEqual(expect.arrayContaining(['query:workspaceId', 'query:key', 'query:uploadId']));
    expect(JSON.stringify(doc.paths['/ipc-events']!.get!.responses['200'])).toContain('datastores:uploadProgress');
    expect(doc.paths['/datastores/{id}/upload/{token}']!.put!.security).toEqual([]);
  });

  it('documents the console tickets, and no credential in a URL but a ticket (issue 14, item 5)', async () => {
    const doc = await fetchDoc();
    const mint = doc.paths['/console/tickets']!.post!;
    expect(mint.security).toEqual([{ consoleToken: [] }]);
    expect(JSON.stringify(mint.requestBody)).toContain('"events"');
    expect(JSON.stringify(mint.responses['200'])).toContain('expiresAt');
    for (const p of ['/ipc-events', '/console/datastores/{id}/object']) expect(doc.paths[p]!.get!.security, p).toEqual([{ consoleTicket: [] }]);
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const inQuery = (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
        expect(inQuery, `${method} ${path}`).not.toEqual(expect.arrayContaining(['token']));
        expect(inQuery, `${method} ${path}`).not.toEqual(expect.arrayContaining(['user']));
      }
    }
    const schemes = (doc as unknown as { components: { securitySchemes: Record<string, { in?: string }> } }).components.securitySchemes;
    expect(Object.entries(schemes).filter(([, s]) => s.in === 'query').map(([name]) => name)).toEqual(['consoleTicket']);
  });

  it("gives every field of a route's channel input a place in the request (path, query, body or the caller)", () => {
    for (const route of REST_ROUTES) {
      const fields = inputFields(route.channel);
      if (!fields) continue;
      const spec = route.request ?? {};
      const fromPath = [...route.path.matchAll(/:(\w+)|\*/g)].map((m) => spec.params?.[m[1] ?? '*'] ?? m[1] ?? '*');
      const fromQuery = spec.query === 'strict' ? Object.keys(fields.properties) : (spec.query ?? []);
      const placed = new Set(['workspaceId', ...fromPath, ...fromQuery, ...(spec.omit ?? [])]);
      for (const name of [...fromPath, ...fromQuery]) expect(Object.keys(fields.properties), `${route.channel} reads ${name}`).toContain(name);
      // A field a route leaves out must be optional, or the route could not be called at all.
      for (const name of spec.omit ?? []) expect(fields.required, `${route.method} ${route.path} leaves out ${name}`).not.toContain(name);
      if (spec.body) continue;
      expect(Object.keys(fields.properties).filter((k) => !placed.has(k)), `${route.method} ${route.path} (${route.channel})`).toEqual([]);
    }
  });

  it('the {key} template works as documented: slashes as they are or percent-encoded', async () => {
    const admin = b.admin;
    const ds = await b.core.datastores.create(admin, { workspaceId: b.defaultWs, name: `openapi ${b.nextId()}` });
    await b.core.datastores.putText(admin, { workspaceId: b.defaultWs, datastoreId: ds.id, key: 'reports/2026/q1.csv', content: 'a,b\n' });
    for (const key of ['reports/2026/q1.csv', 'reports%2F2026%2Fq1.csv']) {
      const r = await b.call('GET', `/datastores/${ds.id}/objects/${key}`, { headers: b.owner() });
      expect(r.status, key).toBe(200);
      expect(r.json).toBe('a,b\n');
    }
    expect((await b.call('DELETE', `/datastores/${ds.id}/objects/reports%2F2026%2Fq1.csv`, { headers: b.owner() })).status).toBe(204);
  });
});
