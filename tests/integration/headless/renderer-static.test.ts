import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpServer, RENDERER_CSP } from '@core/http/http-server';
import { makeTestCore, tempDir } from '../../helpers/test-core';

/** The built renderer as the console serves it: brotli copies when the browser takes br, hashed assets cacheable. */
const script = 'console.log("first screen");\n'.repeat(200);
let t: ReturnType<typeof makeTestCore>;
let server: ReturnType<typeof createHttpServer>;
let url: string;
let dir: string;

beforeAll(async () => {
  dir = tempDir('p1-renderer-');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><script type="module" src="./assets/index-abc123.js"></script>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), script);
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js.br'), zlib.brotliCompressSync(script));
  t = makeTestCore();
  server = createHttpServer(t.core, t.handlers, { port: 0, consoleToken: 'token', rendererDir: dir });
  ({ url } = await server.listen());
});
afterAll(async () => {
  await server.close();
  t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('console static files', () => {
  it('sends the brotli copy of a script to a browser that accepts br, cacheable for good (its name is its hash)', async () => {
    const r = await fetch(`${url}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-encoding')).toBe('br');
    expect(r.headers.get('content-type')).toMatch(/javascript/);
    expect(r.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(r.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(await r.text()).toBe(script); // fetch decodes br
  });

  it('sends the plain file to a client that does not accept br', async () => {
    const r = await fetch(`${url}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(r.headers.get('content-encoding')).toBeNull();
    expect(await r.text()).toBe(script);
  });

  it('never lets a browser keep index.html (it names the current assets)', async () => {
    const r = await fetch(`${url}/`, { headers: { 'accept-encoding': 'br' } });
    expect(r.status).toBe(200);
    expect(r.headers.get('cache-control')).not.toMatch(/immutable|max-age=[1-9]/);
    expect(r.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(await r.text()).toContain('index-abc123.js');
  });
});
