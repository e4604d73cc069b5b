import type { ActorRef, RunStatus, WorkflowDefinition } from '@shared/domain/workflow';
import { nameKey } from '@shared/domain/names';
import type { Db } from '../db/database';
import { createTransactor } from '../db/transactor';

/**
 * A workflow as stored: its current state (the row of `workflows`). The definition of each version lives in
 * `workflow_versions`, immutable once written; the row's `version` is the newest one.
 */
export type StoredWorkflow = {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  version: number;
  schedule: string | null;
  timezone: string;
  /** The schedule's next slot (ISO), the scheduler's cursor; null without a schedule. */
  nextRunAt: string | null;
  stepCount: number;
  createdAt: string;
  updatedAt: string;
  /** Whom the schedule acts as: the last editor. */
  updatedBy: ActorRef;
};

/** One immutable version: the definition as saved (references by id, never a secret value). */
export type StoredWorkflowVersion = {
  workflowId: string;
  version: number;
  definition: WorkflowDefinition;
  createdAt: string;
  createdBy: ActorRef;
};

export type LastRun = { id: string; status: RunStatus; queuedAt: string; endedAt: string | null };

export type WorkflowListFilter = {
  workspaceId: string;
  /** Case-insensitive substring of the name, matched literally (no wildcards). */
  nameContains?: string;
  /** Keyset page start: rows after this (lower-cased name, id) in list order. */
  after?: { lowerName: string; id: string };
  limit: number;
};

/**
 * The workflow definitions room's persistence: every SQL statement on `workflows` and `workflow_versions`, plus the
 * two reads of `workflow_runs` a definition needs (its last run for the list; whether a run is in progress before a
 * delete). Nothing here checks access or validates: the workflow service does both before it calls. Multi-statement
 * changes run inside `transaction(fn)`, which the service opens (the reference index and the audit log join it).
 * A second engine implements this same interface; all of it is synchronous today.
 */
export function createWorkflowStore(db: Db) {
  type Row = {
    id: string;
    workspace_id: string;
    name: string;
    description: string;
    version: number;
    schedule: string | null;
    timezone: string;
    next_run_at: string | null;
    step_count: number;
    created_at: string;
    updated_at: string;
    updated_by: string;
  };
  const toStored = (r: Row): StoredWorkflow => ({
    id: r.id,
    workspaceId: r.workspace_id,
    name: r.name,
    description: r.description,
    version: r.version,
    schedule: r.schedule,
    timezone: r.timezone,
    nextRunAt: r.next_run_at,
    stepCount: r.step_count,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    updatedBy: JSON.parse(r.updated_by) as ActorRef,
  });
  type VersionRow = { workflow_id: string; version: number; definition: string; created_at: string; created_by: string };

  const byId = db.prepare('SELECT * FROM workflows WHERE id = ? AND workspace_id = ?');
  const byIdAnywhere = db.prepare('SELECT * FROM workflows WHERE id = ?');
  const dueIds = db.prepare('SELECT id FROM workflows WHERE next_run_at IS NOT NULL AND next_run_at <= ? ORDER BY next_run_at LIMIT ?').pluck();
  const setNextRun = db.prepare('UPDATE workflows SET next_run_at = ? WHERE id = ?');
  const idByKey = db.prepare('SELECT id FROM workflows WHERE workspace_id = ? AND name_key = ?');
  const insertRow = db.prepare(
    `INSERT INTO workflows (id, workspace_id, name, name_key, description, version, schedule, timezone, next_run_at, step_count, created_at, updated_at, updated_by)
     VALUES (@id, @workspace_id, @name, @name_key, @description, @version, @schedule, @timezone, @next_run_at, @step_count, @created_at, @updated_at, @updated_by)`,
  );
  const updateRow = db.prepare(
    `UPDATE workflows SET name = @name, name_key = @name_key, description = @description, version = @version, schedule = @schedule,
       timezone = @timezone, next_run_at = @next_run_at, step_count = @step_count, updated_at = @updated_at, updated_by = @updated_by
     WHERE id = @id AND workspace_id = @workspace_id`,
  );
  const insertVersion = db.prepare('INSERT INTO workflow_versions (workflow_id, version, definition, created_at, created_by) VALUES (?, ?, ?, ?, ?)');
  const versionOf = db.prepare('SELECT * FROM workflow_versions WHERE workflow_id = ? AND version = ?');
  const versionsOf = db.prepare('SELECT version, created_at, created_by FROM workflow_versions WHERE workflow_id = ? ORDER BY version DESC');
  const deleteRow = db.prepare('DELETE FROM workflows WHERE id = ?');
  const lastRunOf = db.prepare('SELECT id, status, queued_at, ended_at FROM workflow_runs WHERE workflow_id = ? ORDER BY queued_at DESC, id DESC LIMIT 1');
  const activeRuns = db.prepare("SELECT COUNT(*) AS n FROM workflow_runs WHERE workflow_id = ? AND (status = 'queued' OR status = 'running')");

  const params = (w: StoredWorkflow) => ({
    id: w.id,
    workspace_id: w.workspaceId,
    name: w.name,
    name_key: nameKey(w.name),
    description: w.description,
    version: w.version,
    schedule: w.schedule,
    timezone: w.timezone,
    next_run_at: w.nextRunAt,
    step_count: w.stepCount,
    created_at: w.createdAt,
    updated_at: w.updatedAt,
    updated_by: JSON.stringify(w.updatedBy),
  });

  return {
    // transaction(fn) / immediate(fn): the one way transactions open (a savepoint when one is already open).
    ...createTransactor(db),

    /** A workflow of the workspace; undefined for an unknown id and for another workspace's id alike. */
    get(workspaceId: string, id: string): StoredWorkflow | undefined {
      const r = byId.get(id, workspaceId) as Row | undefined;
      return r ? toStored(r) : undefined;
    },

    /**
     * A workflow by id alone, for the scheduler (a due workflow is found across workspaces; what it then queues is
     * that workflow's own workspace's run). Every transport reads through the workspace-scoped `get`.
     */
    getById(id: string): StoredWorkflow | undefined {
      const r = byIdAnywhere.get(id) as Row | undefined;
      return r ? toStored(r) : undefined;
    },

    /** Ids of the workflows whose next schedule slot is at or before `now` (ISO), soonest first. */
    due(now: string, limit: number): string[] {
      return dueIds.all(now, limit) as string[];
    },

    /** Moves the schedule's cursor (the scheduler, after it queued a slot's run; null stops scheduling). */
    setNextRun(id: string, next: string | null): void {
      setNextRun.run(next, id);
    },

    /** The id of the workspace's workflow whose name is this name (same `nameKey`: Unicode, ignoring case). */
    idByName(workspaceId: string, name: string): string | undefined {
      return (idByKey.get(workspaceId, nameKey(name)) as { id: string } | undefined)?.id;
    },

    /** Up to `limit` workflows in list order (lower-cased name, then id). */
    list(f: WorkflowListFilter): StoredWorkflow[] {
      const where = ['workspace_id = @workspaceId'];
      const p: Record<string, unknown> = { workspaceId: f.workspaceId, limit: f.limit };
      if (f.nameContains !== undefined && f.nameContains !== '') {
        where.push("name LIKE @q ESCAPE '\\' COLLATE NOCASE");
        p.q = `%${f.nameContains.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      }
      if (f.after) {
        where.push('(lower(name) > @afterName OR (lower(name) = @afterName AND id > @afterId))');
        p.afterName = f.after.lowerName;
        p.afterId = f.after.id;
      }
      const rows = db.prepare(`SELECT * FROM workflows WHERE ${where.join(' AND ')} ORDER BY lower(name), id LIMIT @limit`).all(p) as Row[];
      return rows.map(toStored);
    },

    /** A new workflow and its first version (w.version), in the caller's transaction. */
    insert(w: StoredWorkflow, definition: WorkflowDefinition): void {
      insertRow.run(params(w));
      insertVersion.run(w.id, w.version, JSON.stringify(definition), w.updatedAt, JSON.stringify(w.updatedBy));
    },

    /** The workflow's new current state and its new version (w.version), in the caller's transaction. */
    saveVersion(w: StoredWorkflow, definition: WorkflowDefinition): void {
      updateRow.run(params(w));
      insertVersion.run(w.id, w.version, JSON.stringify(definition), w.updatedAt, JSON.stringify(w.updatedBy));
    },

    /** Deletes the workflow; its versions, runs and run steps go with it (ON DELETE CASCADE). */
    delete(id: string): void {
      deleteRow.run(id);
    },

    /**
     * One version of a workflow (the runner reads the version a run records). Not workspace-scoped: callers name a
     * workflow they already read through a workspace-scoped `get`.
     */
    getVersion(workflowId: string, version: number): StoredWorkflowVersion | undefined {
      const r = versionOf.get(workflowId, version) as VersionRow | undefined;
      if (!r) return undefined;
      return {
        workflowId: r.workflow_id,
        version: r.version,
        definition: JSON.parse(r.definition) as WorkflowDefinition,
        createdAt: r.created_at,
        createdBy: JSON.parse(r.created_by) as ActorRef,
      };
    },

    /** Every version, newest first (metadata only). */
    versions(workflowId: string): Array<{ version: number; createdAt: string; createdBy: ActorRef }> {
      return (versionsOf.all(workflowId) as Array<Omit<VersionRow, 'workflow_id' | 'definition'>>).map((r) => ({
        version: r.version,
        createdAt: r.created_at,
        createdBy: JSON.parse(r.created_by) as ActorRef,
      }));
    },

    /** The newest run (by queued time), or null. */
    lastRun(workflowId: string): LastRun | null {
      const r = lastRunOf.get(workflowId) as { id: string; status: RunStatus; queued_at: string; ended_at: string | null } | undefined;
      return r ? { id: r.id, status: r.status, queuedAt: r.queued_at, endedAt: r.ended_at } : null;
    },

    /** How many runs of the workflow are queued or running. */
    activeRunCount(workflowId: string): number {
      return (activeRuns.get(workflowId) as { n: number }).n;
    },
  };
}
export type WorkflowStore = ReturnType<typeof createWorkflowStore>;
