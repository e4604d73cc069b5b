import type { Statement } from 'better-sqlite3';
import type { Db } from '../db/database';
import { createTransactor } from '../db/transactor';

/** A run as stored. JSON columns (started_by, inputs, error) are text; the service maps them. */
export type RunRecord = {
  id: string;
  workspace_id: string;
  workflow_id: string;
  version: number;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  trigger: 'manual' | 'schedule' | 'replay';
  replay_of: string | null;
  slot: string | null;
  started_by: string;
  inputs: string;
  queued_at: string;
  started_at: string | null;
  ended_at: string | null;
  error: string | null;
  owner: string | null;
  heartbeat_at: string | null;
};

export type RunStepRecord = {
  run_id: string;
  step_id: string;
  position: number;
  kind: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped' | 'reused';
  attempt: number;
  started_at: string | null;
  ended_at: string | null;
  duration_ms: number | null;
  error: string | null;
  output: string | null;
  output_truncated: number;
  connection_id: string | null;
  reused_from: string | null;
};

/** One step transition: every column a transition changes, written in one statement. */
export type StepTransition = Pick<RunStepRecord, 'run_id' | 'step_id' | 'status' | 'attempt' | 'started_at' | 'ended_at' | 'duration_ms' | 'error' | 'output' | 'output_truncated'>;

export type RunPageQuery = { workspaceId: string; workflowId?: string; status?: string; after?: [string, string]; limit: number };

/**
 * All SQL of runs (`workflow_runs`, `workflow_run_steps`). Every statement is prepared once. What runs need of the
 * definitions (`workflows`, `workflow_versions`: the version a run records, the schedule's cursor) they take from the
 * definitions room's store through a narrow dep (run-service.ts `RunWorkflowReads`), never by SQL of their own.
 *
 * What must stay true:
 * - a run is claimed by one UPDATE … WHERE status = 'queued' (changes() = 1 wins), so two processes never run it;
 * - terminal writes are conditional on the run still being `running` (a cancel from another process wins);
 * - a run step transition is one statement; a run's terminal write and its remaining steps commit together.
 */
export function createRunStore(db: Db) {
  const tx = createTransactor(db);
  const insertRun = db.prepare(
    `INSERT INTO workflow_runs (id, workspace_id, workflow_id, version, status, trigger, replay_of, slot, started_by, inputs, queued_at)
     VALUES (@id, @workspace_id, @workflow_id, @version, @status, @trigger, @replay_of, @slot, @started_by, @inputs, @queued_at)`,
  );
  const slotTaken = db.prepare('SELECT 1 FROM workflow_runs WHERE workflow_id = ? AND slot = ?');
  const insertStep = db.prepare(
    `INSERT INTO workflow_run_steps (run_id, step_id, position, kind, status, attempt, output, output_truncated, reused_from)
     VALUES (@run_id, @step_id, @position, @kind, @status, 0, @output, @output_truncated, @reused_from)`,
  );
  const runById = db.prepare('SELECT * FROM workflow_runs WHERE id = ?');
  const runIn = db.prepare('SELECT * FROM workflow_runs WHERE id = ? AND workspace_id = ?');
  const stepsOf = db.prepare('SELECT * FROM workflow_run_steps WHERE run_id = ? ORDER BY position');
  const nextQueued = db.prepare("SELECT id FROM workflow_runs WHERE status = 'queued' ORDER BY queued_at, id LIMIT 1");
  const claim = db.prepare("UPDATE workflow_runs SET status = 'running', owner = ?, started_at = ?, heartbeat_at = ? WHERE id = ? AND status = 'queued'");
  const finish = db.prepare("UPDATE workflow_runs SET status = ?, ended_at = ?, error = ? WHERE id = ? AND status = 'running'");
  const cancelQueued = db.prepare("UPDATE workflow_runs SET status = 'cancelled', ended_at = ? WHERE id = ? AND status = 'queued'");
  const cancelRunning = db.prepare("UPDATE workflow_runs SET status = 'cancelled', ended_at = ? WHERE id = ? AND status = 'running'");
  const stepTransition = db.prepare(
    `UPDATE workflow_run_steps SET status = @status, attempt = @attempt, started_at = @started_at, ended_at = @ended_at,
       duration_ms = @duration_ms, error = @error, output = @output, output_truncated = @output_truncated
     WHERE run_id = @run_id AND step_id = @step_id AND (status = 'pending' OR status = 'running')`,
  );
  const closeOpenSteps = db.prepare(
    `UPDATE workflow_run_steps SET status = CASE WHEN status = 'running' THEN @running ELSE @pending END,
       ended_at = CASE WHEN status = 'running' THEN @at ELSE ended_at END,
       error = CASE WHEN status = 'running' THEN @error ELSE error END
     WHERE run_id = @run_id AND (status = 'running' OR status = 'pending')`,
  );
  const setConnection = db.prepare('UPDATE workflow_run_steps SET connection_id = ? WHERE run_id = ? AND step_id = ?');
  const heartbeat = db.prepare("UPDATE workflow_runs SET heartbeat_at = ? WHERE owner = ? AND status = 'running'");
  const running = db.prepare("SELECT id, workspace_id, workflow_id, owner, heartbeat_at FROM workflow_runs WHERE status = 'running'");
  const interrupt = db.prepare("UPDATE workflow_runs SET status = 'failed', ended_at = ?, error = ? WHERE id = ? AND status = 'running' AND owner IS ?");
  const statusOf = db.prepare('SELECT status FROM workflow_runs WHERE id = ?');
  const pages = new Map<string, Statement>();

  function pageStatement(q: RunPageQuery): Statement {
    const key = `${q.workflowId ? 'w' : ''}${q.status ? 's' : ''}${q.after ? 'a' : ''}`;
    let st = pages.get(key);
    if (!st) {
      const where = ['workspace_id = @workspaceId'];
      if (q.workflowId) where.push('workflow_id = @workflowId');
      if (q.status) where.push('status = @status');
      if (q.after) where.push('(queued_at < @afterAt OR (queued_at = @afterAt AND id < @afterId))');
      st = db.prepare(`SELECT * FROM workflow_runs WHERE ${where.join(' AND ')} ORDER BY queued_at DESC, id DESC LIMIT @limit`);
      pages.set(key, st);
    }
    return st;
  }

  return {
    ...tx,
    slotTaken: (workflowId: string, slot: string) => slotTaken.get(workflowId, slot) !== undefined,
    /** The run and its step rows; call inside a transaction. */
    insertRun(run: Omit<RunRecord, 'started_at' | 'ended_at' | 'error' | 'owner' | 'heartbeat_at'>, steps: Array<Pick<RunStepRecord, 'step_id' | 'position' | 'kind' | 'status' | 'output' | 'output_truncated' | 'reused_from'>>): void {
      insertRun.run(run);
      for (const s of steps) insertStep.run({ run_id: run.id, ...s });
    },
    run: (id: string) => runById.get(id) as RunRecord | undefined,
    runIn: (workspaceId: string, id: string) => runIn.get(id, workspaceId) as RunRecord | undefined,
    steps: (runId: string) => stepsOf.all(runId) as RunStepRecord[],
    status: (runId: string) => (statusOf.get(runId) as { status: RunRecord['status'] } | undefined)?.status ?? null,
    page: (q: RunPageQuery) =>
      pageStatement(q).all({ workspaceId: q.workspaceId, workflowId: q.workflowId, status: q.status, afterAt: q.after?.[0], afterId: q.after?.[1], limit: q.limit }) as RunRecord[],
    /** The oldest queued run, claimed for `owner` (IMMEDIATE: the read and the claim hold the write lock), or null. */
    claimNext(owner: string, now: string): RunRecord | null {
      return tx.immediate(() => {
        const next = nextQueued.get() as { id: string } | undefined;
        if (!next) return null;
        if (claim.run(owner, now, now, next.id).changes !== 1) return null;
        return runById.get(next.id) as RunRecord;
      });
    },
    stepTransition: (t: StepTransition) => void stepTransition.run(t),
    setConnection: (runId: string, stepId: string, connectionId: string) => void setConnection.run(connectionId, runId, stepId),
    /**
     * Ends a running run: its status, and the steps still open (running → `runningTo`, pending → `pendingTo`), in one
     * transaction with whatever `alsoInTx` writes (the audit row). False when the run was no longer running.
     */
    finish(
      run: { id: string; status: 'succeeded' | 'failed' | 'cancelled'; at: string; error: string | null },
      open: { runningTo: string; pendingTo: string; error: string | null },
      alsoInTx: () => void,
    ): boolean {
      return tx.transaction(() => {
        if (finish.run(run.status, run.at, run.error, run.id).changes !== 1) return false;
        closeOpenSteps.run({ run_id: run.id, running: open.runningTo, pending: open.pendingTo, at: run.at, error: open.error });
        alsoInTx();
        return true;
      });
    },
    /** A queued run is cancelled at once; a running one is marked cancelled (its owner aborts what is in flight). */
    cancel(runId: string, at: string, alsoInTx: () => void): 'queued' | 'running' | null {
      return tx.transaction(() => {
        let was: 'queued' | 'running' | null = null;
        if (cancelQueued.run(at, runId).changes === 1) was = 'queued';
        else if (cancelRunning.run(at, runId).changes === 1) was = 'running';
        if (!was) return null;
        closeOpenSteps.run({ run_id: runId, running: 'cancelled', pending: 'cancelled', at, error: null });
        alsoInTx();
        return was;
      });
    },
    heartbeat: (owner: string, now: string) => heartbeat.run(now, owner).changes,
    running: () => running.all() as Array<Pick<RunRecord, 'id' | 'workspace_id' | 'workflow_id' | 'owner' | 'heartbeat_at'>>,
    /** Marks a run of a dead owner failed, with its open steps; false when it changed meanwhile. */
    interrupt(runId: string, owner: string | null, at: string, error: string, stepError: string, alsoInTx: () => void): boolean {
      return tx.immediate(() => {
        if (interrupt.run(at, error, runId, owner).changes !== 1) return false;
        closeOpenSteps.run({ run_id: runId, running: 'failed', pending: 'skipped', at, error: stepError });
        alsoInTx();
        return true;
      });
    },
  };
}
export type RunStore = ReturnType<typeof createRunStore>;
