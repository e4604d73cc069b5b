import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '@core/ports';
import type { Run } from '@shared/domain/workflow';
import { scanForCanaries } from '../../helpers/canary';
import { startTestServer } from '../../helpers/test-server';
import { settled } from './run-fixture';

/**
 * The canary through a REAL run (run-canary.test.ts does it with a fake kind): a secret injected with `{"$secret"}`
 * into an http step's header and body, sent by the real http step through a real connection (whose own credential is
 * a second canary) to a careless provider that echoes both back in its 200 body, as is and base64-encoded, and in a
 * 400 error body; a transform step then copies the echoed value into its output (as is, base64, URL-encoded).
 * Neither value may appear in the database file (and its -wal), any file of the data dir, what REST answers for the
 * run, the runs list and the audit log, or the lines the core logged.
 */
const OWNER = 'owner-key-for-run-canary-http';
const logs: string[] = [];
const logger: Logger = { log: (level, message, fields) => void logs.push(JSON.stringify({ level, message, fields })) };
let s: Awaited<ReturnType<typeof startTestServer>>;

/** The careless provider: echoes what it was sent, in a success body and in an error body. */
const seen: Array<{ path: string; headers: http.IncomingHttpHeaders; body: string }> = [];
const provider = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    seen.push({ path: req.url ?? '', headers: req.headers, body });
    const header = String(req.headers['x-canary'] ?? '');
    const auth = String(req.headers.authorization ?? '');
    const echo = {
      header,
      headerB64: Buffer.from(header).toString('base64'),
      auth,
      authB64: Buffer.from(auth).toString('base64'),
      body: JSON.parse(body || 'null') as unknown,
      bodyB64: Buffer.from(body).toString('base64'),
    };
    const status = req.url?.startsWith('/reject') ? 400 : 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(status === 200 ? echo : { message: `token ${header} (${echo.headerB64}) is not allowed with ${auth}`, echo }));
  });
});
let providerUrl = '';

beforeAll(async () => {
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
  providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`;
  s = await startTestServer({ PROVENANCE_ADMIN_API_KEY: OWNER }, { ready: true, ports: { logger } });
});
afterAll(async () => {
  provider.closeAllConnections();
  await new Promise<void>((r) => provider.close(() => r()));
  await s.stop();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { 'x-api-key': OWNER, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/** Text forms the scrubber promises to catch (the on-disk scan adds hex and UTF-16). */
const forms = (v: string) => [v, Buffer.from(v).toString('base64'), Buffer.from(v).toString('base64').replace(/=+$/, ''), Buffer.from(v).toString('base64url'), encodeURIComponent(v), JSON.stringify(v).slice(1, -1)];

describe('canary: a secret injected into a real http step never appears anywhere', () => {
  it('echoed in a 200 body, base64-encoded, in a 400 error body and copied by a transform: scrubbed everywhere', async () => {
    const ws = s.core.workspaces.defaultWorkspace().id;
    const rand = () => Math.random().toString(36).slice(2);
    // Spaces, a slash and a plus: the raw, base64 and URL-encoded forms all differ.
    const canary = `CANARY http/${rand()}+${rand()} value`;
    const credential = `pd-credential-canary-${rand()}${rand()}`;

    const secret = await call('POST', '/secrets', { name: 'canary', value: canary });
    expect(secret.status).toBe(201);
    const secretId = secret.json!.id as string;
    const conn = await call('POST', '/connections', { name: 'careless', provider: 'pagerduty', authType: 'apikey', credential, settings: { baseUrl: providerUrl } });
    expect(conn.status).toBe(201);
    const connectionId = conn.json!.id as string;

    const ref = { $secret: secretId };
    const created = await call('POST', '/workflows', {
      definition: {
        name: 'canary through http',
        steps: [
          { id: 'echo', kind: 'http', config: { connectionId, method: 'POST', path: '/echo', headers: { 'X-Canary': ref }, body: { token: ref, note: 'plain' } } },
          {
            id: 'copy',
            kind: 'transform',
            needs: ['echo'],
            config: { expression: '{"copy": steps.echo.output.body.header, "b64": $base64encode(steps.echo.output.body.header), "url": $encodeUrlComponent(steps.echo.output.body.header), "text": "was " & steps.echo.output.body.body.token}' },
          },
          { id: 'reject', kind: 'http', needs: ['copy'], config: { connectionId, method: 'POST', path: '/reject', headers: { 'X-Canary': ref }, body: { token: ref } } },
        ],
      },
    });
    expect(created.status, created.text).toBe(201);
    const workflowId = created.json!.id as string;

    const started = await call('POST', `/workflows/${workflowId}/runs`, {});
    expect(started.status).toBe(202);
    const runId = started.json!.id as string;
    const run = await settled(s.core, ws, runId);

    // The provider did receive the secret in the header and the body, and the credential: the run really sent them.
    expect(seen.map((r) => r.path)).toEqual(['/echo', '/reject']);
    expect(seen[0]!.headers['x-canary']).toBe(canary);
    expect(JSON.parse(seen[0]!.body)).toEqual({ token: canary, note: 'plain' });
    expect(seen[0]!.headers.authorization).toBe(`Token token=${credential}`);

    // What the run keeps: the shapes, with every injected value and its encodings replaced.
    expect(run.status).toBe('failed');
    expect(run.steps.map((x) => x.status)).toEqual(['succeeded', 'succeeded', 'failed']);
    const byStep = Object.fromEntries(run.steps.map((x) => [x.stepId, x])) as Record<string, Run['steps'][number]>;
    expect(byStep.echo!.output).toMatchObject({ status: 200, body: { header: '***', headerB64: '***', body: { token: '***', note: 'plain' } } });
    expect(byStep.copy!.output).toEqual({ copy: '***', b64: '***', url: '***', text: 'was ***' });
    expect(byStep.reject!.error!.code).toBe('PROVIDER_ERROR');
    expect(byStep.reject!.error!.message).toContain('token *** (***)'); // the error body's echo, kept and scrubbed
    expect(run.error).toMatchObject({ code: 'PROVIDER_ERROR', stepId: 'reject' });

    const responses = [
      await call('GET', `/runs/${runId}`),
      await call('GET', '/runs'),
      await call('GET', `/workflows/${workflowId}/runs`),
      await call('GET', '/audit-events?limit=500'),
      await call('GET', `/workflows/${workflowId}`),
    ];
    for (const r of responses) expect(r.status).toBe(200);
    expect(responses[0]!.json).toMatchObject({ id: runId, status: 'failed', steps: [{ stepId: 'echo' }, { stepId: 'copy' }, { stepId: 'reject' }] });
    const text = [...responses.map((r) => r.text), JSON.stringify(run), JSON.stringify(s.core.audit.list({ workspaceId: ws, limit: 500 }, s.admin))].join('\n');
    expect(text).toContain('connection.used'); // the audit log was read, and holds the run's rows
    const logged = logs.join('\n');
    for (const v of [canary, credential]) {
      for (const f of forms(v)) {
        expect(text.includes(f), `${f} in a response or the audit log`).toBe(false);
        expect(logged.includes(f), `${f} in the logs`).toBe(false);
      }
    }

    // On disk: the database with its -wal while the core is open, then every file once it is closed.
    const open = scanForCanaries([canary, credential], s.dataDir);
    expect(open).toEqual([]);
    s.core.close();
    expect(scanForCanaries([canary, credential], s.dataDir)).toEqual([]);
  });
});
