import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, RENDERER_CSP } from '@core/http/http-server';
import { makeTestCore } from '../../helpers/test-core';
import { startTestServer } from '../../helpers/test-server';

/** GET /docs: Swagger UI on /openapi.json, served from swagger-ui-dist on the API's own port, no token, no CDN. */
let consoleServer: Awaited<ReturnType<typeof startTestServer>>;
let restOnly: { url: string; close(): Promise<void> };
beforeAll(async () => {
  consoleServer = await startTestServer();
  // The desktop app's REST server: no console token, no renderer.
  const t = makeTestCore();
  const server = createHttpServer(t.core, t.handlers, { port: 0 });
  const { url } = await server.listen();
  restOnly = {
    url,
    async close() {
      await server.close();
      t.close();
    },
  };
});
afterAll(async () => {
  await consoleServer.stop();
  await restOnly.close();
});

describe.each([
  ['the console server', () => consoleServer.url],
  ["the desktop app's REST server", () => restOnly.url],
])('API reference on %s', (_name, base) => {
  it('serves the page without a token, under the CSP, with no inline script', async () => {
    const r = await fetch(`${base()}/docs`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    const html = await r.text();
    expect(html).toContain('data-testid="api-reference"');
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/src="\/docs\//);
      expect(body!.trim()).toBe('');
    }
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('serves the initializer, pointed at /openapi.json with the external validator off', async () => {
    const r = await fetch(`${base()}/docs/api-reference.js`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/javascript/);
    const js = await r.text();
    expect(js).toContain("url: '/openapi.json'");
    expect(js).toContain('validatorUrl: null');
  });

  it.each([
    ['swagger-ui-bundle.js', /javascript/],
    ['swagger-ui.css', /^text\/css/],
    ['favicon-32x32.png', /^image\/png/],
  ])("serves Swagger UI's %s with its content type", async (file, type) => {
    const r = await fetch(`${base()}/docs/assets/${file}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(type);
    expect(r.headers.get('cache-control')).toBe('no-cache');
    expect((await r.arrayBuffer()).byteLength).toBeGreaterThan(100);
  });

  it("serves none of the package's other files (demo page, source maps, OAuth redirect)", async () => {
    for (const file of ['index.html', 'swagger-initializer.js', 'swagger-ui-bundle.js.map', 'oauth2-redirect.html', 'package.json', '../package.json']) {
      const r = await fetch(`${base()}/docs/assets/${file}`);
      expect(r.status, file).toBe(404);
    }
  });

  it('serves the document the page reads, without a token', async () => {
    const r = await fetch(`${base()}/openapi.json`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { servers: Array<{ url: string }> }).servers[0]!.url).toBe(base());
  });
});
