import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../../electron/core/handlers/handlers';
import { createUploadEndpoint } from '../../../electron/core/http/upload-endpoint';
import { UPLOAD_ENDPOINT_MISSING } from '../../../electron/core/datastores/upload-grant-service';
import { makeReadyCore } from '../../helpers/test-core';

/**
 * Issue 17, "Desktop upload URLs": the desktop serves no REST API by default, and an upload URL for a filesystem
 * datastore then failed with an error telling the user to start the console. Now the first such URL starts the
 * desktop's own loopback upload endpoint (signed uploads only) and the URL works.
 */
let t: Awaited<ReturnType<typeof makeReadyCore>>;
let endpoint: ReturnType<typeof createUploadEndpoint> | null = null;
beforeEach(async () => (t = await makeReadyCore()));
afterEach(async () => {
  await endpoint?.stop();
  endpoint = null;
  t.close();
});

async function datastore() {
  const ws = t.core.workspaces.defaultWorkspace().id;
  const d = await t.core.datastores.create(t.admin, { workspaceId: ws, name: `Drops ${Math.random().toString(36).slice(2, 8)}` });
  return { ws, id: d.id };
}

describe('the desktop upload endpoint', () => {
  it('starts on the first filesystem upload URL (REST API off) and stores what is PUT to it', async () => {
    endpoint = createUploadEndpoint(t.core, createHandlers(t.core));
    endpoint.attach();
    const d = await datastore();
    const u = await t.core.datastores.createUploadUrl(t.admin, { workspaceId: d.ws, datastoreId: d.id, key: 'in/report.csv', contentType: 'text/csv' });
    expect(u.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/datastores/${d.id}/upload/`));
    const put = await fetch(u.url, { method: 'PUT', headers: u.headers, body: 'a,b\n1,2\n' });
    expect(put.status).toBe(200);
    const head = await t.core.datastores.head(t.admin, d.ws, d.id, 'in/report.csv');
    expect(head).toMatchObject({ key: 'in/report.csv', size: 8, contentType: 'text/csv' });

    // A second URL reuses the same endpoint (one server, started once).
    const again = await t.core.datastores.createUploadUrl(t.admin, { workspaceId: d.ws, datastoreId: d.id, key: 'in/2.csv', contentType: 'text/csv' });
    expect(new URL(again.url).origin).toBe(new URL(u.url).origin);
  });

  it('serves nothing but signed uploads: no REST API, no downloads, no reference pages', async () => {
    endpoint = createUploadEndpoint(t.core, createHandlers(t.core));
    endpoint.attach();
    const d = await datastore();
    const u = await t.core.datastores.createUploadUrl(t.admin, { workspaceId: d.ws, datastoreId: d.id, key: 'x.txt', contentType: 'text/plain' });
    const origin = new URL(u.url).origin;
    expect((await fetch(`${origin}/health`)).status).toBe(200);
    for (const path of ['/secrets', '/datastores', '/openapi.json', '/docs']) expect((await fetch(`${origin}${path}`)).status, path).toBe(404);
    expect((await fetch(`${origin}/datastores/${d.id}/objects/x.txt`, { headers: { 'x-api-key': 'anything' } })).status).toBe(401);
  });

  it('without an endpoint to start (a bare core) says in plain words how to turn one on', async () => {
    const d = await datastore();
    await expect(t.core.datastores.createUploadUrl(t.admin, { workspaceId: d.ws, datastoreId: d.id, key: 'x.txt', contentType: 'text/plain' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: UPLOAD_ENDPOINT_MISSING,
    });
    expect(UPLOAD_ENDPOINT_MISSING).toMatch(/Settings → REST API/);
  });
});
