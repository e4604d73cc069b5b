import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OWNER_KEY, startRestBench, type RestBench } from './rest-harness';

/**
 * Found by the fuzz suite: errors Fastify answers before any hook or route runs came in its own shape
 * (`{"error":"Bad Request","message":…,"statusCode":400}`), and the URL ones quoted the URL back. They are in the
 * API's envelope now, with our own words: headers over 16 KiB (431), broken percent-encoding (400), a path parameter
 * over the router's limit (414); the bridge's envelope under /ipc/ where the URL is known.
 */
let b: RestBench;
beforeAll(async () => {
  b = await startRestBench();
});
afterAll(() => b.stop());

/** A request exactly as given (raw path, no normalisation), answered on a fresh connection. */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: b.port, path, method, headers: { ...headers, 'x-api-key': OWNER_KEY }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('errors answered before any route runs are in the API envelope', () => {
  it('request headers over 16 KiB → 431 {"error":{code,message}}', async () => {
    const r = await raw('/secrets', { 'x-filler': 'a'.repeat(20_000) });
    expect(r.status).toBe(431);
    expect(r.contentType).toContain('application/json');
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'INVALID_INPUT', message: 'the request headers are over 16 KiB' } });
  });

  it('a path with broken percent-encoding → 400 in the envelope, without quoting the URL', async () => {
    const r = await raw('/secrets/%zz-secret-looking-segment');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'INVALID_INPUT', message: 'the URL is not valid: check its percent-encoding', field: 'path' } });
    expect(r.body).not.toContain('secret-looking-segment');
  });

  it('a path parameter over the router limit → 414 in the envelope, without quoting it', async () => {
    const r = await raw(`/secrets/${'x'.repeat(9000)}`);
    expect(r.status).toBe(414);
    expect(JSON.parse(r.body)).toEqual({ error: { code: 'INVALID_INPUT', message: 'a part of the URL is too long', field: 'path' } });
  });

  it("on the console bridge, the bridge's envelope", async () => {
    const r = await raw('/ipc/%zz', { 'x-console-token': b.consoleToken }, 'POST');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: 'the URL is not valid: check its percent-encoding', field: 'path' } });
  });

  it('the server still answers afterwards', async () => {
    expect((await raw('/health')).status).toBe(200);
  });
});
