import { afterEach, describe, expect, it } from 'vitest';
import { StepError } from '@core/workflows/step-kind';
import { makeReadyCore, unwrap } from '../../helpers/test-core';
import { fakeKind, fakeStep, gate, insertWorkflow, settled } from './run-fixture';

type T = Awaited<ReturnType<typeof makeReadyCore>>;
let t: T;
afterEach(() => t?.close());

async function setup(ports: Parameters<typeof makeReadyCore>[0] = {}) {
  t = await makeReadyCore(ports);
  await t.core.start();
  const ws = t.core.workspaces.defaultWorkspace().id;
  return { ws };
}

describe('runner: DAG order, parallelism, retries, cancel', () => {
  it('runs steps in DAG order with at most maxStepsPerRun in flight', async () => {
    const { ws } = await setup({ runner: { maxStepsPerRun: 2 } });
    let inFlight = 0;
    let max = 0;
    const order: string[] = [];
    t.core.runs.internal.steps.replace(
      fakeKind(async (_c, ctx) => {
        inFlight++;
        max = Math.max(max, inFlight);
        order.push(`start:${ctx.stepId}`);
        // Let the other ready steps be scheduled before this one ends.
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
        inFlight--;
        order.push(`end:${ctx.stepId}`);
        return { id: ctx.stepId, needed: ctx.needed.map((n) => n.stepId) };
      }),
    );
    const id = insertWorkflow(t.core, ws, {
      name: 'wide',
      steps: [fakeStep('a'), fakeStep('b'), fakeStep('c'), fakeStep('d'), fakeStep('e'), fakeStep('last', ['a', 'b', 'c', 'd', 'e'])],
    });
    const started = unwrap(await t.invoke('workflows:run', { workspaceId: ws, id }));
    expect(started.status).toBe('queued');
    const run = await settled(t.core, ws, started.id);
    expect(run.status).toBe('succeeded');
    expect(max).toBe(2);
    expect(order.indexOf('start:last')).toBeGreaterThan(Math.max(...['a', 'b', 'c', 'd', 'e'].map((s) => order.indexOf(`end:${s}`))));
    const last = run.steps.find((s) => s.stepId === 'last')!;
    expect(last).toMatchObject({ status: 'succeeded', attempt: 1, output: { id: 'last', needed: ['a', 'b', 'c', 'd', 'e'] }, outputTruncated: false });
    expect(run.steps.every((s) => s.startedAt && s.endedAt && s.durationMs !== null)).toBe(true);
    // Audit: started and succeeded, with ids only.
    const events = t.core.audit.list({ workspaceId: ws, limit: 500 }, t.admin).items.filter((e) => e.action.startsWith('workflow.run'));
    expect(events.map((e) => e.action).reverse()).toEqual(['workflow.run_started', 'workflow.run_succeeded']);
    expect(events[0]!.details).toMatchObject({ workflowId: id, runId: started.id, version: 1 });
  });

  it('retries transient errors only, with backoff that honours Retry-After', async () => {
    const delays: number[] = [];
    const { ws } = await setup({ runnerWait: async (ms) => void delays.push(ms) });
    const calls = new Map<string, number>();
    t.core.runs.internal.steps.replace(
      fakeKind((c, ctx) => {
        const n = (calls.get(ctx.stepId) ?? 0) + 1;
        calls.set(ctx.stepId, n);
        if (c.mode === 'flaky' && n < 3) throw new StepError('RATE_LIMITED', 'rate limited', { transient: true, retryAfterMs: n === 2 ? 5_000 : undefined });
        if (c.mode === 'broken') throw new StepError('PROVIDER_ERROR', 'the provider said no');
        return { n };
      }),
    );
    const flaky = insertWorkflow(t.core, ws, { name: 'flaky', steps: [fakeStep('f', [], { mode: 'flaky' })] });
    const r1 = await settled(t.core, ws, unwrap(await t.invoke('workflows:run', { workspaceId: ws, id: flaky })).id);
    expect(r1.status).toBe('succeeded');
    expect(r1.steps[0]).toMatchObject({ attempt: 3, status: 'succeeded', output: { n: 3 } });
    // 1 s, then max(2 s backoff, 5 s Retry-After).
    expect(delays).toEqual([1_000, 5_000]);

    const broken = insertWorkflow(t.core, ws, { name: 'broken', steps: [fakeStep('b', [], { mode: 'broken' }), fakeStep('after', ['b'])] });
    const r2 = await settled(t.core, ws, unwrap(await t.invoke('workflows:run', { workspaceId: ws, id: broken })).id);
    expect(r2.status).toBe('failed');
    expect(r2.error).toEqual({ code: 'PROVIDER_ERROR', message: 'the provider said no', stepId: 'b' });
    expect(r2.steps.map((s) => [s.stepId, s.status, s.attempt])).toEqual([
      ['b', 'failed', 1],
      ['after', 'skipped', 0],
    ]);
    expect(calls.get('b')).toBe(1);
    expect(delays).toEqual([1_000, 5_000]);
  });

  it('a retry policy bounds the attempts; an auth failure is never retried', async () => {
    const delays: number[] = [];
    const { ws } = await setup({ runnerWait: async (ms) => void delays.push(ms) });
    t.core.runs.internal.steps.replace(
      fakeKind((c) => {
        if (c.mode === 'auth') throw new StepError('AUTH_FAILED', 'the provider refused the credential (401)', { transient: true, authFailure: true });
        throw new StepError('UNAVAILABLE', 'provider unavailable', { transient: true });
      }),
    );
    const w = insertWorkflow(t.core, ws, { name: 'bounded', steps: [fakeStep('u', [], {}, { retry: { maxAttempts: 2, backoffMs: 10 } })] });
    const r = await settled(t.core, ws, unwrap(await t.invoke('workflows:run', { workspaceId: ws, id: w })).id);
    expect(r.steps[0]).toMatchObject({ status: 'failed', attempt: 2, error: { code: 'UNAVAILABLE' } });
    expect(delays).toEqual([10]);
    const a = insertWorkflow(t.core, ws, { name: 'auth', steps: [fakeStep('x', [], { mode: 'auth' }), fakeStep('y', ['x'])] });
    const ra = await settled(t.core, ws, unwrap(await t.invoke('workflows:run', { workspaceId: ws, id: a })).id);
    expect(ra).toMatchObject({ status: 'failed', error: { code: 'AUTH_FAILED', stepId: 'x' } });
    expect(ra.steps[0]!.attempt).toBe(1);
  });

  it('cancel aborts the running step, cancels pending ones and the run', async () => {
    const { ws } = await setup();
    const entered = gate();
    let sawAbort = false;
    t.core.runs.internal.steps.replace(
      fakeKind(
        (_c, ctx) =>
          new Promise((_resolve, reject) => {
            ctx.signal.addEventListener('abort', () => {
              sawAbort = true;
              reject(ctx.signal.reason as Error);
            });
            entered.open();
          }),
      ),
    );
    const w = insertWorkflow(t.core, ws, { name: 'slow', steps: [fakeStep('slow'), fakeStep('next', ['slow'])] });
    const { id } = unwrap(await t.invoke('workflows:run', { workspaceId: ws, id: w }));
    await entered.promise;
    const c = unwrap(await t.invoke('runs:cancel', { workspaceId: ws, id }));
    expect(c.status).toBe('cancelled');
    await t.core.runs.internal.idle();
    expect(sawAbort).toBe(true);
    const r = unwrap(await t.invoke('runs:get', { workspaceId: ws, id }));
    expect(r.status).toBe('cancelled');
    expect(r.steps.map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
    expect(await t.invoke('runs:cancel', { workspaceId: ws, id })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
  });

  it('a step that outlives its timeout fails with TIMEOUT (transient: retried by its policy)', async () => {
    const { ws } = await setup();
    t.core.runs.internal.steps.replace(
      fakeKind(
        (_c, ctx) =>
          new Promise((_r, reject) => {
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
          }),
      ),
    );
    const w = insertWorkflow(t.core, ws, { name: 'hangs', steps: [fakeStep('h', [], {}, { timeoutMs: 100, retry: { maxAttempts: 1, backoffMs: 0 } })] });
    const r = await settled(t.core, ws, unwrap(await t.invoke('workflows:run', { workspaceId: ws, id: w })).id);
    expect(r.steps[0]).toMatchObject({ status: 'failed', error: { code: 'TIMEOUT', message: 'step timed out after 100 ms' } });
  });

  it('replay reuses the outputs of the steps that succeeded, re-runs the failed one and after; from start re-runs all', async () => {
    const { ws } = await setup();
    const calls = new Map<string, number>();
    let failB = true;
    t.core.runs.internal.steps.replace(
      fakeKind((_c, ctx) => {
        calls.set(ctx.stepId, (calls.get(ctx.stepId) ?? 0) + 1);
        if (ctx.stepId === 'b' && failB) throw new StepError('PROVIDER_ERROR', 'b failed');
        return { from: ctx.stepId, got: ctx.needed.map((n) => n.output) };
      }),
    );
    const w = insertWorkflow(t.core, ws, { name: 'chain', steps: [fakeStep('a'), fakeStep('b', ['a']), fakeStep('c', ['b']), fakeStep('side')] });
    const first = await settled(t.core, ws, unwrap(await t.invoke('workflows:run', { workspaceId: ws, id: w })).id);
    expect(first.status).toBe('failed');
    failB = false;
    const replay = unwrap(await t.invoke('runs:replay', { workspaceId: ws, id: first.id }));
    const second = await settled(t.core, ws, replay.id);
    expect(second).toMatchObject({ status: 'succeeded', trigger: 'replay', replayOf: first.id, version: 1 });
    expect(Object.fromEntries(second.steps.map((s) => [s.stepId, [s.status, s.reusedFrom]]))).toEqual({
      a: ['reused', first.id],
      b: ['succeeded', null],
      c: ['succeeded', null],
      side: ['reused', first.id],
    });
    // a did not run again, and b got a's stored output.
    expect(calls.get('a')).toBe(1);
    expect(calls.get('side')).toBe(1);
    expect(second.steps.find((s) => s.stepId === 'b')!.output).toEqual({ from: 'b', got: [{ from: 'a', got: [] }] });
    // A replay of a replay points at the run that produced the output.
    const third = await settled(t.core, ws, unwrap(await t.invoke('runs:replay', { workspaceId: ws, id: second.id })).id);
    expect(third.steps.find((s) => s.stepId === 'a')!.reusedFrom).toBe(first.id);
    expect(third.steps.find((s) => s.stepId === 'b')!.reusedFrom).toBe(second.id);
    const all = await settled(t.core, ws, unwrap(await t.invoke('runs:replay', { workspaceId: ws, id: first.id, from: 'start' })).id);
    expect(all.steps.every((s) => s.status === 'succeeded')).toBe(true);
    expect(calls.get('a')).toBe(2);
  });

  it('a replay of a run still in progress is a CONFLICT; unknown ids are NOT_FOUND', async () => {
    const { ws } = await setup();
    const entered = gate();
    const release = gate();
    t.core.runs.internal.steps.replace(
      fakeKind(async () => {
        entered.open();
        await release.promise;
        return 1;
      }),
    );
    const w = insertWorkflow(t.core, ws, { name: 'busy', steps: [fakeStep('a')] });
    const { id } = unwrap(await t.invoke('workflows:run', { workspaceId: ws, id: w }));
    await entered.promise;
    expect(await t.invoke('runs:replay', { workspaceId: ws, id })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    release.open();
    await settled(t.core, ws, id);
    const nobody = '00000000-0000-4000-8000-000000000000';
    expect(await t.invoke('runs:get', { workspaceId: ws, id: nobody })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'run not found' } });
    expect(await t.invoke('workflows:run', { workspaceId: ws, id: nobody })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'workflow not found' } });
  });

  it('inputs are the declared defaults with what was given; an undeclared input is refused', async () => {
    const { ws } = await setup();
    t.core.runs.internal.steps.replace(fakeKind((_c, ctx) => ctx.inputs));
    const w = insertWorkflow(t.core, ws, { name: 'inputs', inputs: { region: 'eu', limit: 10 }, steps: [fakeStep('a')] });
    const r = await settled(t.core, ws, unwrap(await t.invoke('workflows:run', { workspaceId: ws, id: w, inputs: { limit: 3 } })).id);
    expect(r.inputs).toEqual({ region: 'eu', limit: 3 });
    expect(r.steps[0]!.output).toEqual({ region: 'eu', limit: 3 });
    expect(await t.invoke('workflows:run', { workspaceId: ws, id: w, inputs: { nope: 1 } })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'inputs.nope' } });
  });

  it('lists runs newest first, by workflow and status, with a cursor', async () => {
    const { ws } = await setup();
    t.core.runs.internal.steps.replace(fakeKind(() => 1));
    const w = insertWorkflow(t.core, ws, { name: 'many', steps: [fakeStep('a')] });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const { id } = unwrap(await t.invoke('workflows:run', { workspaceId: ws, id: w }));
      await settled(t.core, ws, id);
      ids.push(id);
    }
    const p1 = unwrap(await t.invoke('runs:list', { workspaceId: ws, workflowId: w, limit: 2 }));
    expect(p1.items).toHaveLength(2);
    const p2 = unwrap(await t.invoke('runs:list', { workspaceId: ws, workflowId: w, limit: 2, cursor: p1.nextCursor! }));
    expect([...p1.items, ...p2.items].map((r) => r.id).sort()).toEqual([...ids].sort());
    expect(p2.nextCursor).toBeNull();
    expect(unwrap(await t.invoke('runs:list', { workspaceId: ws, status: 'failed' })).items).toEqual([]);
    expect(await t.invoke('runs:list', { workspaceId: ws, cursor: 'garbage' })).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', field: 'cursor' } });
  });

  it('a big output is stored as a summary; later steps get it whole; a replay re-runs that step', async () => {
    const { ws } = await setup();
    const calls = new Map<string, number>();
    let failLast = true;
    t.core.runs.internal.steps.replace(
      fakeKind((_c, ctx) => {
        calls.set(ctx.stepId, (calls.get(ctx.stepId) ?? 0) + 1);
        if (ctx.stepId === 'big') return { blob: 'x'.repeat(100_000) };
        if (failLast) throw new StepError('PROVIDER_ERROR', 'not yet');
        return { length: (ctx.needed[0]!.output as { blob: string }).blob.length };
      }),
    );
    const w = insertWorkflow(t.core, ws, { name: 'big', steps: [fakeStep('big'), fakeStep('last', ['big'])] });
    const first = await settled(t.core, ws, unwrap(await t.invoke('workflows:run', { workspaceId: ws, id: w })).id);
    const big = first.steps[0]!;
    expect(big.outputTruncated).toBe(true);
    expect(big.output).toMatchObject({ truncated: true, type: 'object', bytes: 100_011 });
    expect((big.output as { head: string }).head).toHaveLength(1024);
    failLast = false;
    const second = await settled(t.core, ws, unwrap(await t.invoke('runs:replay', { workspaceId: ws, id: first.id })).id);
    expect(second.steps.map((s) => s.status)).toEqual(['succeeded', 'succeeded']);
    expect(second.steps[1]!.output).toEqual({ length: 100_000 });
    expect(calls.get('big')).toBe(2);
  });
});
