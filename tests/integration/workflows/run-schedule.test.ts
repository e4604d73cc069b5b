import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { RUN_MESSAGES } from '@shared/domain/workflow.catalog';
import { createFileKeyStore } from '../../fakes/file-key-store';
import { startCoreWorker } from '../../helpers/core-worker';
import { makeReadyCore, makeTestCore, tempDir, unwrap } from '../../helpers/test-core';
import { fakeKind, fakeStep, insertWorkflow, settled } from './run-fixture';

const cleanup: Array<() => void> = [];
afterEach(() => cleanup.splice(0).forEach((c) => c()));

function fakeClock(start = Date.parse('2026-01-01T00:00:00.000Z')) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => void (t += ms), set: (iso: string) => void (t = Date.parse(iso)) };
}

const transformSteps = [
  { id: 'a', kind: 'transform' as const, config: { expression: '{"slot": inputs.label}' } },
  { id: 'b', kind: 'transform' as const, needs: ['a'], config: { expression: 'steps.a.output.slot & "!"' } },
];

describe('scheduler: workflows.schedule', () => {
  it('a slot missed during a long pause runs once, then the schedule goes on from now; the run acts as the last editor', async () => {
    const clock = fakeClock();
    const t = await makeReadyCore({ clock });
    cleanup.push(() => t.close());
    await t.core.start();
    const ws = t.core.workspaces.defaultWorkspace().id;
    const editor = { kind: 'user', id: 'u-editor', name: 'eddie' };
    const w = insertWorkflow(t.core, ws, { name: 'every5', schedule: '*/5 * * * *', inputs: { label: 'x' }, steps: transformSteps }, { updatedBy: editor, nextRunAt: '2026-01-01T00:05:00.000Z' });
    await t.core.scheduler.runDue(); // 00:00: nothing due
    expect(unwrap(await t.invoke('runs:list', { workspaceId: ws, workflowId: w })).items).toHaveLength(0);

    clock.set('2026-01-01T03:02:00.000Z'); // asleep for three hours: 36 slots missed
    await t.core.scheduler.runDue();
    await t.core.scheduler.runDue();
    const runs = unwrap(await t.invoke('runs:list', { workspaceId: ws, workflowId: w })).items;
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ trigger: 'schedule', startedBy: editor, version: 1 });
    const next = t.core.db.prepare('SELECT next_run_at AS n FROM workflows WHERE id = ?').get(w) as { n: string };
    expect(next.n).toBe('2026-01-01T03:05:00.000Z');
    const slot = t.core.db.prepare('SELECT slot FROM workflow_runs WHERE id = ?').get(runs[0]!.id) as { slot: string };
    expect(slot.slot).toBe('2026-01-01T00:05:00.000Z');
    // The editor holds no role here (a test user without grant): the run still ran its transform steps, which check nothing.
    const run = await settled(t.core, ws, runs[0]!.id);
    expect(run.steps.map((s) => s.output)).toEqual([{ slot: 'x' }, 'x!']);

    clock.set('2026-01-01T03:05:00.000Z');
    await t.core.scheduler.runDue();
    expect(unwrap(await t.invoke('runs:list', { workspaceId: ws, workflowId: w })).items).toHaveLength(2);
  });

  it('two processes on one data dir queue one run per slot and run each once', async () => {
    const dir = tempDir();
    const keyDir = tempDir('p1-keys-');
    cleanup.push(() => {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(keyDir, { recursive: true, force: true });
    });
    const setup = await makeReadyCore({ keyStore: createFileKeyStore(keyDir) }, dir);
    const ws = setup.core.workspaces.defaultWorkspace().id;
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      ids.push(insertWorkflow(setup.core, ws, { name: `wf-${i}`, schedule: '0 * * * *', inputs: { label: `w${i}` }, steps: transformSteps }, { nextRunAt: '2026-01-01T00:00:00.000Z' }));
    }
    setup.core.close();

    type Result = { done: true; problems: string[] };
    const cfg = { dataDir: dir, keyDir, now: '2026-01-01T00:30:00.000Z', mode: 'schedule', ticks: 3 };
    const workers = await Promise.all([startCoreWorker<Result>('workflow-worker.ts', cfg), startCoreWorker<Result>('workflow-worker.ts', cfg)]);
    cleanup.push(() => workers.forEach((w) => w.kill()));
    workers.forEach((w) => w.go());
    const results = await Promise.all(workers.map((w) => w.result()));
    for (const r of results) expect(r.problems).toEqual([]);
    await Promise.all(workers.map((w) => w.exited));

    const again = makeTestCore({ keyStore: createFileKeyStore(keyDir) }, dir);
    cleanup.push(() => again.core.close());
    const rows = again.core.db.prepare('SELECT workflow_id, status, slot, owner FROM workflow_runs').all() as Array<{ workflow_id: string; status: string; slot: string; owner: string }>;
    expect(rows).toHaveLength(12);
    expect(new Set(rows.map((r) => r.workflow_id)).size).toBe(12);
    expect(rows.every((r) => r.status === 'succeeded' && r.slot === '2026-01-01T00:00:00.000Z')).toBe(true);
    const steps = again.core.db.prepare("SELECT COUNT(*) AS n FROM workflow_run_steps WHERE status = 'succeeded' AND attempt = 1").get() as { n: number };
    expect(steps.n).toBe(24);
    const next = again.core.db.prepare('SELECT DISTINCT next_run_at AS n FROM workflows').all() as Array<{ n: string }>;
    expect(next).toEqual([{ n: '2026-01-01T01:00:00.000Z' }]);
  });

  it('a process SIGKILLed mid-run: at the next start the run is failed "interrupted", and a replay completes it', async () => {
    const dir = tempDir();
    const keyDir = tempDir('p1-keys-');
    cleanup.push(() => {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(keyDir, { recursive: true, force: true });
    });
    const setup = await makeReadyCore({ keyStore: createFileKeyStore(keyDir) }, dir);
    const ws = setup.core.workspaces.defaultWorkspace().id;
    const w = insertWorkflow(setup.core, ws, { name: 'killed', inputs: { label: 'k' }, steps: [transformSteps[0]!, fakeStep('call', ['a']), { ...transformSteps[1]!, needs: ['call'] }] });
    setup.core.close();

    const worker = await startCoreWorker<{ inStep: boolean; runId: string }>('workflow-worker.ts', { dataDir: dir, keyDir, now: new Date().toISOString(), mode: 'hang', workspaceId: ws, workflowId: w });
    cleanup.push(() => worker.kill());
    worker.go();
    const { runId } = await worker.result();
    worker.kill();
    await worker.exited;

    const t = makeTestCore({ keyStore: createFileKeyStore(keyDir) }, dir);
    cleanup.push(() => t.core.close());
    t.core.runs.internal.steps.replace(fakeKind(() => ({ called: true })));
    await t.core.start();
    const dead = unwrap(await t.invoke('runs:get', { workspaceId: ws, id: runId }));
    expect(dead).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTED', message: RUN_MESSAGES.interrupted } });
    expect(dead.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['a', 'succeeded'],
      ['call', 'failed'],
      ['b', 'skipped'],
    ]);
    expect(dead.steps[1]!.error).toEqual({ code: 'INTERRUPTED', message: RUN_MESSAGES.interrupted });

    const replay = await settled(t.core, ws, unwrap(await t.invoke('runs:replay', { workspaceId: ws, id: runId })).id);
    expect(replay.status).toBe('succeeded');
    expect(replay.steps.map((s) => [s.stepId, s.status])).toEqual([
      ['a', 'reused'],
      ['call', 'succeeded'],
      ['b', 'succeeded'],
    ]);
    expect(replay.steps[2]!.output).toBe('k!');
  });

  it('a live process’s runs are never marked interrupted by another core; a closed core’s are', async () => {
    const dir = tempDir();
    const one = await makeReadyCore({}, dir);
    cleanup.push(() => one.close());
    await one.core.start();
    const ws = one.core.workspaces.defaultWorkspace().id;
    let release!: () => void;
    const entered = new Promise<void>((resolveEntered) => {
      one.core.runs.internal.steps.replace(
        fakeKind(
          () =>
            new Promise((r) => {
              release = () => r(1);
              resolveEntered();
            }),
        ),
      );
    });
    const w = insertWorkflow(one.core, ws, { name: 'live', steps: [fakeStep('x')] });
    const { id } = unwrap(await one.invoke('workflows:run', { workspaceId: ws, id: w }));
    await entered;
    const two = makeTestCore({}, dir);
    cleanup.push(() => two.core.close());
    expect(two.core.runs.internal.recoverInterrupted()).toEqual([]);
    release();
    expect((await settled(one.core, ws, id)).status).toBe('succeeded');

    // Closed mid-run: the run is marked interrupted at close.
    const hang = new Promise<void>((resolveEntered) => one.core.runs.internal.steps.replace(fakeKind(() => (resolveEntered(), new Promise(() => {})))));
    const { id: id2 } = unwrap(await one.invoke('workflows:run', { workspaceId: ws, id: w }));
    await hang;
    one.core.close();
    expect(unwrap(await two.invoke('runs:get', { workspaceId: ws, id: id2 }))).toMatchObject({ status: 'failed', error: { code: 'INTERRUPTED' } });
  });

  it('a cancel made by another process reaches the owner through its heartbeat, which aborts the step', async () => {
    const dir = tempDir();
    const owner = await makeReadyCore({ runner: { heartbeatMs: 20 } }, dir);
    cleanup.push(() => owner.close());
    await owner.core.start();
    const ws = owner.core.workspaces.defaultWorkspace().id;
    let aborted!: () => void;
    const sawAbort = new Promise<void>((r) => (aborted = r));
    const entered = new Promise<void>((resolveEntered) =>
      owner.core.runs.internal.steps.replace(
        fakeKind(
          (_c, ctx) =>
            new Promise((_r, reject) => {
              ctx.signal.addEventListener('abort', () => {
                aborted();
                reject(ctx.signal.reason as Error);
              });
              resolveEntered();
            }),
        ),
      ),
    );
    const w = insertWorkflow(owner.core, ws, { name: 'remote-cancel', steps: [fakeStep('x'), fakeStep('y', ['x'])] });
    const { id } = unwrap(await owner.invoke('workflows:run', { workspaceId: ws, id: w }));
    await entered;
    const other = makeTestCore({}, dir);
    cleanup.push(() => other.core.close());
    expect(unwrap(await other.invoke('runs:cancel', { workspaceId: ws, id })).status).toBe('cancelled');
    await sawAbort;
    await owner.core.runs.internal.idle();
    const r = unwrap(await owner.invoke('runs:get', { workspaceId: ws, id }));
    expect(r.status).toBe('cancelled');
    expect(r.steps.map((x) => x.status)).toEqual(['cancelled', 'cancelled']);
  });
});
