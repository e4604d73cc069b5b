// One file (about 400 lines): every way a run row comes to be (start, replay, the schedule) or ends outside
// the runner (cancel, interrupted) writes its run, its step rows and its audit row in one transaction, with the same
// mapping to the shared records; the SQL is in run-store.ts, the execution in runner.ts.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '@shared/domain/actor';
import { RUN_MESSAGES, TERMINAL_RUN_STATUSES } from '@shared/domain/workflow.catalog';
import {
  type Run,
  type RunStatus,
  type RunStep,
  type RunSummary,
  type RunTrigger,
  type StepKind,
  type StepStatus,
  type WorkflowDefinition,
} from '@shared/domain/workflow';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import { pageCursor } from '../db/cursor';
import { retryWhenBusy } from '../db/storage-errors';
import { AppError, conflict, invalid, notFound } from '../errors';
import type { EventBus } from '../events/event-bus';
import type { Clock, Logger } from '../ports';
import type { Job } from '../scheduler/scheduler';
import type { RunOwner } from './run-owner';
import type { RunRecord, RunStepRecord, RunStore } from './run-store';
import type { StoredWorkflow, WorkflowStore } from './workflow-store';
import type { Runner } from './runner';
import { nextSlot } from './workflow-schedule';

/** The runs list's cursor: the (queued_at, id) of the last run shown (newest first). */
const cursor = pageCursor('runs', z.tuple([z.string().max(40), z.string().max(40)]));

/**
 * What runs read (and the one cursor they move) of the definitions room: its store (workflow-store.ts) owns the
 * `workflows` and `workflow_versions` rows. Both stores share the database, so these calls join the run's transactions.
 */
export type RunWorkflowReads = Pick<WorkflowStore, 'get' | 'getById' | 'getVersion' | 'due' | 'setNextRun'>;

export type RunServiceDeps = {
  store: RunStore;
  workflows: RunWorkflowReads;
  runner: Runner;
  owner: RunOwner;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'assert'>;
  /** Who marks interrupted runs. */
  systemActor: Actor;
  /** A running run whose heartbeat is older than this is interrupted even if its pid is alive (default 60 s). */
  staleAfterMs?: number;
};

type StartedBy = { kind: Actor['kind']; id: string; name: string; origin: string };

const parseJson = <T>(text: string | null): T | null => (text === null ? null : (JSON.parse(text) as T));

function toSummary(r: RunRecord): RunSummary {
  const by = JSON.parse(r.started_by) as StartedBy;
  const durationMs = r.started_at && r.ended_at ? Math.max(0, Date.parse(r.ended_at) - Date.parse(r.started_at)) : null;
  return {
    id: r.id,
    workflowId: r.workflow_id,
    workspaceId: r.workspace_id,
    version: r.version,
    status: r.status,
    trigger: r.trigger,
    replayOf: r.replay_of,
    startedBy: { kind: by.kind, id: by.id, name: by.name },
    queuedAt: r.queued_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs,
    error: parseJson<{ code: string; message: string; stepId?: string }>(r.error),
  };
}

function toStep(s: RunStepRecord): RunStep {
  const step: RunStep = {
    stepId: s.step_id,
    kind: s.kind as StepKind,
    status: s.status as StepStatus,
    attempt: s.attempt,
    startedAt: s.started_at,
    endedAt: s.ended_at,
    durationMs: s.duration_ms,
    error: parseJson<{ code: string; message: string }>(s.error),
    outputTruncated: s.output_truncated === 1,
    connectionId: s.connection_id,
    reusedFrom: s.reused_from,
  };
  if (s.output !== null) step.output = JSON.parse(s.output) as unknown;
  return step;
}

const isTerminal = (s: RunStatus) => TERMINAL_RUN_STATUSES.includes(s);

/**
 * Runs: start, list, read, cancel, replay (checked here: workflow.list to read, workflow.run to start, cancel and
 * replay), the scheduler's job and interrupted-run recovery. Execution is the runner's; this service only writes
 * queued runs and ends runs from outside it.
 *
 * What must stay true:
 * - a run only ever sees its own workspace: every read is by (workspace, id), and the run acts as its starter, whose
 *   access every step's service checks again;
 * - a run's inputs are the workflow's declared inputs (defaults ∪ given); an undeclared input is refused;
 * - one run per schedule slot, whatever the number of processes (IMMEDIATE claim + UNIQUE (workflow_id, slot)).
 */
export function createRunService(deps: RunServiceDeps) {
  const { store, workflows, runner, owner, clock, logger, bus, audit, access, systemActor } = deps;
  const staleAfterMs = deps.staleAfterMs ?? Math.max(60_000, runner.tuning.heartbeatMs * 3);

  const emit = (r: Pick<RunRecord, 'workspace_id' | 'workflow_id' | 'id'>, status: string) =>
    bus.emit('runs:changed', { workspaceId: r.workspace_id, workflowId: r.workflow_id, runId: r.id, status });

  function head(workspaceId: string, id: string): StoredWorkflow {
    const w = workflows.get(workspaceId, id);
    if (!w) throw notFound('workflow');
    return w;
  }

  function definitionOf(workflowId: string, version: number): WorkflowDefinition {
    const v = workflows.getVersion(workflowId, version);
    if (!v) throw notFound(`version ${version} of this workflow`);
    return v.definition;
  }

  function inputsFor(def: WorkflowDefinition, given: Record<string, unknown> = {}): Record<string, unknown> {
    const declared = def.inputs ?? {};
    for (const k of Object.keys(given)) {
      if (!Object.hasOwn(declared, k)) throw invalid(`input "${k}" is not declared by this workflow (declare it under inputs)`, `inputs.${k}`);
    }
    return { ...declared, ...given };
  }

  /** Inserts a queued run with its step rows and the run_started audit row; call inside a transaction. */
  function queue(
    w: Pick<StoredWorkflow, 'id' | 'workspaceId' | 'name'>,
    version: number,
    def: WorkflowDefinition,
    o: { actor: StartedBy; trigger: RunTrigger; inputs: Record<string, unknown>; replayOf?: string; slot?: string; reuse?: Map<string, RunStepRecord> },
  ): RunRecord {
    const now = clock.now().toISOString();
    const run = {
      id: randomUUID(),
      workspace_id: w.workspaceId,
      workflow_id: w.id,
      version,
      status: 'queued' as const,
      trigger: o.trigger,
      replay_of: o.replayOf ?? null,
      slot: o.slot ?? null,
      started_by: JSON.stringify(o.actor),
      inputs: JSON.stringify(o.inputs),
      queued_at: now,
    };
    store.insertRun(
      run,
      def.steps.map((s, position) => {
        const r = o.reuse?.get(s.id);
        return r
          ? { step_id: s.id, position, kind: s.kind, status: 'reused' as const, output: r.output, output_truncated: 0, reused_from: r.reused_from ?? r.run_id }
          : { step_id: s.id, position, kind: s.kind, status: 'pending' as const, output: null, output_truncated: 0, reused_from: null };
      }),
    );
    audit.record({
      workspaceId: w.workspaceId,
      action: 'workflow.run_started',
      actor: o.actor,
      target: { type: 'workflow', id: w.id, name: w.name },
      details: { workflowId: w.id, runId: run.id, version, trigger: o.trigger, ...(o.replayOf ? { replayOf: o.replayOf } : {}), ...(o.slot ? { slot: o.slot } : {}) },
    });
    return { ...run, started_at: null, ended_at: null, error: null, owner: null, heartbeat_at: null };
  }

  const actorRef = (actor: Actor): StartedBy => ({ kind: actor.kind, id: actor.id, name: actor.name, origin: actor.origin });

  function start(actor: Actor, input: { workspaceId: string; id: string; inputs?: Record<string, unknown> }): { id: string; status: RunStatus } {
    access.assert(actor, input.workspaceId, 'workflow.run');
    const run = store.transaction(() => {
      const w = head(input.workspaceId, input.id);
      const def = definitionOf(w.id, w.version);
      return queue(w, w.version, def, { actor: actorRef(actor), trigger: 'manual', inputs: inputsFor(def, input.inputs) });
    });
    emit(run, 'queued');
    runner.kick();
    return { id: run.id, status: 'queued' };
  }

  function list(actor: Actor, q: { workspaceId: string; workflowId?: string; status?: RunStatus; limit?: number; cursor?: string }): { items: RunSummary[]; nextCursor: string | null } {
    access.assert(actor, q.workspaceId, 'workflow.list');
    const limit = q.limit ?? 50;
    const after = q.cursor ? cursor.decode(q.workspaceId, q.cursor) : undefined;
    const rows = store.page({ workspaceId: q.workspaceId, workflowId: q.workflowId, status: q.status, after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toSummary), nextCursor: rows.length > limit && last ? cursor.encode(q.workspaceId, [last.queued_at, last.id]) : null };
  }

  function runIn(workspaceId: string, id: string): RunRecord {
    const r = store.runIn(workspaceId, id);
    if (!r) throw notFound('run');
    return r;
  }

  function get(actor: Actor, workspaceId: string, id: string): Run {
    access.assert(actor, workspaceId, 'workflow.list');
    const r = runIn(workspaceId, id);
    return { ...toSummary(r), inputs: JSON.parse(r.inputs) as Record<string, unknown>, steps: store.steps(r.id).map(toStep) };
  }

  function cancel(actor: Actor, workspaceId: string, id: string): RunSummary {
    access.assert(actor, workspaceId, 'workflow.run');
    const r = runIn(workspaceId, id);
    if (isTerminal(r.status)) throw conflict(`this run already ended (${r.status})`);
    const at = clock.now().toISOString();
    const was = store.cancel(r.id, at, () =>
      audit.record({
        workspaceId,
        action: 'workflow.run_cancelled',
        actor,
        target: { type: 'workflow', id: r.workflow_id },
        details: { workflowId: r.workflow_id, runId: r.id, version: r.version },
      }),
    );
    if (!was) throw conflict('this run ended meanwhile');
    // Running here: abort its steps now. Running in another process: its heartbeat sees the status and aborts.
    if (was === 'running') runner.abort(r.id);
    emit(r, 'cancelled');
    return toSummary(runIn(workspaceId, id));
  }

  /**
   * A new run of the same version. From 'failed' (default), a step is reused when it succeeded (or was reused) in
   * the original, its stored output is whole (a truncated one is only a summary, so that step runs again), and every
   * step it needs is reused too; everything else runs. From 'start', every step runs.
   */
  function replay(actor: Actor, input: { workspaceId: string; id: string; from?: 'failed' | 'start' }): { id: string; status: RunStatus } {
    access.assert(actor, input.workspaceId, 'workflow.run');
    const run = store.transaction(() => {
      const orig = runIn(input.workspaceId, input.id);
      if (!isTerminal(orig.status)) throw conflict('this run is still in progress: cancel it or wait for it to end before replaying it');
      const w = head(input.workspaceId, orig.workflow_id);
      const def = definitionOf(orig.workflow_id, orig.version);
      const reuse = new Map<string, RunStepRecord>();
      if ((input.from ?? 'failed') === 'failed') {
        const rows = new Map(store.steps(orig.id).map((s) => [s.step_id, s]));
        const byId = new Map(def.steps.map((s) => [s.id, s]));
        const memo = new Map<string, boolean>();
        const reusable = (id: string, depth = 0): boolean => {
          const m = memo.get(id);
          if (m !== undefined) return m;
          const row = rows.get(id);
          const step = byId.get(id);
          memo.set(id, false); // a cycle (refused on save) is not reusable
          const ok =
            depth < 1000 &&
            !!row &&
            !!step &&
            (row.status === 'succeeded' || row.status === 'reused') &&
            row.output_truncated === 0 &&
            row.output !== null &&
            (step.needs ?? []).every((n) => reusable(n, depth + 1));
          memo.set(id, ok);
          return ok;
        };
        for (const s of def.steps) if (reusable(s.id)) reuse.set(s.id, rows.get(s.id)!);
      }
      return queue(w, orig.version, def, { actor: actorRef(actor), trigger: 'replay', inputs: JSON.parse(orig.inputs) as Record<string, unknown>, replayOf: orig.id, reuse });
    });
    emit(run, 'queued');
    runner.kick();
    return { id: run.id, status: 'queued' };
  }

  /**
   * Marks failed (interrupted) every `running` run whose owner process is gone (run-owner.ts says when), with its open
   * steps. Called at start and by the scheduler's job, so a run of a process that died while another kept running is
   * found too. Returns the ids it marked.
   */
  function recoverInterrupted(): string[] {
    const now = clock.now();
    const marked: string[] = [];
    for (const r of store.running()) {
      const age = r.heartbeat_at ? now.getTime() - Date.parse(r.heartbeat_at) : null;
      if (owner.mayBeAlive(r.owner, age, staleAfterMs)) continue;
      if (markInterrupted(r, now)) marked.push(r.id);
    }
    return marked;
  }

  function markInterrupted(r: Pick<RunRecord, 'id' | 'workspace_id' | 'workflow_id' | 'owner'>, now: Date): boolean {
    const error = { code: 'INTERRUPTED', message: RUN_MESSAGES.interrupted };
    const ok = store.interrupt(r.id, r.owner, now.toISOString(), JSON.stringify(error), JSON.stringify(error), () =>
      audit.record({
        workspaceId: r.workspace_id,
        action: 'workflow.run_failed',
        actor: systemActor,
        target: { type: 'workflow', id: r.workflow_id },
        details: { workflowId: r.workflow_id, runId: r.id, errorCode: 'INTERRUPTED' },
      }),
    );
    if (ok) {
      logger.log('warn', 'workflow run interrupted: its process stopped while it ran', { runId: r.id });
      emit(r, 'failed');
    }
    return ok;
  }

  /**
   * Queues the run of one due workflow's slot, in one IMMEDIATE transaction: the workflow is re-read under the write
   * lock, the slot's run inserted unless one exists, and next_run_at moved to the first slot after NOW (so slots
   * missed while asleep or stopped run once, not once each). The run acts as the workflow's last editor.
   */
  function queueDue(workflowId: string, now: Date): RunRecord | null {
    return store.immediate(() => {
      const w = workflows.getById(workflowId);
      if (!w || !w.nextRunAt || w.nextRunAt > now.toISOString()) return null;
      const slot = w.nextRunAt;
      let next: string | null = null;
      try {
        next = w.schedule ? (nextSlot(w.schedule, w.timezone, now)?.toISOString() ?? null) : null;
      } catch {
        next = null; // an expression this build cannot read (refused on save): stop scheduling it, say so below
        logger.log('warn', 'workflow schedule could not be read; scheduling stopped', { workflowId: w.id });
      }
      workflows.setNextRun(w.id, next);
      if (!w.schedule || store.slotTaken(w.id, slot)) return null;
      const def = definitionOf(w.id, w.version);
      const by = w.updatedBy;
      return queue(w, w.version, def, { actor: { kind: by.kind, id: by.id, name: by.name, origin: 'schedule' }, trigger: 'schedule', inputs: inputsFor(def), slot });
    });
  }

  const scheduleJob: Job = {
    name: 'workflows.schedule',
    async tick(now) {
      await retryWhenBusy(() => recoverInterrupted());
      // One pass: each due workflow's claim moves its next_run_at past now, so the next tick finds only new slots. A
      // workflow that fails here (its version row missing, say) is logged and tried again at the next tick.
      for (const id of workflows.due(now.toISOString(), 500)) {
        try {
          const run = await retryWhenBusy(() => queueDue(id, now));
          if (run) emit(run, 'queued');
        } catch (e) {
          logger.log('error', 'could not queue a scheduled workflow run', { workflowId: id, error: e instanceof AppError ? e.code : e instanceof Error ? e.name : 'unknown' });
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
      runner.kick();
    },
  };

  return {
    // User-facing: each checks the actor first.
    start,
    list,
    get,
    cancel,
    replay,
    /** For the core itself (the scheduler, start and close, tests and benchmarks); no transport reaches these. */
    internal: {
      scheduleJob,
      recoverInterrupted,
      /** Starts executing queued runs (after recovery at start). */
      resume(): void {
        runner.kick();
      },
      /** Stops the runner and marks this process's in-flight runs interrupted (replayable), before the database closes. */
      close(): void {
        const ids = runner.stop();
        const now = clock.now();
        for (const id of ids) {
          const r = store.run(id);
          try {
            if (r && r.status === 'running') markInterrupted(r, now);
          } catch (e) {
            logger.log('warn', 'could not mark a run interrupted at close', { runId: id, error: e instanceof AppError ? e.code : 'unknown' });
          }
        }
        owner.release();
      },
      /** Resolves when this process executes no run (tests, benchmarks). */
      idle: () => runner.idle(),
    },
  };
}
export type RunService = ReturnType<typeof createRunService>;
