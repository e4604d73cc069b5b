import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WORKFLOW_SCHEMA_ID } from '@core/workflows/workflow-service';
import { workflowFileDisposition } from '@core/http/rest/workflows.routes';
import { startRestBench, type RestBench } from '../rest/rest-harness';

/** The workflow definition routes over REST: statuses, versions, import/export as files, the field of a refusal. */
let b: RestBench;
let datastoreId: string;
beforeAll(async () => {
  b = await startRestBench();
  datastoreId = (await b.core.datastores.create(b.admin, { workspaceId: b.defaultWs, name: 'rest files' })).id;
});
afterAll(() => b.stop());

const definition = (name: string) => ({
  name,
  description: 'copies a file',
  steps: [
    { id: 'read', kind: 'storage', config: { action: 'get', datastoreId, key: 'in.csv' } },
    { id: 'write', kind: 'storage', needs: ['read'], config: { action: 'put', datastoreId, key: 'out.csv', content: '{{ steps.read.output.fileContent }}' } },
  ],
});

describe('workflows over REST', () => {
  it('create 201, PUT is a new version, GET ?version=1 answers the old one, versions newest first, DELETE 204', async () => {
    const h = b.owner();
    const created = await b.call('POST', '/workflows', { headers: h, body: { definition: definition('REST copy') } });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const id = created.json.id as string;
    expect(created.json).toMatchObject({ version: 1, name: 'REST copy', stepCount: 2 });

    const put = await b.call('PUT', `/workflows/${id}`, { headers: h, body: { definition: { ...definition('REST copy'), description: 'v2' }, expectedVersion: 1 } });
    expect(put.status).toBe(200);
    expect(put.json.version).toBe(2);
    const stale = await b.call('PUT', `/workflows/${id}`, { headers: h, body: { definition: definition('REST copy'), expectedVersion: 1 } });
    expect(stale.status).toBe(409);
    expect(stale.json.error).toMatchObject({ code: 'CONFLICT', field: 'expectedVersion' });

    const old = await b.call('GET', `/workflows/${id}?version=1`, { headers: h });
    expect(old.status).toBe(200);
    expect(old.json).toMatchObject({ version: 1, description: 'copies a file' });
    expect((await b.call('GET', `/workflows/${id}`, { headers: h })).json).toMatchObject({ version: 2, description: 'v2' });
    const versions = await b.call('GET', `/workflows/${id}/versions`, { headers: h });
    expect((versions.json.items as Array<{ version: number }>).map((v) => v.version)).toEqual([2, 1]);
    const list = await b.call('GET', '/workflows?q=rest%20COPY', { headers: h });
    expect((list.json.items as Array<{ id: string }>).map((w) => w.id)).toEqual([id]);

    const del = await b.call('DELETE', `/workflows/${id}`, { headers: h });
    expect(del.status).toBe(204);
    expect((await b.call('GET', `/workflows/${id}`, { headers: h })).status).toBe(404);
  });

  it('refuses an invalid definition with 400 and the field', async () => {
    const bad = definition('REST bad');
    bad.steps[1]!.needs = ['read', 'nope'];
    const r = await b.call('POST', '/workflows', { headers: b.owner(), body: { definition: bad } });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatchObject({ code: 'INVALID_INPUT', field: 'definition.steps.1.needs.1' });
    const v = await b.call('POST', '/workflows/validate', { headers: b.owner(), body: { definition: bad } });
    expect(v.status).toBe(200);
    expect(v.json).toMatchObject({ valid: false, issues: [{ field: 'definition.steps.1.needs.1' }] });
  });

  it('export is a file download of the definition with $schema; importing that file creates the same workflow', async () => {
    const h = b.owner();
    const created = await b.call('POST', '/workflows', { headers: h, body: { definition: definition('Exporté') } });
    const id = created.json.id as string;
    const file = await b.call('GET', `/workflows/${id}/export`, { headers: h });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="Export_.workflow.json"; filename*=UTF-8''Export%C3%A9.workflow.json`);
    expect(file.json.$schema).toBe(WORKFLOW_SCHEMA_ID);
    const { $schema: _s, ...body } = file.json;
    expect(body).toEqual(created.json.definition);

    const imported = await b.call('POST', '/workflows', { headers: h, body: { definition: { ...file.json, name: 'Exporté (import)' } } });
    expect(imported.status).toBe(201);
    expect({ ...(imported.json.definition as object), name: 'Exporté' }).toEqual(created.json.definition);
  });

  it('GET /workflows/schema is the JSON Schema of the file format', async () => {
    const r = await b.call('GET', '/workflows/schema', { headers: b.owner() });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ $id: WORKFLOW_SCHEMA_ID, type: 'object' });
  });

  it('file names stay header-safe whatever the workflow is called', () => {
    expect(workflowFileDisposition('a "quoted" \\ name')).toBe(`attachment; filename="a _quoted_ _ name.workflow.json"; filename*=UTF-8''a%20%22quoted%22%20%5C%20name.workflow.json`);
    expect(workflowFileDisposition("it's (v2) *")).toContain(`filename*=UTF-8''it%27s%20%28v2%29%20%2A.workflow.json`);
    expect(workflowFileDisposition('lone \uD800')).toContain('%EF%BF%BD');
  });
});
