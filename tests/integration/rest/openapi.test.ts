import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REST_ROUTES } from '@core/http/rest/routes';
import { startRestBench, type RestBench } from './rest-harness';

let b: RestBench;
beforeAll(async () => (b = await startRestBench()));
afterAll(() => b.stop());

describe('GET /openapi.json', () => {
  it('describes every route of the route tables, with schemas from the contract', async () => {
    const r = await b.call('GET', '/openapi.json');
    expect(r.status).toBe(200);
    const doc = r.json as { openapi: string; paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown>; security: unknown[] }>> };
    expect(doc.openapi).toMatch(/^3\./);
    for (const route of REST_ROUTES) {
      const p = route.path.replace(/:(\w+)/g, '{$1}');
      expect(doc.paths[p]?.[route.method.toLowerCase()], `${route.method} ${p}`).toBeDefined();
    }
    const createUser = doc.paths['/users']!.post!;
    expect(JSON.stringify(createUser.requestBody)).toContain('"password"');
    expect(createUser.responses['201']).toBeDefined();
    expect(createUser.responses['403']).toBeDefined();
    expect(doc.paths['/auth/login']!.post!.security).toEqual([]);
    // The list shape every list endpoint shares.
    expect(JSON.stringify(doc.paths['/audit-events']!.get!.responses['200'])).toContain('nextCursor');
    expect(JSON.stringify(doc.paths['/workspaces']!.get!.responses['200'])).toContain('nextCursor');
  });
});
