import { randomUUID } from 'node:crypto';
import type { Core } from '@core/index';
import type { StepContext, StepKindModule } from '@core/workflows/step-kind';
import { nameKey } from '@shared/domain/names';
import type { Run, WorkflowDefinition } from '@shared/domain/workflow';
import { TERMINAL_RUN_STATUSES } from '@shared/domain/workflow.catalog';

/**
 * Workflow rows written straight into the tables of migration 600, so the run tests do not depend on the
 * definitions service (built in parallel); the lead folds these into its create/update at merge.
 */
export function insertWorkflow(
  core: Core,
  workspaceId: string,
  def: WorkflowDefinition,
  o: { updatedBy?: { kind: string; id: string; name: string }; nextRunAt?: string | null; id?: string } = {},
): string {
  const id = o.id ?? randomUUID();
  const now = new Date().toISOString();
  const by = JSON.stringify(o.updatedBy ?? { kind: 'local', id: 'local:tester', name: 'tester' });
  core.db.transaction(() => {
    core.db
      .prepare(
        `INSERT INTO workflows (id, workspace_id, name, name_key, description, version, schedule, timezone, next_run_at, step_count, created_at, updated_at, updated_by)
         VALUES (?, ?, ?, ?, '', 1, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, workspaceId, def.name, nameKey(def.name), def.schedule ?? null, def.timezone ?? 'UTC', o.nextRunAt ?? null, def.steps.length, now, now, by);
    core.db.prepare('INSERT INTO workflow_versions (workflow_id, version, definition, created_at, created_by) VALUES (?, 1, ?, ?, ?)').run(id, JSON.stringify(def), now, by);
  })();
  return id;
}

/** Resolves with the run once it reaches a terminal status (waits on runs:changed pushes, no polling timer). */
export function settled(core: Core, workspaceId: string, runId: string, actor = { kind: 'local', id: 'local:tester', name: 'tester', origin: 'ipc' } as const): Promise<Run> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      try {
        const r = core.runs.get(actor, workspaceId, runId);
        if (TERMINAL_RUN_STATUSES.includes(r.status)) {
          stop();
          resolve(r);
          return true;
        }
      } catch (e) {
        stop();
        reject(e as Error);
        return true;
      }
      return false;
    };
    const stop = core.bus.subscribe((event, payload) => {
      if (event === 'runs:changed' && (payload as { runId: string }).runId === runId) check();
    });
    check();
  });
}

/** A controllable step kind (it takes the place of `http`, the kind this build does not register). */
export function fakeKind(run: (config: Record<string, unknown>, ctx: StepContext) => Promise<unknown> | unknown): StepKindModule<Record<string, unknown>> {
  return { kind: 'http', references: () => ({}), run: async (config, ctx) => ({ output: await run(config, ctx) }) };
}

/** A step of the fake kind (its config is whatever the fake reads). */
export const fakeStep = (id: string, needs: string[] = [], config: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) =>
  ({ id, kind: 'http', needs, config: { connectionId: randomUUID(), method: 'GET', path: '/x', ...config }, ...extra }) as unknown as WorkflowDefinition['steps'][number];

/** A promise with its resolve, for steps that wait for the test. */
export function gate<T = void>() {
  let open!: (v: T) => void;
  const p = new Promise<T>((r) => (open = r));
  return { promise: p, open };
}

/**
 * A run row written straight into the tables (no runner involved), for tests that need a run in a given state at
 * a given moment: `running` under a live owner that is not this core (the test runner's parent process, with a fresh
 * heartbeat), so neither this core's runner nor its recovery touches it; or a terminal one.
 */
export function insertRun(core: Core, workspaceId: string, workflowId: string, status: 'running' | 'failed' | 'succeeded'): string {
  const id = randomUUID();
  const now = new Date().toISOString();
  const def = JSON.parse((core.db.prepare('SELECT definition FROM workflow_versions WHERE workflow_id = ? AND version = 1').get(workflowId) as { definition: string }).definition) as WorkflowDefinition;
  core.db.transaction(() => {
    core.db
      .prepare(
        `INSERT INTO workflow_runs (id, workspace_id, workflow_id, version, status, trigger, started_by, inputs, queued_at, started_at, ended_at, error, owner, heartbeat_at)
         VALUES (?, ?, ?, 1, ?, 'manual', ?, '{}', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        workspaceId,
        workflowId,
        status,
        JSON.stringify({ kind: 'local', id: 'local:tester', name: 'tester', origin: 'ipc' }),
        now,
        now,
        status === 'running' ? null : now,
        status === 'failed' ? JSON.stringify({ code: 'PROVIDER_ERROR', message: 'failed', stepId: def.steps[0]!.id }) : null,
        status === 'running' ? `${process.ppid}:elsewhere` : null,
        now,
      );
    def.steps.forEach((s, position) =>
      core.db
        .prepare('INSERT INTO workflow_run_steps (run_id, step_id, position, kind, status, attempt, output) VALUES (?, ?, ?, ?, ?, 1, ?)')
        .run(id, s.id, position, s.kind, status === 'running' ? 'running' : status, status === 'succeeded' ? '1' : null),
    );
  })();
  return id;
}
