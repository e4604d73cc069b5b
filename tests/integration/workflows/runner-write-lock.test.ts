import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { createEventBus } from '@core/events/event-bus';
import { createRunStore, type RunStore } from '@core/workflows/run-store';
import { createRunner } from '@core/workflows/runner';
import type { StepContext } from '@core/workflows/step-kind';
import { createStepRegistry } from '@core/workflows/step-registry';
import type { WorkflowDefinition } from '@shared/domain/workflow';
import { makeTestCore } from '../../helpers/test-core';
import { fakeKind, fakeStep, gate, insertWorkflow } from './run-fixture';

/**
 * The runner while another process holds the database's write lock: a batch of step transitions that meets the lock
 * waits it out (retryWhenBusy, a debug line per wait) and the transitions queued behind it keep their order, so a
 * step that records its connection meanwhile commits the connection alone. The lock is a store whose stepTransition
 * fails with SQLITE_BUSY until the test releases it (SQLite rolls the batch's transaction back, as with a real lock).
 * Every commit takes the lock other processes wait for, so the commits the runner opens are counted too.
 * Kept apart from runner-paths.test.ts so the mutation run's incremental file keeps that file's results.
 */
const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).reverse().forEach((c) => c()));

const ACTOR = { kind: 'local', id: 'local:tester', name: 'tester', origin: 'ipc' } as const;
const busy = () => Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
const turn = () => new Promise<void>((r) => setImmediate(r));

function lockedBench() {
  const t = makeTestCore();
  const ws = t.core.workspaces.defaultWorkspace().id;
  const base = createRunStore(t.core.db);
  let locked = false;
  /** What a transition (or the run's end) throws instead of being written, once the lock is gone: the database closing. */
  let broken: { transition?: unknown; finish?: unknown; finishLocked?: boolean } = {};
  const thrown = gate();
  /** Transactions the runner opened through the store (its batches, a connection's, the stop's); claims and ends are their own. */
  let commits = 0;
  const store: RunStore = {
    ...base,
    transaction: <T>(fn: () => T): T => (commits++, base.transaction(fn)),
    stepTransition: (tr) => {
      if (locked) throw busy();
      if (broken.transition !== undefined) {
        thrown.open();
        throw broken.transition;
      }
      base.stepTransition(tr);
    },
    finish: (...args) => {
      if (broken.finishLocked) throw busy();
      if (broken.finish !== undefined) {
        thrown.open();
        throw broken.finish;
      }
      return base.finish(...args);
    },
  };
  const audits: string[] = [];
  const logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  let firstWait = gate();
  const bus = createEventBus();
  const registry = createStepRegistry();
  let kind: (config: Record<string, unknown>, ctx: StepContext) => unknown = () => null;
  registry.register({ ...fakeKind((c, ctx) => kind(c, ctx)), references: (c) => ({ connections: c.conn ? [c.connectionId as string] : [] }) });
  const defs = new Map<string, WorkflowDefinition>();
  const runner = createRunner({
    store,
    definition: (workflowId) => defs.get(workflowId),
    registry,
    clock: { now: () => new Date() },
    logger: {
      log: (level, message, fields) => {
        logs.push({ level, message, fields });
        if (level === 'debug') firstWait.open();
      },
    },
    bus,
    audit: { record: (e) => (audits.push(e.action), randomUUID()) },
    access: { assert: () => undefined },
    readSecret: () => 'unused',
    getConnection: (_ws, id) => ({ id, name: 'c', status: 'active' }),
    owner: 'me',
  });
  cleanup.push(() => {
    runner.stop();
    t.close();
  });
  return {
    runner,
    logs,
    audits,
    base,
    commits: () => commits,
    /** Resolves when a broken transition or end has thrown. */
    thrown: thrown.promise,
    break: (b: typeof broken) => void (broken = b),
    lock: () => {
      locked = true;
      firstWait = gate();
      return firstWait.promise;
    },
    /** The run's end meets the lock (stepTransition is free); resolves at the first wait. */
    lockFinish: () => {
      broken = { finishLocked: true };
      firstWait = gate();
      return firstWait.promise;
    },
    release: () => void (locked = false),
    kind: (k: typeof kind) => void (kind = k),
    queue(def: WorkflowDefinition): string {
      const workflowId = insertWorkflow(t.core, ws, def);
      defs.set(workflowId, def);
      const runId = randomUUID();
      base.transaction(() =>
        base.insertRun(
          { id: runId, workspace_id: ws, workflow_id: workflowId, version: 1, status: 'queued', trigger: 'manual', replay_of: null, slot: null, started_by: JSON.stringify(ACTOR), inputs: '{}', queued_at: new Date().toISOString() },
          def.steps.map((s, position) => ({ step_id: s.id, position, kind: s.kind, status: 'pending', output: null, output_truncated: 0, reused_from: null })),
        ),
      );
      return runId;
    },
    row: (runId: string, stepId: string) => {
      const r = base.steps(runId).find((s) => s.step_id === stepId)!;
      return { status: r.status, connection: r.connection_id };
    },
    /** Resolves on the run's first runs:changed for which `check` holds. */
    when(runId: string, check: (status: string) => boolean): Promise<string> {
      return new Promise((resolve) => {
        const stop = bus.subscribe((event, payload) => {
          const p = payload as { runId: string; status: string };
          if (event === 'runs:changed' && p.runId === runId && check(p.status)) {
            stop();
            resolve(p.status);
          }
        });
      });
    },
  };
}

describe('runner: another process holds the write lock', () => {
  it('a batch of transitions that meets the lock waits it out, told at debug level, and the run goes on', async () => {
    const b = lockedBench();
    const g = gate<unknown>();
    b.kind(() => g.promise);
    const runId = b.queue({ name: 'waits', steps: [fakeStep('a')] });
    const ended = b.when(runId, (s) => s !== 'running');
    const waited = b.lock();
    b.runner.kick();
    await waited;
    expect(b.logs[0]).toEqual({ level: 'debug', message: 'runner: database busy, waiting', fields: { attempt: 0 } });
    expect(b.row(runId, 'a').status).toBe('pending');
    const written = b.when(runId, (s) => s === 'running');
    b.release();
    await written;
    expect(b.row(runId, 'a').status).toBe('running');
    g.open('done');
    expect(await ended).toBe('succeeded');
    expect(b.logs.every((l) => l.level === 'debug')).toBe(true);
  });

  it('while a batch waits, a connection is committed alone (the transitions behind the batch stay in order); after it, with them again', async () => {
    const b = lockedBench();
    const gates = new Map(['a', 'b'].map((id) => [id, gate<unknown>()]));
    const entered = gate();
    let cAtStart: unknown;
    const runId = b.queue({ name: 'ordered', steps: [fakeStep('a'), fakeStep('b', ['a'], { conn: true }), fakeStep('c', ['b'], { conn: true })] });
    b.kind((_c, ctx) => {
      if (ctx.stepId === 'b') entered.open();
      if (ctx.stepId === 'c') {
        cAtStart = b.row(runId, 'c');
        return 'C';
      }
      return gates.get(ctx.stepId)!.promise;
    });
    const ended = b.when(runId, (s) => s !== 'running');
    const waited = b.lock();
    b.runner.kick();
    await waited; // a's `running` waits for the lock
    gates.get('a')!.open('A');
    await entered.promise;
    // b's connection is written; a's result and b's start wait behind a's start.
    expect(b.row(runId, 'b')).toEqual({ status: 'pending', connection: expect.any(String) });
    expect(b.row(runId, 'a').status).toBe('pending');
    const bRunning = new Promise<void>((resolve) => {
      const check = () => (b.row(runId, 'b').status === 'running' ? resolve() : void b.when(runId, () => true).then(check));
      check();
    });
    b.release();
    await bRunning;
    await turn();
    expect(b.row(runId, 'a').status).toBe('succeeded');
    gates.get('b')!.open('B');
    expect(await ended).toBe('succeeded');
    // No batch writing any more: c's start and its connection are one commit, before the kind runs.
    expect(cAtStart).toEqual({ status: 'running', connection: expect.any(String) });
  });

  it('a run whose last transitions wait for the lock when the app closes is not ended; a batch failing after the stop is not logged', async () => {
    const b = lockedBench();
    b.kind(() => 'A');
    const runId = b.queue({ name: 'closing', steps: [fakeStep('a')] });
    const waited = b.lock();
    b.runner.kick();
    await waited; // the step is done; its transitions wait for the lock, and the run's end waits for them
    b.runner.stop();
    b.break({ transition: new Error('the database connection is not open') });
    b.release();
    await b.thrown; // the batch's retry fails (not busy); let its rejection and the run's end settle
    await turn();
    await turn();
    expect(b.base.run(runId)).toMatchObject({ status: 'running', owner: 'me' }); // the core's close marks it interrupted
    expect(b.audits).toEqual([]);
    expect(b.logs.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('the stop leaves a run whose end waits for the lock as it is: its end then failing is not "unexpected"', async () => {
    const b = lockedBench();
    b.kind(() => 'A');
    const runId = b.queue({ name: 'end-closing', steps: [fakeStep('a')] });
    const waited = b.lockFinish();
    b.runner.kick();
    await waited; // the run's end meets the lock
    b.runner.stop();
    b.break({ finish: new Error('the database connection is not open') });
    await b.thrown;
    await turn();
    await turn();
    expect(b.base.run(runId)).toMatchObject({ status: 'running', owner: 'me' });
    expect(b.logs.filter((l) => l.level !== 'debug')).toEqual([]);
  });

  it('a batch that fails with something other than an Error is logged as unknown; the run still ends', async () => {
    const b = lockedBench();
    b.kind(() => 'A');
    b.break({ transition: 'not an error' });
    const runId = b.queue({ name: 'odd-failure', steps: [fakeStep('a')] });
    const ended = b.when(runId, (s) => s !== 'running');
    b.runner.kick();
    expect(await ended).toBe('succeeded');
    expect(b.logs[0]).toEqual({ level: 'error', message: 'runner: could not record step transitions', fields: { error: 'unknown' } });
  });

  it('a quick step’s transitions take one commit; a turn with nothing queued and a stop with nothing queued take none', async () => {
    const b = lockedBench();
    b.kind(() => 'A');
    const quick = b.queue({ name: 'quick', steps: [fakeStep('a')] });
    const ended = b.when(quick, (s) => s !== 'running');
    b.runner.kick();
    expect(await ended).toBe('succeeded');
    await turn(); // the flush the step's start scheduled finds its transitions written by the run's end
    await turn();
    expect(b.commits()).toBe(1);
    expect(b.base.steps(quick)[0]!.status).toBe('succeeded');

    const never = gate<unknown>();
    b.kind(() => never.promise);
    const held = b.queue({ name: 'held', steps: [fakeStep('a')] });
    const started = b.when(held, (s) => s === 'running');
    b.runner.kick();
    await started; // the claim
    await b.when(held, (s) => s === 'running'); // the step's start, written
    expect(b.commits()).toBe(2);
    b.runner.stop();
    expect(b.commits()).toBe(2);
  });

  it('after a cancel the runner writes nothing more for the run’s steps: the cancel wrote them', async () => {
    const b = lockedBench();
    const entered = gate();
    b.kind(
      (_c, ctx) =>
        new Promise((_r, reject) => {
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error));
          entered.open();
        }),
    );
    const runId = b.queue({ name: 'cancelled', steps: [fakeStep('a')] });
    b.runner.kick();
    await entered.promise;
    await turn(); // the step's start is written
    expect(b.commits()).toBe(1);
    expect(b.runner.abort(runId)).toBe(true);
    await b.runner.idle();
    await turn();
    await turn();
    expect(b.commits()).toBe(1);
    expect(b.row(runId, 'a').status).toBe('running');
  });
});
