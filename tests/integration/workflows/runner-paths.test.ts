import { randomUUID } from 'node:crypto';
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '@core/errors';
import { createEventBus } from '@core/events/event-bus';
import { createRunStore, type RunRecord, type RunStore } from '@core/workflows/run-store';
import { abortableWait, createRunner, type RunnerDeps, type RunnerTuning } from '@core/workflows/runner';
import { StepError, type StepContext } from '@core/workflows/step-kind';
import { createStepRegistry } from '@core/workflows/step-registry';
import type { WorkflowDefinition } from '@shared/domain/workflow';
import { makeTestCore } from '../../helpers/test-core';
import { fakeKind, fakeStep, gate, insertWorkflow } from './run-fixture';

/**
 * The runner on its own, over a real run store: the paths the composed core reaches only under load or at shutdown
 * (a busy claim, the heartbeat and what it finds, stop, a definition that cannot be read, a batch that cannot be
 * written), with the store, clock, logger and audit as ports the test watches. Timers that pace the runner
 * (heartbeat, claim retry) are faked; the step batches' setImmediate stays real, and tests wait on the runner's own
 * events (runs:changed, idle) or one event-loop turn.
 */
const cleanup: Array<() => void> = [];
afterEach(() => {
  vi.useRealTimers();
  cleanup.splice(0).reverse().forEach((c) => c());
});

const ACTOR = { kind: 'local', id: 'local:tester', name: 'tester', origin: 'ipc' } as const;
const T0 = Date.parse('2026-03-01T10:00:00.000Z');
const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
/** One turn of the event loop: lets the promise chains a runner event started settle. */
const turn = () => new Promise<void>((r) => setImmediate(r));
const fakeTimers = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });

type Kind = (config: Record<string, unknown>, ctx: StepContext) => Promise<unknown> | unknown;

function bench(o: { tuning?: Partial<RunnerTuning>; wait?: RunnerDeps['wait']; store?: (s: RunStore) => Partial<RunStore>; definition?: RunnerDeps['definition'] } = {}) {
  const t = makeTestCore();
  const ws = t.core.workspaces.defaultWorkspace().id;
  const base = createRunStore(t.core.db);
  const store = { ...base, ...o.store?.(base) };
  let now = T0;
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  const events: Array<{ runId: string; status: string }> = [];
  const audits: Array<{ action: string; actor: unknown; target: unknown; workspaceId: string | null; details?: Record<string, unknown> }> = [];
  const bus = createEventBus();
  bus.subscribe((event, payload) => {
    if (event === 'runs:changed') events.push({ runId: (payload as { runId: string }).runId, status: (payload as { status: string }).status });
  });
  const registry = createStepRegistry();
  let kind: Kind = () => null;
  let references: (config: Record<string, unknown>) => { connections?: string[] } = () => ({});
  registry.register({ ...fakeKind((c, ctx) => kind(c, ctx)), references: (c) => references(c) });
  const defs = new Map<string, WorkflowDefinition>();
  let queued = 0;
  const runner = createRunner({
    store,
    definition: o.definition ?? ((workflowId) => defs.get(workflowId)),
    registry,
    clock,
    logger: { log: (level, message, fields) => void logs.push({ level, message, fields }) },
    bus,
    audit: { record: (e) => (audits.push(e as never), randomUUID()) },
    access: { assert: () => undefined },
    readSecret: () => 'unused',
    getConnection: (_ws, id) => ({ id, name: 'c', status: 'active' }),
    owner: 'me',
    tuning: o.tuning,
    wait: o.wait,
  });
  cleanup.push(() => {
    runner.stop();
    t.close();
  });
  return {
    ws,
    base,
    clock,
    logs,
    events,
    audits,
    runner,
    kind: (k: Kind) => void (kind = k),
    references: (r: typeof references) => void (references = r),
    /** A workflow and one queued run of it (written as the run service does); the runner's definition port knows it. */
    queue(def: WorkflowDefinition): { runId: string; workflowId: string } {
      const workflowId = insertWorkflow(t.core, ws, def);
      defs.set(workflowId, def);
      const runId = randomUUID();
      base.transaction(() =>
        base.insertRun(
          {
            id: runId,
            workspace_id: ws,
            workflow_id: workflowId,
            version: 1,
            status: 'queued',
            trigger: 'manual',
            replay_of: null,
            slot: null,
            started_by: JSON.stringify(ACTOR),
            inputs: '{}',
            queued_at: new Date(T0 - 60_000 + queued++).toISOString(), // claimed in the order queued
          },
          def.steps.map((s, position) => ({ step_id: s.id, position, kind: s.kind, status: 'pending', output: null, output_truncated: 0, reused_from: null })),
        ),
      );
      return { runId, workflowId };
    },
    run: (id: string) => base.run(id) as RunRecord,
    steps: (id: string) => base.steps(id).map((s) => ({ stepId: s.step_id, status: s.status, attempt: s.attempt, error: s.error === null ? null : (JSON.parse(s.error) as unknown) })),
    /** Resolves when the runner announces the run's end (succeeded or failed). */
    ended(runId: string): Promise<string> {
      return new Promise((resolve) => {
        const stop = bus.subscribe((event, payload) => {
          const p = payload as { runId: string; status: string };
          if (event === 'runs:changed' && p.runId === runId && p.status !== 'running') {
            stop();
            resolve(p.status);
          }
        });
      });
    },
  };
}

const one = (name: string, config: Record<string, unknown> = {}): WorkflowDefinition => ({ name, steps: [fakeStep('a', [], config)] });

describe('runner: claiming queued runs', () => {
  it('a busy claim is retried 100 ms later without an error; another failure is logged and retried; one retry timer at a time', async () => {
    fakeTimers();
    const failures: unknown[] = [busy(), busy(), new Error('disk I/O error'), 'not an error'];
    let claims = 0;
    const b = bench({
      store: (s) => ({
        claimNext: (owner: string, at: string) => {
          claims++;
          const f = failures.shift();
          if (f !== undefined) throw f;
          return s.claimNext(owner, at);
        },
      }),
    });
    b.kind(() => 'done');
    const { runId } = b.queue(one('claimed-late'));
    b.runner.kick();
    b.runner.kick();
    expect(claims).toBe(2);
    expect(b.logs).toEqual([]);
    vi.advanceTimersByTime(99);
    expect(claims).toBe(2);
    vi.advanceTimersByTime(1);
    expect(claims).toBe(3);
    expect(b.logs).toEqual([{ level: 'error', message: 'runner: could not claim a queued run', fields: { error: 'disk I/O error' } }]);
    vi.advanceTimersByTime(100);
    expect(claims).toBe(4);
    expect(b.logs[1]).toEqual({ level: 'error', message: 'runner: could not claim a queued run', fields: { error: 'unknown' } });
    expect(b.run(runId).status).toBe('queued');
    const done = b.ended(runId);
    vi.advanceTimersByTime(100);
    expect(claims).toBe(6); // the run, then none left
    expect(b.run(runId)).toMatchObject({ status: 'running', owner: 'me', started_at: new Date(T0).toISOString() });
    expect(await done).toBe('succeeded');
  });

  it('claims at most maxRuns at once, and the next when one ends', async () => {
    const b = bench({ tuning: { maxRuns: 1 } });
    const gates = new Map([
      ['first', gate<unknown>()],
      ['second', gate<unknown>()],
    ]);
    b.kind((c) => gates.get(c.which as string)!.promise);
    const first = b.queue(one('first', { which: 'first' }));
    const second = b.queue(one('second', { which: 'second' }));
    expect(b.runner.activeCount()).toBe(0);
    b.runner.kick();
    expect(b.runner.activeCount()).toBe(1);
    expect(b.run(second.runId).status).toBe('queued');
    const secondEnded = b.ended(second.runId);
    gates.get('first')!.open(1);
    expect(await b.ended(first.runId)).toBe('succeeded');
    await turn();
    expect(b.run(second.runId).status).toBe('running');
    expect(b.runner.activeCount()).toBe(1);
    gates.get('second')!.open(2);
    expect(await secondEnded).toBe('succeeded');
  });
});

describe('runner: the heartbeat', () => {
  it('is written every heartbeatMs by one timer while runs execute, stops when none does and starts again with the next', async () => {
    fakeTimers();
    const beats: string[] = [];
    const b = bench({ tuning: { heartbeatMs: 1_000 }, store: (s) => ({ heartbeat: (owner: string, at: string) => (beats.push(`${owner} ${at}`), s.heartbeat(owner, at)) }) });
    const gates = new Map([
      ['one', gate<unknown>()],
      ['two', gate<unknown>()],
      ['three', gate<unknown>()],
    ]);
    b.kind((c) => gates.get(c.which as string)!.promise);
    const r1 = b.queue(one('one', { which: 'one' }));
    const r2 = b.queue(one('two', { which: 'two' }));
    b.runner.kick();
    expect(b.runner.activeCount()).toBe(2);
    vi.advanceTimersByTime(999);
    expect(beats).toEqual([]);
    b.clock.advance(5_000);
    vi.advanceTimersByTime(1);
    expect(beats).toEqual(['me 2026-03-01T10:00:05.000Z']);
    expect(b.run(r1.runId).heartbeat_at).toBe('2026-03-01T10:00:05.000Z');
    expect(b.run(r2.runId).heartbeat_at).toBe('2026-03-01T10:00:05.000Z');

    gates.get('one')!.open(1);
    expect(await b.ended(r1.runId)).toBe('succeeded');
    await turn();
    vi.advanceTimersByTime(1_000); // one run left: the heartbeat goes on
    expect(beats).toHaveLength(2);
    gates.get('two')!.open(2);
    expect(await b.ended(r2.runId)).toBe('succeeded');
    await b.runner.idle();
    vi.advanceTimersByTime(5_000);
    expect(beats).toHaveLength(2);

    const r3 = b.queue(one('three', { which: 'three' }));
    b.runner.kick();
    vi.advanceTimersByTime(1_000);
    expect(beats).toHaveLength(3);
    gates.get('three')!.open(3);
    expect(await b.ended(r3.runId)).toBe('succeeded');
  });

  it('aborts only the run another process ended (cancelled there), and leaves its record as that process wrote it', async () => {
    fakeTimers();
    const b = bench({ tuning: { heartbeatMs: 1_000 } });
    let reason: unknown;
    const entered = gate();
    const sawAbort = gate();
    const other = gate<unknown>();
    b.kind((c, ctx) => {
      if (c.which === 'other') return other.promise;
      return new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          reason = ctx.signal.reason;
          sawAbort.open();
          reject(ctx.signal.reason as Error);
        });
        entered.open();
      });
    });
    const cancelled = b.queue({ name: 'cancelled', steps: [fakeStep('a'), fakeStep('b', ['a'])] });
    const kept = b.queue(one('kept', { which: 'other' }));
    b.runner.kick();
    await entered.promise;
    b.base.cancel(cancelled.runId, new Date(T0).toISOString(), () => undefined); // another process's cancel
    vi.advanceTimersByTime(1_000);
    await sawAbort.promise;
    expect(reason).toBeInstanceOf(Error);
    expect((reason as Error).message).toBe('run cancelled');
    await turn();
    expect(b.runner.activeCount()).toBe(1);
    expect(b.run(cancelled.runId).status).toBe('cancelled');
    expect(b.steps(cancelled.runId).map((s) => s.status)).toEqual(['cancelled', 'cancelled']);
    expect(b.events.filter((e) => e.runId === cancelled.runId).map((e) => e.status)).not.toContain('failed');

    other.open('fine');
    expect(await b.ended(kept.runId)).toBe('succeeded');
    expect(b.audits.map((a) => [a.action, (a.details as { runId: string }).runId])).toEqual([['workflow.run_succeeded', kept.runId]]);
  });

  it('a busy heartbeat is skipped quietly; another failure is a warning', async () => {
    fakeTimers();
    const failures: unknown[] = [busy(), new Error('disk I/O error'), 42];
    const b = bench({
      tuning: { heartbeatMs: 1_000 },
      store: (s) => ({
        heartbeat: (owner: string, at: string) => {
          const f = failures.shift();
          if (f !== undefined) throw f;
          return s.heartbeat(owner, at);
        },
      }),
    });
    const g = gate<unknown>();
    b.kind(() => g.promise);
    const { runId } = b.queue(one('beating'));
    b.runner.kick();
    vi.advanceTimersByTime(1_000);
    expect(b.logs).toEqual([]);
    vi.advanceTimersByTime(2_000);
    expect(b.logs).toEqual([
      { level: 'warn', message: 'runner: heartbeat failed', fields: { error: 'disk I/O error' } },
      { level: 'warn', message: 'runner: heartbeat failed', fields: { error: 'unknown' } },
    ]);
    expect(b.run(runId).status).toBe('running');
    g.open(1);
    expect(await b.ended(runId)).toBe('succeeded');
  });
});

describe('runner: stop, abort, idle', () => {
  it('stop writes the transitions queued so far, aborts as "closing", frees idle waiters and claims nothing after', async () => {
    fakeTimers();
    let beats = 0;
    const b = bench({ tuning: { heartbeatMs: 1_000 }, store: (s) => ({ heartbeat: (owner: string, at: string) => (beats++, s.heartbeat(owner, at)) }) });
    let reason: unknown;
    // The step never settles: only stop can free the idle waiter.
    b.kind((_c, ctx) => new Promise(() => ctx.signal.addEventListener('abort', () => (reason = ctx.signal.reason))));
    const { runId } = b.queue(one('stopped'));
    await b.runner.idle(); // nothing executes yet: at once
    b.runner.kick();
    const idle = b.runner.idle();
    expect(b.runner.stop()).toEqual([runId]);
    await idle;
    expect((reason as Error).message).toBe('the app is closing');
    expect(b.steps(runId)).toEqual([{ stepId: 'a', status: 'running', attempt: 1, error: null }]);
    expect(b.run(runId)).toMatchObject({ status: 'running', owner: 'me' }); // the core's close marks it interrupted
    vi.advanceTimersByTime(5_000);
    expect(beats).toBe(0);
    const later = b.queue(one('later'));
    b.runner.kick();
    expect(b.run(later.runId).status).toBe('queued');
    expect(b.audits).toEqual([]);
  });

  it('stop cancels a pending claim retry', () => {
    fakeTimers();
    let claims = 0;
    const b = bench({
      store: () => ({
        claimNext: () => {
          claims++;
          throw busy();
        },
      }),
    });
    b.queue(one('never'));
    b.runner.kick();
    b.runner.stop();
    vi.advanceTimersByTime(1_000);
    expect(claims).toBe(1);
  });

  it('abort answers whether the run executes here, and aborts it as a cancel without ending it (the cancel wrote it)', async () => {
    const b = bench();
    let reason: unknown;
    const entered = gate();
    b.kind(
      (_c, ctx) =>
        new Promise((_r, reject) => {
          ctx.signal.addEventListener('abort', () => {
            reason = ctx.signal.reason;
            reject(ctx.signal.reason as Error);
          });
          entered.open();
        }),
    );
    const { runId } = b.queue(one('aborted'));
    expect(b.runner.abort(runId)).toBe(false);
    b.runner.kick();
    await entered.promise;
    expect(b.runner.abort(randomUUID())).toBe(false);
    expect(b.runner.abort(runId)).toBe(true);
    await b.runner.idle();
    expect((reason as Error).message).toBe('run cancelled');
    expect(b.run(runId).status).toBe('running');
    expect(b.audits).toEqual([]);
    expect(b.runner.activeCount()).toBe(0);
  });
});

describe('runner: how a run ends', () => {
  it('a definition that cannot be read fails the run as INTERNAL, logged by the error’s name', async () => {
    const b = bench({
      definition: () => {
        throw new SyntaxError('Unexpected token } in JSON at position 3');
      },
    });
    const { runId, workflowId } = b.queue(one('unreadable'));
    const ended = b.ended(runId);
    b.runner.kick();
    expect(await ended).toBe('failed');
    expect(b.logs).toEqual([{ level: 'error', message: 'runner: run ended unexpectedly', fields: { runId, error: 'SyntaxError' } }]);
    expect(JSON.parse(b.run(runId).error!)).toEqual({ code: 'INTERNAL', message: 'the run could not be executed; see the app log' });
    expect(b.steps(runId)).toEqual([{ stepId: 'a', status: 'skipped', attempt: 0, error: null }]);
    expect(b.audits).toEqual([
      {
        workspaceId: b.ws,
        action: 'workflow.run_failed',
        actor: ACTOR,
        target: { type: 'workflow', id: workflowId },
        details: { workflowId, runId, version: 1, stepId: null, errorCode: 'INTERNAL', durationMs: 0 },
      },
    ]);
  });

  it('a thrown value that is not an Error is logged as unknown; a missing version fails NOT_FOUND with no step', async () => {
    let calls = 0;
    const b = bench({
      definition: () => {
        calls++;
        if (calls === 1) throw 'not an error' as unknown as Error;
        return undefined;
      },
    });
    const first = b.queue(one('odd'));
    const second = b.queue(one('gone'));
    const ends = [b.ended(first.runId), b.ended(second.runId)];
    b.runner.kick();
    expect(await Promise.all(ends)).toEqual(['failed', 'failed']);
    expect(b.logs).toEqual([{ level: 'error', message: 'runner: run ended unexpectedly', fields: { runId: first.runId, error: 'unknown' } }]);
    expect(JSON.parse(b.run(second.runId).error!)).toEqual({ code: 'NOT_FOUND', message: 'version 1 of this workflow was not found' });
    expect(b.audits.find((a) => (a.details as { runId: string }).runId === second.runId)!.details).toMatchObject({ stepId: null, errorCode: 'NOT_FOUND' });
  });

  it('the end is audited with the run’s duration on the clock; a failure names its step and code, a success neither', async () => {
    const b = bench();
    b.kind((c) => {
      b.clock.advance(1_500);
      if (c.fail) throw new StepError('PROVIDER_ERROR', 'the provider said no');
      return 'ok';
    });
    const good = b.queue(one('good'));
    const bad = b.queue(one('bad', { fail: true }));
    const ends = [b.ended(good.runId), b.ended(bad.runId)];
    // good is claimed at T0 and its step moves the clock on before bad is claimed (T0 + 1.5 s); both end at T0 + 3 s.
    b.runner.kick();
    expect(await Promise.all(ends)).toEqual(['succeeded', 'failed']);
    const details = (runId: string) => b.audits.find((a) => (a.details as { runId: string }).runId === runId)!;
    expect(details(good.runId)).toMatchObject({ action: 'workflow.run_succeeded', target: { type: 'workflow', id: good.workflowId } });
    expect(details(good.runId).details).toEqual({ workflowId: good.workflowId, runId: good.runId, version: 1, durationMs: 3_000 });
    expect(details(bad.runId).details).toEqual({ workflowId: bad.workflowId, runId: bad.runId, version: 1, stepId: 'a', errorCode: 'PROVIDER_ERROR', durationMs: 1_500 });
    expect(JSON.parse(b.run(bad.runId).error!)).toEqual({ code: 'PROVIDER_ERROR', message: 'the provider said no', stepId: 'a' });
    expect(b.run(good.runId)).toMatchObject({ status: 'succeeded', error: null, ended_at: new Date(T0 + 3_000).toISOString() });
    const iso = (ms: number) => new Date(T0 + ms).toISOString();
    expect(b.base.steps(good.runId)[0]).toMatchObject({ status: 'succeeded', started_at: iso(0), ended_at: iso(3_000), duration_ms: 3_000, output: '"ok"' });
    expect(b.base.steps(bad.runId)[0]).toMatchObject({ status: 'failed', started_at: iso(1_500), ended_at: iso(3_000), duration_ms: 1_500, output: null });
  });

  it('a run ended elsewhere while its last step ran is neither audited nor announced again', async () => {
    const b = bench();
    const { runId } = b.queue(one('raced'));
    b.kind(() => {
      b.base.cancel(runId, new Date(T0).toISOString(), () => undefined);
      return 'late';
    });
    b.runner.kick();
    await b.runner.idle();
    expect(b.run(runId).status).toBe('cancelled');
    expect(b.audits).toEqual([]);
    expect(b.events.filter((e) => e.runId === runId && e.status !== 'running')).toEqual([]);
  });

  it('transitions that cannot be written are logged by the error’s name; the run still ends, announced once', async () => {
    const b = bench({
      store: () => ({
        stepTransition: () => {
          throw Object.assign(new Error('disk I/O error'), { name: 'SqliteError' });
        },
      }),
    });
    b.kind(() => 'ok');
    const { runId } = b.queue(one('unwritten'));
    const ended = b.ended(runId);
    b.runner.kick();
    expect(await ended).toBe('succeeded');
    expect(b.logs.length).toBeGreaterThan(0);
    expect(new Set(b.logs.map((l) => JSON.stringify(l)))).toEqual(new Set([JSON.stringify({ level: 'error', message: 'runner: could not record step transitions', fields: { error: 'SqliteError' } })]));
    expect(b.events.filter((e) => e.runId === runId).map((e) => e.status)).toEqual(['running', 'succeeded']);
  });

  it('needs that form a cycle (never saved, but stored by an older build) fail the run: those steps could never run', async () => {
    const b = bench();
    b.kind(() => 'ok');
    const { runId } = b.queue({ name: 'cyclic', steps: [fakeStep('ok'), fakeStep('x', ['y']), fakeStep('y', ['x']), fakeStep('z', ['nope'])] });
    const ended = b.ended(runId);
    b.runner.kick();
    expect(await ended).toBe('failed');
    expect(JSON.parse(b.run(runId).error!)).toEqual({ code: 'INVALID_INPUT', message: 'some steps could never run: their needs form a cycle or name unknown steps' });
    expect(b.steps(runId).map((s) => [s.stepId, s.status])).toEqual([
      ['ok', 'succeeded'],
      ['x', 'skipped'],
      ['y', 'skipped'],
      ['z', 'skipped'],
    ]);
  });
});

describe('runner: a step’s view and its failures', () => {
  it('a step sees the outputs of its ancestors only, through every Map method', async () => {
    const b = bench();
    let seen: unknown;
    const self = { marker: true };
    b.kind((_c, ctx) => {
      if (ctx.stepId !== 'c') return ctx.stepId.toUpperCase();
      const o = ctx.outputs;
      const each: unknown[] = [];
      o.forEach(function (this: unknown, v, k, m) {
        each.push([k, v, this === self, m === o]);
      }, self);
      seen = {
        size: o.size,
        has: [o.has('a'), o.has('b'), o.has('x'), o.has('c')],
        get: [o.get('a'), o.get('x')],
        keys: [...o.keys()],
        values: [...o.values()],
        entries: [...o.entries()],
        iterated: [...o],
        each,
        needed: ctx.needed,
      };
      return null;
    });
    const { runId } = b.queue({ name: 'view', steps: [fakeStep('x'), fakeStep('a'), fakeStep('b', ['a']), fakeStep('c', ['b'])] });
    const ended = b.ended(runId);
    b.runner.kick();
    expect(await ended).toBe('succeeded');
    expect(seen).toEqual({
      size: 2,
      has: [true, true, false, false],
      get: ['A', undefined],
      keys: ['b', 'a'],
      values: ['B', 'A'],
      entries: [
        ['b', 'B'],
        ['a', 'A'],
      ],
      iterated: [
        ['b', 'B'],
        ['a', 'A'],
      ],
      each: [
        ['b', 'B', true, true],
        ['a', 'A', true, true],
      ],
      needed: [{ stepId: 'b', output: 'B' }],
    });
  });

  it('each transient AppError code is retried, honouring its retryAfter up to the cap; others fail at once', async () => {
    const delays: number[] = [];
    const b = bench({ tuning: { maxRetryAfterMs: 2_500 }, wait: async (ms) => void delays.push(ms) });
    b.kind((c, ctx) => {
      if (ctx.attempt === 1 && c.code) throw new AppError(c.code as never, `said ${c.code as string}`, undefined, c.retryAfter as number | undefined);
      return ctx.attempt;
    });
    const codes = ['RATE_LIMITED', 'UNAVAILABLE', 'BUSY', 'TIMEOUT'];
    const transient = b.queue({ name: 'transient', steps: codes.map((code, i) => fakeStep(`s${i}`, i ? [`s${i - 1}`] : [], { code, retryAfter: i === 0 ? 2 : i === 1 ? 9 : undefined })) });
    const ended = b.ended(transient.runId);
    b.runner.kick();
    expect(await ended).toBe('succeeded');
    expect(b.steps(transient.runId).map((s) => s.attempt)).toEqual([2, 2, 2, 2]);
    expect(delays).toEqual([2_000, 2_500, 1_000, 1_000]);

    const final = b.queue(one('final', { code: 'FORBIDDEN', retryAfter: 1 }));
    const finalEnded = b.ended(final.runId);
    b.runner.kick();
    expect(await finalEnded).toBe('failed');
    expect(b.steps(final.runId)).toEqual([{ stepId: 'a', status: 'failed', attempt: 1, error: { code: 'FORBIDDEN', message: 'said FORBIDDEN' } }]);
    expect(delays).toHaveLength(4);
  });

  it('an AbortError the step threw itself is CANCELLED; a thrown non-Error is STEP_FAILED; neither is retried', async () => {
    const b = bench({ wait: async () => undefined });
    b.kind((c) => {
      if (c.mode === 'abort') throw new DOMException('The operation was aborted', 'AbortError');
      throw 'plain text' as unknown as Error;
    });
    const aborted = b.queue(one('aborted', { mode: 'abort' }));
    const odd = b.queue(one('odd'));
    const ends = [b.ended(aborted.runId), b.ended(odd.runId)];
    b.runner.kick();
    expect(await Promise.all(ends)).toEqual(['failed', 'failed']);
    expect(b.steps(aborted.runId)).toEqual([{ stepId: 'a', status: 'failed', attempt: 1, error: { code: 'CANCELLED', message: 'step aborted' } }]);
    expect(b.steps(odd.runId)).toEqual([{ stepId: 'a', status: 'failed', attempt: 1, error: { code: 'STEP_FAILED', message: 'step failed' } }]);
  });

  it('a step without a timeout of its own gets defaultStepTimeoutMs', async () => {
    fakeTimers();
    const b = bench({ tuning: { defaultStepTimeoutMs: 500 } });
    const entered = gate();
    b.kind(
      (_c, ctx) =>
        new Promise((_r, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
          entered.open();
        }),
    );
    const { runId } = b.queue({ name: 'slow', steps: [{ ...fakeStep('a'), retry: { maxAttempts: 1, backoffMs: 0 } }] });
    const ended = b.ended(runId);
    b.runner.kick();
    await entered.promise;
    vi.advanceTimersByTime(499);
    await turn();
    expect(b.run(runId).status).toBe('running');
    vi.advanceTimersByTime(1);
    expect(await ended).toBe('failed');
    expect(b.steps(runId)[0]!.error).toEqual({ code: 'TIMEOUT', message: 'step timed out after 500 ms' });
  });
});

describe('runner: transitions as they happen', () => {
  it('transitions are written while steps wait, a batch at a time, with one runs:changed per run per batch', async () => {
    const b = bench();
    const gates = new Map(['a', 'b', 'c'].map((id) => [id, gate<unknown>()]));
    b.kind((_c, ctx) => gates.get(ctx.stepId)!.promise);
    const { runId } = b.queue({ name: 'batched', steps: [fakeStep('a'), fakeStep('b'), fakeStep('c', ['a', 'b'])] });
    const ended = b.ended(runId);
    b.runner.kick();
    await turn();
    expect(b.steps(runId).map((s) => [s.stepId, s.status, s.attempt])).toEqual([
      ['a', 'running', 1],
      ['b', 'running', 1],
      ['c', 'pending', 0],
    ]);
    expect(b.events.filter((e) => e.runId === runId).map((e) => e.status)).toEqual(['running', 'running']); // the claim, then one batch of two
    gates.get('a')!.open('A');
    await turn();
    await turn();
    expect(b.steps(runId).map((s) => s.status)).toEqual(['succeeded', 'running', 'pending']);
    gates.get('b')!.open('B');
    await turn();
    await turn();
    expect(b.steps(runId).map((s) => s.status)).toEqual(['succeeded', 'succeeded', 'running']);
    gates.get('c')!.open('C');
    expect(await ended).toBe('succeeded');
  });

  it('while a step waits for its next attempt it shows the last error; backoff doubles from the policy’s, 3 attempts by default', async () => {
    const delays: number[] = [];
    let entered = gate<() => void>();
    const b = bench({
      wait: (ms) =>
        new Promise<void>((release) => {
          delays.push(ms);
          const e = entered;
          entered = gate();
          e.open(release);
        }),
    });
    b.kind((_c, ctx) => {
      if (ctx.attempt < 3) throw new StepError('UNAVAILABLE', `down ${ctx.attempt}`, { transient: true });
      return ctx.attempt;
    });
    const { runId } = b.queue({ name: 'backoff', steps: [{ ...fakeStep('a'), retry: { backoffMs: 10 } } as WorkflowDefinition['steps'][number]] });
    const ended = b.ended(runId);
    const first = entered;
    b.runner.kick();
    const release1 = await first.promise;
    await turn();
    expect(b.steps(runId)).toEqual([{ stepId: 'a', status: 'running', attempt: 1, error: { code: 'UNAVAILABLE', message: 'down 1' } }]);
    const second = entered;
    release1();
    (await second.promise)();
    expect(await ended).toBe('succeeded');
    expect(b.steps(runId)).toEqual([{ stepId: 'a', status: 'succeeded', attempt: 3, error: null }]);
    expect(delays).toEqual([10, 20]);
  });

  it('after a step fails no new step starts; the steps in flight finish', async () => {
    const b = bench();
    const slow = gate<unknown>();
    b.kind((c) => {
      if (c.fail) throw new StepError('PROVIDER_ERROR', 'no');
      return c.slow ? slow.promise : 'quick';
    });
    const { runId } = b.queue({ name: 'stops', steps: [fakeStep('a', [], { fail: true }), fakeStep('b', [], { slow: true }), fakeStep('c', ['b'])] });
    const ended = b.ended(runId);
    b.runner.kick();
    await turn();
    await turn();
    expect(b.steps(runId).map((s) => s.status)).toEqual(['failed', 'running', 'pending']);
    slow.open('late');
    expect(await ended).toBe('failed');
    expect(b.steps(runId).map((s) => s.status)).toEqual(['failed', 'succeeded', 'skipped']);
    expect(JSON.parse(b.run(runId).error!)).toEqual({ code: 'PROVIDER_ERROR', message: 'no', stepId: 'a' });
  });

  it('a step that ignores its signal and returns after its timeout fails with TIMEOUT all the same', async () => {
    fakeTimers();
    const b = bench();
    const late = gate<unknown>();
    const entered = gate();
    b.kind(() => (entered.open(), late.promise));
    const { runId } = b.queue({ name: 'late', steps: [fakeStep('a', [], {}, { timeoutMs: 200, retry: { maxAttempts: 1, backoffMs: 0 } })] });
    const ended = b.ended(runId);
    b.runner.kick();
    await entered.promise;
    vi.advanceTimersByTime(200);
    late.open('too late');
    expect(await ended).toBe('failed');
    expect(b.steps(runId)).toEqual([{ stepId: 'a', status: 'failed', attempt: 1, error: { code: 'TIMEOUT', message: 'step timed out after 200 ms' } }]);
  });
});

describe('runner: shapes and connections', () => {
  it('a long chain of diamonds runs at once (each step’s ancestors are computed once)', async () => {
    // 30 layers of two steps, each needing both of the layer before: 2^30 paths from the last step to the first.
    const steps = [fakeStep('l0a'), fakeStep('l0b')];
    for (let i = 1; i < 30; i++) steps.push(fakeStep(`l${i}a`, [`l${i - 1}a`, `l${i - 1}b`]), fakeStep(`l${i}b`, [`l${i - 1}a`, `l${i - 1}b`]));
    const b = bench();
    let sawFirst: unknown;
    b.kind((_c, ctx) => {
      if (ctx.stepId === 'l29a') sawFirst = ctx.outputs.get('l0b');
      return ctx.stepId;
    });
    const { runId } = b.queue({ name: 'diamonds', steps });
    const ended = b.ended(runId);
    b.runner.kick();
    expect(await ended).toBe('succeeded');
    expect(sawFirst).toBe('l0b');
  });

  it('a connection the step names is recorded with the step’s running transition in one commit, before the kind runs', () => {
    const b = bench();
    const connectionId = randomUUID();
    let rowWhenCalled: unknown;
    b.references((c) => ({ connections: [c.connectionId as string, c.connectionId as string] }));
    const { runId } = b.queue({ name: 'conn', steps: [fakeStep('a', [], { connectionId })] });
    b.kind(() => {
      const row = b.base.steps(runId)[0]!;
      rowWhenCalled = { status: row.status, attempt: row.attempt, connection: row.connection_id };
      return new Promise(() => undefined);
    });
    b.runner.kick(); // no turn of the event loop: the claim, the step's start and the connection are one synchronous pass
    expect(rowWhenCalled).toEqual({ status: 'running', attempt: 1, connection: connectionId });
    expect(b.audits.map((a) => [a.action, a.target, a.details])).toEqual([
      ['connection.used', { type: 'connection', id: connectionId, name: 'c' }, { workflowId: b.run(runId).workflow_id, runId, stepId: 'a' }],
    ]);
    expect(b.events.filter((e) => e.runId === runId).map((e) => e.status)).toEqual(['running', 'running']);
  });
});

describe('abortableWait (the runner’s wait between attempts)', () => {
  it('resolves after the delay and leaves no listener on the signal', async () => {
    fakeTimers();
    const c = new AbortController();
    let done = false;
    const p = abortableWait(1_000, c.signal).then(() => (done = true));
    vi.advanceTimersByTime(999);
    await Promise.resolve();
    expect(done).toBe(false);
    vi.advanceTimersByTime(1);
    await p;
    expect(done).toBe(true);
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
  });

  it('rejects with the abort reason, at once when already aborted, and clears its timer and listener', async () => {
    fakeTimers();
    const before = new AbortController();
    const why = new Error('why');
    before.abort(why);
    await expect(abortableWait(1_000, before.signal)).rejects.toBe(why);
    expect(vi.getTimerCount()).toBe(0);

    const during = new AbortController();
    const p = abortableWait(1_000, during.signal);
    expect(vi.getTimerCount()).toBe(1);
    const reason = new Error('cancelled');
    during.abort(reason);
    await expect(p).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    expect(getEventListeners(during.signal, 'abort')).toHaveLength(0);
  });
});

describe('runner: what each failure becomes', () => {
  it('a plain Error the step throws is STEP_FAILED with its message (not CANCELLED), tried once', async () => {
    const b = bench({ wait: async () => undefined });
    let calls = 0;
    b.kind(() => {
      calls++;
      throw new Error('the parser broke');
    });
    const { runId } = b.queue(one('plain'));
    const ended = b.ended(runId);
    b.runner.kick();
    expect(await ended).toBe('failed');
    expect(b.steps(runId)).toEqual([{ stepId: 'a', status: 'failed', attempt: 1, error: { code: 'STEP_FAILED', message: 'the parser broke' } }]);
    expect(calls).toBe(1);
  });

  it('a timeout is transient: a step with no retry policy of its own is tried again', async () => {
    fakeTimers();
    const delays: number[] = [];
    const b = bench({ wait: async (ms) => void delays.push(ms) });
    const entered = gate();
    b.kind((_c, ctx) => {
      if (ctx.attempt > 1) return 'second time';
      return new Promise((_r, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
        entered.open();
      });
    });
    const { runId } = b.queue({ name: 'timed-out-once', steps: [fakeStep('a', [], {}, { timeoutMs: 200 })] });
    const ended = b.ended(runId);
    b.runner.kick();
    await entered.promise;
    vi.advanceTimersByTime(200);
    expect(await ended).toBe('succeeded');
    expect(b.steps(runId)).toEqual([{ stepId: 'a', status: 'succeeded', attempt: 2, error: null }]);
    expect(delays).toEqual([1_000]);
  });

  it('a step that rejects with an error of its own once timed out fails with TIMEOUT, not with its error', async () => {
    fakeTimers();
    const b = bench();
    const entered = gate();
    b.kind(
      (_c, ctx) =>
        new Promise((_r, reject) => {
          ctx.signal.addEventListener('abort', () => reject(new Error('socket hang up')));
          entered.open();
        }),
    );
    const { runId } = b.queue({ name: 'own-error', steps: [fakeStep('a', [], {}, { timeoutMs: 200, retry: { maxAttempts: 1, backoffMs: 0 } })] });
    const ended = b.ended(runId);
    b.runner.kick();
    await entered.promise;
    vi.advanceTimersByTime(200);
    expect(await ended).toBe('failed');
    expect(b.steps(runId)).toEqual([{ stepId: 'a', status: 'failed', attempt: 1, error: { code: 'TIMEOUT', message: 'step timed out after 200 ms' } }]);
  });

  it('a step whose kind this build lacks fails with INVALID_INPUT naming the kind, tried once', async () => {
    const b = bench({ wait: async () => undefined });
    let calls = 0;
    b.kind(() => (calls++, 'never'));
    const step = { ...fakeStep('a'), kind: 'storage' } as WorkflowDefinition['steps'][number];
    const { runId } = b.queue({ name: 'kind-gone', steps: [step] });
    const ended = b.ended(runId);
    b.runner.kick();
    expect(await ended).toBe('failed');
    const error = { code: 'INVALID_INPUT', message: 'step kind "storage" is not available in this build' };
    expect(b.steps(runId)).toEqual([{ stepId: 'a', status: 'failed', attempt: 1, error }]);
    expect(JSON.parse(b.run(runId).error!)).toEqual({ ...error, stepId: 'a' });
    expect(calls).toBe(0);
  });

  it('a cancel while a step waits for its next attempt ends the step there: no further attempt', async () => {
    const waiting = gate();
    const b = bench({
      wait: (_ms, signal) =>
        new Promise<void>((_r, reject) => {
          signal.addEventListener('abort', () => reject(signal.reason as Error));
          waiting.open();
        }),
    });
    let calls = 0;
    b.kind(() => {
      calls++;
      throw new StepError('UNAVAILABLE', 'down', { transient: true });
    });
    const { runId } = b.queue(one('cancelled-waiting'));
    b.runner.kick();
    await waiting.promise;
    expect(b.runner.abort(runId)).toBe(true);
    await b.runner.idle();
    expect(calls).toBe(1);
    expect(b.audits).toEqual([]);
  });

  it('a connection that cannot be recorded fails the step; the transitions that were to commit with it are written later', async () => {
    const written: string[] = [];
    const b = bench({
      store: (s) => ({
        setConnection: () => {
          throw new Error('disk I/O error');
        },
        stepTransition: (t) => (written.push(`${t.status} ${t.attempt}`), s.stepTransition(t)),
      }),
    });
    b.references((c) => ({ connections: [c.connectionId as string] }));
    let calls = 0;
    b.kind(() => (calls++, 'never'));
    const { runId } = b.queue(one('unrecorded'));
    const ended = b.ended(runId);
    b.runner.kick();
    expect(await ended).toBe('failed');
    // The first `running 1` was rolled back with the connection; it is written again in the next batch.
    expect(written).toEqual(['running 1', 'running 1', 'failed 1']);
    expect(b.steps(runId)).toEqual([{ stepId: 'a', status: 'failed', attempt: 1, error: { code: 'STEP_FAILED', message: 'disk I/O error' } }]);
    expect(b.audits.map((a) => a.action)).toEqual(['workflow.run_failed']);
    expect(calls).toBe(0);
  });
});

describe('runner: idle and a step’s needs', () => {
  it('idle() waits for every run, not for the first one to end', async () => {
    const b = bench();
    const gates = new Map([
      ['first', gate<unknown>()],
      ['second', gate<unknown>()],
    ]);
    b.kind((c) => gates.get(c.which as string)!.promise);
    const first = b.queue(one('first', { which: 'first' }));
    const second = b.queue(one('second', { which: 'second' }));
    b.runner.kick();
    let idle = false;
    const idled = b.runner.idle().then(() => void (idle = true));
    gates.get('first')!.open(1);
    expect(await b.ended(first.runId)).toBe('succeeded');
    await turn();
    expect(b.runner.activeCount()).toBe(1); // the first run is gone from the runner
    expect(idle).toBe(false);
    const secondEnded = b.ended(second.runId);
    gates.get('second')!.open(2);
    expect(await secondEnded).toBe('succeeded');
    await idled;
    expect(b.runner.activeCount()).toBe(0);
  });

  it('a step whose definition has no needs at all is handed an empty needed list', async () => {
    const b = bench();
    let seen: unknown;
    b.kind((_c, ctx) => {
      seen = { needed: ctx.needed, outputs: ctx.outputs.size };
      return null;
    });
    const { needs: _needs, ...step } = fakeStep('a') as WorkflowDefinition['steps'][number] & { needs?: string[] };
    const { runId } = b.queue({ name: 'no-needs', steps: [step as WorkflowDefinition['steps'][number]] });
    const ended = b.ended(runId);
    b.runner.kick();
    expect(await ended).toBe('succeeded');
    expect(seen).toEqual({ needed: [], outputs: 0 });
  });
});
