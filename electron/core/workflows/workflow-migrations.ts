import type { Migration } from '../db/database';

/**
 * Workflows (600–699). A workflow row is its current state; each save adds an immutable `workflow_versions` row, and
 * a run records the version it ran. `next_run_at` is the schedule's next slot (the scheduler's cursor, claimed in an
 * IMMEDIATE transaction so two processes on one data dir never run one slot twice; UNIQUE (workflow_id, slot) holds
 * the same line in the data). Run steps are written in batches by the runner, never one transaction per field.
 * `owner` is the process (pid + boot token) running a run: a run still `running` under an owner that is gone is
 * marked failed (interrupted) at the next start.
 */
export const workflowsMigration: Migration = {
  version: 600,
  name: 'workflows: definitions, versions, runs, run steps',
  up: (db) => {
    db.exec(`
      CREATE TABLE workflows (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        name_key TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        version INTEGER NOT NULL,
        schedule TEXT,
        timezone TEXT NOT NULL DEFAULT 'UTC',
        next_run_at TEXT,
        step_count INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        updated_by TEXT NOT NULL, -- JSON ActorRef: whom the schedule acts as
        UNIQUE (workspace_id, name_key)
      );
      CREATE INDEX workflows_next_run ON workflows (next_run_at) WHERE next_run_at IS NOT NULL;
      CREATE TABLE workflow_versions (
        workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        definition TEXT NOT NULL, -- JSON WorkflowDefinition (references, never secret values)
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL, -- JSON ActorRef
        PRIMARY KEY (workflow_id, version)
      );
      CREATE TABLE workflow_runs (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        workflow_id TEXT NOT NULL REFERENCES workflows(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status = 'queued' OR status = 'running' OR status = 'succeeded' OR status = 'failed' OR status = 'cancelled'),
        trigger TEXT NOT NULL,
        replay_of TEXT,
        slot TEXT, -- the schedule slot (ISO time) a scheduled run fills
        started_by TEXT NOT NULL, -- JSON ActorRef (+ origin) the run acts as
        inputs TEXT NOT NULL DEFAULT '{}',
        queued_at TEXT NOT NULL,
        started_at TEXT,
        ended_at TEXT,
        error TEXT, -- JSON {code, message, stepId?}, scrubbed
        owner TEXT,
        UNIQUE (workflow_id, slot)
      );
      CREATE INDEX workflow_runs_ws_queued ON workflow_runs (workspace_id, queued_at DESC, id DESC);
      CREATE INDEX workflow_runs_wf_queued ON workflow_runs (workflow_id, queued_at DESC, id DESC);
      CREATE INDEX workflow_runs_status ON workflow_runs (status) WHERE status = 'queued' OR status = 'running';
      CREATE TABLE workflow_run_steps (
        run_id TEXT NOT NULL REFERENCES workflow_runs(id) ON DELETE CASCADE,
        step_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        attempt INTEGER NOT NULL DEFAULT 0,
        started_at TEXT,
        ended_at TEXT,
        duration_ms INTEGER,
        error TEXT, -- JSON {code, message}, scrubbed
        output TEXT, -- JSON, scrubbed and capped
        output_truncated INTEGER NOT NULL DEFAULT 0,
        connection_id TEXT,
        reused_from TEXT,
        PRIMARY KEY (run_id, step_id)
      );
    `);
  },
};

/**
 * The runner's heartbeat (690, at the far end of the range so the definitions' own migrations can take 601…). A
 * process running a run refreshes `heartbeat_at` of all its runs in one statement every few seconds; a `running` run
 * whose owner process is gone, or whose heartbeat is older than a few intervals (the pid was reused by another
 * program), is marked failed (interrupted). See run-recovery.ts for why both checks.
 */
export const workflowRunHeartbeatMigration: Migration = {
  version: 690,
  name: 'workflow runs: heartbeat of the owning process',
  up: (db) => {
    db.exec(`ALTER TABLE workflow_runs ADD COLUMN heartbeat_at TEXT;`);
  },
};
