import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StepError } from '@core/workflows/step-kind';
import { startTestServer } from '../../helpers/test-server';
import { fakeKind, fakeStep, gate, insertWorkflow, settled } from './run-fixture';

const OWNER = 'owner-key-for-run-rest-tests';
let s: Awaited<ReturnType<typeof startTestServer>>;
let ws: string;
const canary = `rest-canary-${Math.random().toString(36).slice(2)} /+=`;

beforeAll(async () => {
  s = await startTestServer({ PROVENANCE_ADMIN_API_KEY: OWNER }, { ready: true });
  ws = s.core.workspaces.defaultWorkspace().id;
});
afterAll(() => s.stop());

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { 'x-api-key': OWNER, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

describe('runs over REST', () => {
  it('POST /workflows/{id}/runs → 202 {id,status}; GET /runs/{id}; lists; replay → 202; cancel', async () => {
    const secret = s.core.secrets.create({ workspaceId: ws, name: 'rest canary', value: canary }, s.admin);
    let fail = true;
    s.core.runs.internal.steps.replace(
      fakeKind((c, ctx) => {
        if (ctx.stepId === 'b' && fail) throw new StepError('PROVIDER_ERROR', `provider echoed ${String(c.token)} ${encodeURIComponent(String(c.token))}`);
        return { echo: c.token, b64: Buffer.from(String(c.token)).toString('base64') };
      }),
    );
    const w = insertWorkflow(s.core, ws, { name: 'rest', steps: [fakeStep('a', [], { token: { $secret: secret.id } }), fakeStep('b', ['a'], { token: { $secret: secret.id } })] });

    const started = await call('POST', `/workflows/${w}/runs`, {});
    expect(started.status).toBe(202);
    expect(started.json).toEqual({ id: expect.any(String), status: 'queued' });
    const runId = started.json!.id as string;
    await settled(s.core, ws, runId);
    const got = await call('GET', `/runs/${runId}`);
    expect(got.status).toBe(200);
    expect(got.json).toMatchObject({
      id: runId,
      workflowId: w,
      version: 1,
      status: 'failed',
      error: { code: 'PROVIDER_ERROR', stepId: 'b' },
      steps: [
        { stepId: 'a', status: 'succeeded', output: { echo: '***', b64: '***' }, connectionId: null },
        { stepId: 'b', status: 'failed', error: { code: 'PROVIDER_ERROR', message: 'provider echoed *** ***' } },
      ],
    });
    const listed = await call('GET', `/workflows/${w}/runs`);
    expect((listed.json!.items as Array<{ id: string }>).map((r) => r.id)).toEqual([runId]);
    const byStatus = await call('GET', `/runs?status=failed&workflowId=${w}`);
    expect((byStatus.json!.items as unknown[]).length).toBe(1);

    fail = false;
    const replay = await call('POST', `/runs/${runId}/replay`, { from: 'failed' });
    expect(replay.status).toBe(202);
    const again = await settled(s.core, ws, replay.json!.id as string);
    expect(again.steps.map((x) => x.status)).toEqual(['reused', 'succeeded']);
    const replayed = await call('GET', `/runs/${again.id}`);

    expect((await call('POST', `/runs/${runId}/cancel`)).status).toBe(409);
    expect((await call('POST', `/runs/${runId}/replay`, { from: 'middle' })).status).toBe(400);
    expect((await call('POST', `/workflows/${w}/runs`, { inputs: { nope: 1 } })).status).toBe(400);
    expect((await call('GET', '/runs/00000000-0000-4000-8000-000000000000')).status).toBe(404);

    // The canary in none of the answers, in any of its forms.
    const all = [started, got, listed, byStatus, replay, replayed].map((r) => r.text).join('\n');
    for (const form of [canary, Buffer.from(canary).toString('base64'), encodeURIComponent(canary)]) expect(all).not.toContain(form);
  });

  it('cancel over REST stops a running run', async () => {
    const entered = gate();
    s.core.runs.internal.steps.replace(
      fakeKind(
        (_c, ctx) =>
          new Promise((_r, reject) => {
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
            entered.open();
          }),
      ),
    );
    const w = insertWorkflow(s.core, ws, { name: 'rest-cancel', steps: [fakeStep('a')] });
    const { json } = await call('POST', `/workflows/${w}/runs`);
    await entered.promise;
    const c = await call('POST', `/runs/${json!.id as string}/cancel`);
    expect(c.status).toBe(200);
    expect(c.json).toMatchObject({ id: json!.id, status: 'cancelled' });
    await s.core.runs.internal.idle();
  });
});
