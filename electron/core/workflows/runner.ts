// One file (about 500 lines): the queue, the batched writer of step transitions, one run's DAG walk and one step's
// attempts share the run's state (outputs, scrubber, abort signal) and the rule that every stored value goes through
// the scrubber first; split, each part would take all of it as parameters.
import type { Actor } from '@shared/domain/actor';
import type { WorkflowDefinition, WorkflowStep } from '@shared/domain/workflow';
import { RUN_MESSAGES } from '@shared/domain/workflow.catalog';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import { isBusyError, retryWhenBusy } from '../db/storage-errors';
import { AppError } from '../errors';
import type { EventBus } from '../events/event-bus';
import type { Clock, Logger } from '../ports';
import { capOutput, createRunScrubber, type RunScrubber } from './run-scrubber';
import type { RunRecord, RunStepRecord, RunStore, StepTransition } from './run-store';
import { StepError, type StepContext } from './step-kind';
import type { StepRegistry } from './step-registry';
import { contextOf, resolveConfig } from './step-resolver';

export type RunnerTuning = {
  /** Runs executing at once in this process (default 4). */
  maxRuns: number;
  /** Steps of one run executing at once (default 4). */
  maxStepsPerRun: number;
  /** One attempt's longest duration when the step sets none (default 60 s). */
  defaultStepTimeoutMs: number;
  /** A provider's Retry-After is honoured up to this (default 60 s). */
  maxRetryAfterMs: number;
  /** How often the owner's heartbeat is written while it runs anything (default 5 s). */
  heartbeatMs: number;
};
export const DEFAULT_RUNNER_TUNING: RunnerTuning = { maxRuns: 4, maxStepsPerRun: 4, defaultStepTimeoutMs: 60_000, maxRetryAfterMs: 60_000, heartbeatMs: 5_000 };

export type RunnerDeps = {
  store: RunStore;
  /** The definition of the version a run records (the definitions room's store), or undefined when it is gone. */
  definition: (workflowId: string, version: number) => WorkflowDefinition | undefined;
  registry: StepRegistry;
  clock: Clock;
  logger: Logger;
  bus: EventBus;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'assert'>;
  /** The secret's current value for injection (secrets.readForRuntime); NOT_FOUND for an unknown id. */
  readSecret: (workspaceId: string, secretId: string) => string;
  /** The connection's record (connections.internal.get); "connection not found" for another workspace's or a deleted id. */
  getConnection: (workspaceId: string, connectionId: string) => { id: string; name: string; status: string };
  /** This process's owner id (run-owner.ts). */
  owner: string;
  tuning?: Partial<RunnerTuning>;
  /** Waits between attempts (tests record the delays and resolve at once). Rejects when `signal` aborts. */
  wait?: (ms: number, signal: AbortSignal) => Promise<void>;
};

type StepOutcome = { ok: true } | { ok: false; error: { code: string; message: string } } | { ok: false; aborted: true };

const TRANSIENT_CODES = new Set(['RATE_LIMITED', 'UNAVAILABLE', 'BUSY', 'TIMEOUT']);

export const abortableWait = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });

/** Why a run's controller was aborted. */
class RunAborted extends Error {
  constructor(readonly why: 'cancel' | 'shutdown') {
    super(why === 'cancel' ? 'run cancelled' : 'the app is closing');
  }
}

/**
 * The bounded queue that executes runs. It claims queued runs from the database (any process may have queued them),
 * at most `maxRuns` at a time, and walks each run's DAG with at most `maxStepsPerRun` steps in flight.
 *
 * What must stay true:
 * - every output and error is scrubbed of the values injected into the run before it is written or emitted; the
 *   full (unscrubbed) outputs live only in this run's memory, for its later steps;
 * - a step transition is one statement (running, succeeded, failed…), conditional on the step still being open, so a
 *   cancel that closed the steps wins over a late result;
 * - a run's end (status, open steps, audit row) is one transaction, conditional on the run still being `running`.
 */
export function createRunner(deps: RunnerDeps) {
  const { store, registry, clock, logger, bus, audit, access } = deps;
  const tuning = { ...DEFAULT_RUNNER_TUNING, ...deps.tuning };
  const wait = deps.wait ?? abortableWait;
  const active = new Map<string, { controller: AbortController; run: RunRecord }>();
  const idleWaiters: Array<() => void> = [];
  let stopped = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let heartbeat: NodeJS.Timeout | null = null;

  const iso = () => clock.now().toISOString();
  const emit = (r: Pick<RunRecord, 'workspace_id' | 'workflow_id' | 'id'>, status: string) =>
    bus.emit('runs:changed', { workspaceId: r.workspace_id, workflowId: r.workflow_id, runId: r.id, status });

  /** A write that waits out another process's write lock instead of failing the step. */
  const write = <T>(fn: () => T): Promise<T> => retryWhenBusy(fn, { onBusy: (attempt) => logger.log('debug', 'runner: database busy, waiting', { attempt }) });

  function kick(): void {
    if (stopped) return;
    while (active.size < tuning.maxRuns) {
      let run: RunRecord | null;
      try {
        run = store.claimNext(deps.owner, iso());
      } catch (e) {
        if (!isBusyError(e)) logger.log('error', 'runner: could not claim a queued run', { error: e instanceof Error ? e.message : 'unknown' });
        if (!retryTimer) {
          retryTimer = setTimeout(() => {
            retryTimer = null;
            kick();
          }, 100);
          retryTimer.unref();
        }
        return;
      }
      if (!run) break;
      const controller = new AbortController();
      active.set(run.id, { controller, run });
      startHeartbeat();
      emit(run, 'running');
      const claimed = run;
      void execute(claimed, controller.signal)
        .catch(async (e: unknown) => {
          if (stopped) return;
          // A run that cannot be executed (its stored definition unreadable, say) ends failed rather than staying
          // `running` under this live owner for ever.
          logger.log('error', 'runner: run ended unexpectedly', { runId: claimed.id, error: e instanceof Error ? e.name : 'unknown' });
          await end(claimed, 'failed', { code: 'INTERNAL', message: 'the run could not be executed; see the app log' }).catch(() => undefined);
        })
        .finally(() => {
          active.delete(claimed.id);
          if (active.size === 0) stopHeartbeat();
          kick();
          if (active.size === 0) for (const w of idleWaiters.splice(0)) w();
        });
    }
  }

  function startHeartbeat(): void {
    if (heartbeat || stopped) return;
    heartbeat = setInterval(beat, tuning.heartbeatMs);
    heartbeat.unref();
  }
  function stopHeartbeat(): void {
    if (heartbeat) clearInterval(heartbeat);
    heartbeat = null;
  }

  /**
   * Keeps this owner's runs alive, and aborts a run another process ended: cancelled there, or marked interrupted
   * because this process looked dead (a heartbeat older than the stale limit, e.g. after the machine slept). Its
   * record then stays as that process wrote it, and a replay finishes it.
   */
  function beat(): void {
    try {
      store.heartbeat(deps.owner, iso());
      for (const [id, a] of active) if (store.status(id) !== 'running') a.controller.abort(new RunAborted('cancel'));
    } catch (e) {
      if (!isBusyError(e)) logger.log('warn', 'runner: heartbeat failed', { error: e instanceof Error ? e.message : 'unknown' });
    }
  }

  async function execute(run: RunRecord, signal: AbortSignal): Promise<void> {
    const actor = JSON.parse(run.started_by) as Actor;
    const def = deps.definition(run.workflow_id, run.version);
    if (!def) {
      await end(run, 'failed', { code: 'NOT_FOUND', message: `version ${run.version} of this workflow was not found` });
      return;
    }
    const inputs = JSON.parse(run.inputs) as Record<string, unknown>;
    const rows = new Map<string, RunStepRecord>(store.steps(run.id).map((r) => [r.step_id, r]));
    const scrubber = createRunScrubber();
    const outputs = new Map<string, unknown>();
    const status = new Map<string, string>();
    for (const s of def.steps) {
      const r = rows.get(s.id);
      status.set(s.id, r?.status ?? 'pending');
      if (r?.status === 'reused') outputs.set(s.id, r.output === null ? null : JSON.parse(r.output));
    }
    const ancestors = ancestorsOf(def.steps);
    const inFlight = new Map<string, Promise<void>>();
    let failure: { code: string; message: string; stepId: string } | null = null;
    const finished = (id: string) => {
      const st = status.get(id);
      return st === 'succeeded' || st === 'reused';
    };

    for (;;) {
      if (!failure && !signal.aborted) {
        for (const s of def.steps) {
          if (inFlight.size >= tuning.maxStepsPerRun) break;
          if (status.get(s.id) !== 'pending' || !(s.needs ?? []).every(finished)) continue;
          status.set(s.id, 'running');
          const p = runStep(run, actor, s, inputs, outputs, ancestors.get(s.id)!, scrubber, signal).then(
            (o) => {
              if (o.ok) status.set(s.id, 'succeeded');
              else {
                status.set(s.id, 'failed');
                if ('error' in o) failure ??= { ...o.error, stepId: s.id };
              }
            },
            (e: unknown) => {
              status.set(s.id, 'failed');
              failure ??= { code: 'INTERNAL', message: scrubber.text(e instanceof Error ? e.message : 'step failed'), stepId: s.id };
            },
          );
          inFlight.set(
            s.id,
            p.finally(() => inFlight.delete(s.id)),
          );
        }
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight.values());
    }
    if (stopped || signal.aborted) return; // cancelled (the cancel wrote the run) or shutting down (interrupted)
    if (failure) await end(run, 'failed', failure);
    else if ([...status.values()].some((s) => s === 'pending')) {
      await end(run, 'failed', { code: 'INVALID_INPUT', message: 'some steps could never run: their needs form a cycle or name unknown steps' });
    } else await end(run, 'succeeded', null);
  }

  async function end(run: RunRecord, to: 'succeeded' | 'failed', error: { code: string; message: string; stepId?: string } | null): Promise<void> {
    await drain();
    if (stopped) return;
    const at = iso();
    const ok = await write(() =>
      store.finish({ id: run.id, status: to, at, error: error ? JSON.stringify(error) : null }, { runningTo: 'failed', pendingTo: 'skipped', error: null }, () =>
        audit.record({
          workspaceId: run.workspace_id,
          action: to === 'succeeded' ? 'workflow.run_succeeded' : 'workflow.run_failed',
          actor: JSON.parse(run.started_by) as Actor,
          target: { type: 'workflow', id: run.workflow_id },
          details: {
            workflowId: run.workflow_id,
            runId: run.id,
            version: run.version,
            ...(error ? { stepId: error.stepId ?? null, errorCode: error.code } : {}),
            durationMs: run.started_at ? Date.parse(at) - Date.parse(run.started_at) : null,
          },
        }),
      ),
    );
    if (ok) emit(run, to);
  }

  /**
   * Step transitions are queued and written in batches: every transition queued while the event loop is busy goes
   * into one transaction at the next turn (setImmediate), one statement each, then one runs:changed per run. A chain
   * of fast steps thus costs one commit per turn instead of two per step; a slow step's transitions are written as
   * soon as it waits. Batches are written one after another (`chain`), and a run's end drains them first, so its final
   * write always sees every transition before it.
   */
  const pending: Array<{ run: RunRecord; t: StepTransition }> = [];
  let chain: Promise<void> = Promise.resolve();
  let flushQueued = false;

  /** Batches taken from `pending` whose write has not settled (one waiting out another process's lock, say). */
  let batchesWriting = 0;

  /** One runs:changed per run whose transitions were just written. */
  function emitFor(batch: ReadonlyArray<{ run: RunRecord }>): void {
    const runs = new Map(batch.map((b) => [b.run.id, b.run]));
    for (const r of runs.values()) emit(r, 'running');
  }

  function writeBatch(): Promise<void> {
    const batch = pending.splice(0);
    if (batch.length === 0 || stopped) return Promise.resolve();
    batchesWriting++;
    return write(() =>
      store.transaction(() => {
        for (const b of batch) store.stepTransition(b.t);
      }),
    )
      .then(
        () => emitFor(batch),
        (e: unknown) => {
          if (!stopped) logger.log('error', 'runner: could not record step transitions', { error: e instanceof Error ? e.name : 'unknown' });
        },
      )
      .finally(() => batchesWriting--);
  }
  /** Waits until every transition queued so far is written. */
  function drain(): Promise<void> {
    chain = chain.then(writeBatch);
    return chain;
  }
  function transition(run: RunRecord, stepId: string, t: Omit<StepTransition, 'run_id' | 'step_id'>): void {
    pending.push({ run, t: { run_id: run.id, step_id: stepId, ...t } });
    if (flushQueued) return;
    flushQueued = true;
    setImmediate(() => {
      flushQueued = false;
      void drain();
    });
  }

  async function runStep(
    run: RunRecord,
    actor: Actor,
    step: WorkflowStep,
    inputs: Record<string, unknown>,
    outputs: Map<string, unknown>,
    ancestors: ReadonlySet<string>,
    scrubber: RunScrubber,
    runSignal: AbortSignal,
  ): Promise<StepOutcome> {
    const kind = registry.get(step.kind);
    const needed = (step.needs ?? []).map((id) => ({ stepId: id, output: outputs.get(id) }));
    const visible = ancestorView(outputs, ancestors);
    const timeoutMs = step.timeoutMs ?? tuning.defaultStepTimeoutMs;
    for (let attempt = 1; ; attempt++) {
      const startedAt = clock.now();
      if (stopped) return { ok: false, aborted: true };
      transition(run, step.id, { status: 'running', attempt, started_at: startedAt.toISOString(), ended_at: null, duration_ms: null, error: null, output: null, output_truncated: 0 });
      const stepController = new AbortController();
      const onRunAbort = () => stepController.abort(runSignal.reason);
      runSignal.addEventListener('abort', onRunAbort, { once: true });
      const timer = setTimeout(() => stepController.abort(new StepError('TIMEOUT', `step timed out after ${timeoutMs} ms`, { transient: true })), timeoutMs);
      let failure: { code: string; message: string; transient: boolean; retryAfterMs?: number; authFailure?: boolean };
      try {
        if (!kind) throw new StepError('INVALID_INPUT', `step kind "${step.kind}" is not available in this build`);
        const config = resolveConfig(
          step.config,
          { steps: visible, context: contextOf(needed), inputs },
          (secretId) => {
            access.assert(actor, run.workspace_id, 'secret.use');
            return deps.readSecret(run.workspace_id, secretId);
          },
          (value) => scrubber.add(value),
        );
        // Every connection the step's config names is checked (connection.use for the run's actor, this workspace,
        // not paused) and recorded before the kind runs, whether or not the kind calls useConnection itself.
        const used = new Set<string>();
        const use = (connectionId: string) => {
          if (used.has(connectionId)) return;
          useConnection(run, actor, step.id, connectionId);
          used.add(connectionId);
        };
        for (const id of kind.references(config as never).connections ?? []) use(id);
        const ctx: StepContext = {
          actor,
          workspaceId: run.workspace_id,
          runId: run.id,
          stepId: step.id,
          attempt,
          signal: stepController.signal,
          needed,
          outputs: visible,
          inputs,
          injected: (value) => scrubber.add(value),
          useConnection: use,
        };
        const result = await kind.run(config, ctx);
        stepController.signal.throwIfAborted();
        outputs.set(step.id, result.output);
        const ended = clock.now();
        const stored = capOutput(scrubber.value(result.output));
        if (stopped) return { ok: false, aborted: true };
        transition(run, step.id, {
          status: 'succeeded',
          attempt,
          started_at: startedAt.toISOString(),
          ended_at: ended.toISOString(),
          duration_ms: Math.max(0, ended.getTime() - startedAt.getTime()),
          error: null,
          output: stored.json,
          output_truncated: stored.truncated ? 1 : 0,
        });
        return { ok: true };
      } catch (e) {
        if (runSignal.aborted || stopped) return { ok: false, aborted: true };
        failure = classify(stepController.signal.aborted ? (stepController.signal.reason ?? e) : e, scrubber);
      } finally {
        clearTimeout(timer);
        runSignal.removeEventListener('abort', onRunAbort);
      }
      const ended = clock.now();
      const base = {
        attempt,
        started_at: startedAt.toISOString(),
        ended_at: ended.toISOString(),
        duration_ms: Math.max(0, ended.getTime() - startedAt.getTime()),
        error: JSON.stringify({ code: failure.code, message: failure.message }),
        output: null,
        output_truncated: 0,
      };
      const maxAttempts = step.retry ? (step.retry.maxAttempts ?? 3) : failure.transient ? 3 : 1;
      if (failure.transient && !failure.authFailure && attempt < maxAttempts) {
        const backoff = (step.retry?.backoffMs ?? 1_000) * 2 ** (attempt - 1);
        const delay = Math.max(backoff, Math.min(failure.retryAfterMs ?? 0, tuning.maxRetryAfterMs));
        // Still running: the error of the last attempt shows while the step waits for the next one.
        transition(run, step.id, { ...base, status: 'running' });
        try {
          await wait(delay, runSignal);
        } catch {
          return { ok: false, aborted: true };
        }
        continue;
      }
      transition(run, step.id, { ...base, status: 'failed' });
      return { ok: false, error: { code: failure.code, message: failure.message } };
    }
  }

  /**
   * ctx.useConnection: the actor may use connections (connection.use), the id is this workspace's ("connection not
   * found" otherwise) and the connection is not paused ("connection is paused": nothing is sent). The step records the
   * connection either way (the run-step level "which connection"); connection.used is audited only when it is usable.
   */
  function useConnection(run: RunRecord, actor: Actor, stepId: string, connectionId: string): void {
    access.assert(actor, run.workspace_id, 'connection.use');
    const c = deps.getConnection(run.workspace_id, connectionId);
    const paused = c.status === 'paused';
    // The transitions queued so far (this step's `running` among them) commit with this write: one commit, not two.
    // Not while an older batch waits out another process's lock: a step's transitions are written in order.
    const batch = batchesWriting === 0 ? pending.splice(0) : [];
    try {
      store.transaction(() => {
        for (const b of batch) store.stepTransition(b.t);
        store.setConnection(run.id, stepId, c.id);
      if (!paused) {
        audit.record({
          workspaceId: run.workspace_id,
          action: 'connection.used',
          actor,
          target: { type: 'connection', id: c.id, name: c.name },
            details: { workflowId: run.workflow_id, runId: run.id, stepId },
          });
        }
      });
    } catch (e) {
      pending.unshift(...batch); // not written: the next batch writes them
      throw e;
    }
    emitFor(batch);
    // The docs' words exactly (RUN_MESSAGES); the run view adds what to do (resume it in Connections).
    if (paused) throw new AppError('PRECONDITION_FAILED', RUN_MESSAGES.connectionPaused);
  }

  return {
    /** Claims queued runs up to the bound; call after queueing one (or at start, or from the scheduler). */
    kick,
    /** Aborts a run this process is executing (a cancel); false when it is not running here. */
    abort(runId: string): boolean {
      const a = active.get(runId);
      if (!a) return false;
      a.controller.abort(new RunAborted('cancel'));
      return true;
    },
    /** Runs executing in this process. */
    activeCount: () => active.size,
    /** Resolves when this process executes nothing (tests, benchmarks). */
    idle(): Promise<void> {
      if (active.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    /**
     * Stops claiming and aborts what is in flight. The runs it was executing stay `running` under this owner: the
     * core's close() marks them interrupted right after (run-service.ts), so a replay can finish them.
     */
    stop(): string[] {
      // What finished before the stop is kept (a replay reuses it); a batch still waiting for the lock is dropped.
      try {
        const batch = pending.splice(0);
        if (batch.length) store.transaction(() => batch.forEach((b) => store.stepTransition(b.t)));
      } catch {
        // the database is going away with the process; the run is marked interrupted next
      }
      stopped = true;
      stopHeartbeat();
      if (retryTimer) clearTimeout(retryTimer);
      const ids = [...active.keys()];
      for (const a of active.values()) a.controller.abort(new RunAborted('shutdown'));
      for (const w of idleWaiters.splice(0)) w();
      return ids;
    },
    tuning,
  };
}
export type Runner = ReturnType<typeof createRunner>;

/** A failure as stored: code, scrubbed message, and whether a retry may help. */
function classify(e: unknown, scrubber: RunScrubber): { code: string; message: string; transient: boolean; retryAfterMs?: number; authFailure?: boolean } {
  if (e instanceof StepError) {
    return { code: e.code, message: scrubber.text(e.message), transient: Boolean(e.opts.transient), retryAfterMs: e.opts.retryAfterMs, authFailure: e.opts.authFailure };
  }
  if (e instanceof AppError) {
    return { code: e.code, message: scrubber.text(e.message), transient: TRANSIENT_CODES.has(e.code), retryAfterMs: e.retryAfter !== undefined ? e.retryAfter * 1000 : undefined };
  }
  if (e instanceof Error && e.name === 'AbortError') return { code: 'CANCELLED', message: 'step aborted', transient: false };
  return { code: 'STEP_FAILED', message: scrubber.text(e instanceof Error ? e.message : 'step failed'), transient: false };
}

/**
 * The outputs a step may reach (`steps.<id>.output`, a transform's `steps`): the run's outputs seen through the step's
 * ancestors, without copying them (a copy per step is quadratic in a long chain).
 */
function ancestorView(outputs: ReadonlyMap<string, unknown>, ancestors: ReadonlySet<string>): ReadonlyMap<string, unknown> {
  const has = (id: string) => ancestors.has(id) && outputs.has(id);
  function* entries(): MapIterator<[string, unknown]> {
    for (const id of ancestors) if (outputs.has(id)) yield [id, outputs.get(id)];
  }
  function* keys(): MapIterator<string> {
    for (const [id] of entries()) yield id;
  }
  function* values(): MapIterator<unknown> {
    for (const [, v] of entries()) yield v;
  }
  return {
    has,
    get: (id) => (has(id) ? outputs.get(id) : undefined),
    get size() {
      let n = 0;
      for (const id of ancestors) if (outputs.has(id)) n++;
      return n;
    },
    forEach(fn, thisArg) {
      for (const [id, v] of entries()) fn.call(thisArg, v, id, this);
    },
    entries,
    keys,
    values,
    [Symbol.iterator]: entries,
  };
}

/** Each step's transitive needs (what `steps.<id>.output` may reach). Unknown ids are ignored (refused on save). */
function ancestorsOf(steps: readonly WorkflowStep[]): Map<string, Set<string>> {
  const byId = new Map(steps.map((s) => [s.id, s]));
  const memo = new Map<string, Set<string>>();
  const visit = (id: string, path: Set<string>): Set<string> => {
    const m = memo.get(id);
    if (m) return m;
    const out = new Set<string>();
    if (path.has(id)) return out; // a cycle (refused on save): its steps never become ready
    path.add(id);
    for (const n of byId.get(id)?.needs ?? []) {
      if (!byId.has(n)) continue;
      out.add(n);
      for (const a of visit(n, path)) out.add(a);
    }
    path.delete(id);
    memo.set(id, out);
    return out;
  };
  for (const s of steps) visit(s.id, new Set());
  return memo;
}
