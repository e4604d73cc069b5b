import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '@shared/domain/actor';
import {
  workflowDefinitionJsonSchema,
  type ActorRef,
  type Workflow,
  type WorkflowDefinition,
  type WorkflowSummary,
} from '@shared/domain/workflow';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import { pageCursor } from '../db/cursor';
import { AppError, conflict, notFound } from '../errors';
import type { EventBus } from '../events/event-bus';
import type { Clock } from '../ports';
import type { ReferenceIndex } from '../references/reference-index';
import { definitionReferences } from './workflow-references';
import { nextSlot } from './workflow-schedule';
import type { StoredWorkflow, StoredWorkflowVersion, WorkflowStore } from './workflow-store';
import { validateDefinition, type ReferenceLookup, type ValidationIssue } from './workflow-validation';

/**
 * What an exported file's `$schema` says, and the `$id` of the JSON Schema GET /workflows/schema answers: a name
 * (not a URL anyone must serve), so an editor that is given the schema under this id pairs the two.
 */
export const WORKFLOW_SCHEMA_ID = 'urn:provenanceone:workflow-definition:v1';

/** The workflows list's cursor: the last workflow's sort key, [lower-cased name, id]. */
const cursor = pageCursor('workflows', z.tuple([z.string().max(1000), z.string().min(1).max(100)]));

export const RUN_IN_PROGRESS = 'a run of this workflow is in progress: cancel it first';

export type WorkflowServiceDeps = {
  store: WorkflowStore;
  clock: Clock;
  access: Pick<AccessService, 'assert'>;
  audit: Pick<AuditService, 'record'>;
  bus: EventBus;
  references: Pick<ReferenceIndex, 'set' | 'clearFrom'>;
  /** Whether a connection / datastore / secret id exists in a workspace (save-time reference checks). */
  lookup: ReferenceLookup;
};

const actorRef = (a: Actor): ActorRef => ({ kind: a.kind, id: a.id, name: a.name });

/** The stored definition: `$schema` is for editors only and is not kept (an export puts it back). */
function stored(def: WorkflowDefinition): WorkflowDefinition {
  const { $schema: _ignored, ...rest } = def;
  return rest;
}

/**
 * Workflow definitions: versioned DAGs of steps, per workspace. Each save is a new immutable version; runs record
 * the version they ran (the runs room reads it through `internal.getVersion`).
 *
 * What must stay true:
 * - access is checked here, first, with POLICY's workflow.list / workflow.write / workflow.delete, for every transport;
 *   `internal` is for trusted core code (the runner, the scheduler) and is never reachable from a transport;
 * - a definition is saved only when valid (schema, DAG, schedule, JSONata syntax, and every connection, datastore and
 *   secret it names exists in THIS workspace); the refusal names the field;
 * - a definition holds secret ids (`{"$secret": id}`), never secret values; audit details hold counts, never config;
 * - the reference index ("Used by") is rewritten in the same transaction as each save, and cleared on delete;
 * - `next_run_at` is the schedule's next slot after the save (null without a schedule).
 */
export function createWorkflowService(deps: WorkflowServiceDeps) {
  const { store, clock, access, audit, bus, references, lookup } = deps;

  const changed = (workspaceId: string, id: string) => bus.emit('workflows:changed', { workspaceId, id });

  function row(workspaceId: string, id: string): StoredWorkflow {
    const r = store.get(workspaceId, id);
    // A deleted id and an id from another workspace look the same.
    if (!r) throw notFound('workflow');
    return r;
  }

  function version(w: StoredWorkflow, v: number): StoredWorkflowVersion {
    const found = store.getVersion(w.id, v);
    if (!found) throw new AppError('NOT_FOUND', `workflow version ${v} not found (the newest is ${w.version})`, 'version');
    return found;
  }

  function toSummary(w: StoredWorkflow): WorkflowSummary {
    return {
      id: w.id,
      workspaceId: w.workspaceId,
      name: w.name,
      description: w.description,
      version: w.version,
      schedule: w.schedule,
      timezone: w.timezone,
      nextRunAt: w.nextRunAt,
      stepCount: w.stepCount,
      createdAt: w.createdAt,
      updatedAt: w.updatedAt,
      updatedBy: w.updatedBy,
      lastRun: store.lastRun(w.id),
    };
  }

  /** The workflow as it is (or as it was at version `v`: that version's definition, name and author). */
  function toWorkflow(w: StoredWorkflow, v?: number): Workflow {
    const ver = version(w, v ?? w.version);
    const def = ver.definition;
    const base = toSummary(w);
    const old = ver.version !== w.version;
    return {
      ...base,
      ...(old
        ? {
            name: def.name,
            description: def.description ?? '',
            version: ver.version,
            schedule: def.schedule ?? null,
            timezone: def.timezone ?? 'UTC',
            stepCount: def.steps.length,
            updatedAt: ver.createdAt,
            updatedBy: ver.createdBy,
          }
        : {}),
      definition: def,
      references: definitionReferences(def),
    };
  }

  function check(raw: unknown, workspaceId: string): WorkflowDefinition {
    const r = validateDefinition(raw, workspaceId, lookup);
    if (!r.ok) {
      const first = r.issues[0]!;
      throw new AppError('INVALID_INPUT', `${first.field}: ${first.message}`, first.field);
    }
    return stored(r.definition);
  }

  function assertNameFree(workspaceId: string, name: string, exceptId?: string): void {
    const other = store.idByName(workspaceId, name);
    if (other !== undefined && other !== exceptId) throw conflict(`a workflow named "${name}" already exists in this workspace; choose another name`, 'definition.name');
  }

  const nextRunAt = (def: WorkflowDefinition, now: Date): string | null =>
    def.schedule ? (nextSlot(def.schedule, def.timezone ?? 'UTC', now)?.toISOString() ?? null) : null;

  /** "Used by": one reference per resource the definition names, from `<workflow name> › <step ids>`. */
  function syncReferences(workspaceId: string, id: string, def: WorkflowDefinition): void {
    references.clearFrom({ type: 'workflow', id });
    for (const r of definitionReferences(def)) {
      references.set(workspaceId, { type: 'workflow', id, name: `${def.name} › ${r.stepIds.join(', ')}` }, { type: r.type, id: r.id });
    }
  }

  function stateOf(base: Pick<StoredWorkflow, 'id' | 'workspaceId' | 'createdAt'>, def: WorkflowDefinition, v: number, actor: Actor, now: Date): StoredWorkflow {
    return {
      ...base,
      name: def.name,
      description: def.description ?? '',
      version: v,
      schedule: def.schedule ?? null,
      timezone: def.timezone ?? 'UTC',
      nextRunAt: nextRunAt(def, now),
      stepCount: def.steps.length,
      updatedAt: now.toISOString(),
      updatedBy: actorRef(actor),
    };
  }

  function list(q: { workspaceId: string; q?: string; limit?: number; cursor?: string }, actor: Actor): { items: WorkflowSummary[]; nextCursor: string | null } {
    access.assert(actor, q.workspaceId, 'workflow.list');
    const limit = q.limit ?? 100;
    let after: { lowerName: string; id: string } | undefined;
    if (q.cursor !== undefined) {
      const [lowerName, id] = cursor.decode(q.workspaceId, q.cursor);
      after = { lowerName, id };
    }
    const rows = store.list({ workspaceId: q.workspaceId, nameContains: q.q?.trim(), after, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toSummary), nextCursor: rows.length > limit && last ? cursor.encode(q.workspaceId, [last.name.toLowerCase(), last.id]) : null };
  }

  function get(input: { workspaceId: string; id: string; version?: number }, actor: Actor): Workflow {
    access.assert(actor, input.workspaceId, 'workflow.list');
    return toWorkflow(row(input.workspaceId, input.id), input.version);
  }

  /** The file to export: the definition of the current (or given) version, with `$schema` for editors. */
  function exportDefinition(input: { workspaceId: string; id: string; version?: number }, actor: Actor): WorkflowDefinition {
    access.assert(actor, input.workspaceId, 'workflow.list');
    const w = row(input.workspaceId, input.id);
    return { $schema: WORKFLOW_SCHEMA_ID, ...version(w, input.version ?? w.version).definition };
  }

  function create(input: { workspaceId: string; definition: WorkflowDefinition }, actor: Actor): Workflow {
    access.assert(actor, input.workspaceId, 'workflow.write');
    const id = randomUUID();
    const now = clock.now();
    // IMMEDIATE: the write lock is taken before the checks, so two processes on one data dir save one after the other
    // (names, version numbers and referenced ids checked against what the other committed: a connection deleted
    // meanwhile is refused here, never left as a dangling reference) instead of one failing BUSY.
    const created = store.immediate(() => {
      const def = check(input.definition, input.workspaceId);
      assertNameFree(input.workspaceId, def.name);
      const w = stateOf({ id, workspaceId: input.workspaceId, createdAt: now.toISOString() }, def, 1, actor, now);
      store.insert(w, def);
      syncReferences(input.workspaceId, id, def);
      audit.record({
        workspaceId: input.workspaceId,
        action: 'workflow.created',
        actor,
        target: { type: 'workflow', id, name: def.name },
        details: { version: 1, stepCount: def.steps.length, scheduled: def.schedule ? true : false },
      });
      return toWorkflow(w);
    });
    changed(input.workspaceId, id);
    return created;
  }

  function update(input: { workspaceId: string; id: string; definition: WorkflowDefinition; expectedVersion?: number }, actor: Actor): Workflow {
    access.assert(actor, input.workspaceId, 'workflow.write');
    const now = clock.now();
    const updated = store.immediate(() => {
      const r = row(input.workspaceId, input.id);
      const def = check(input.definition, input.workspaceId);
      if (input.expectedVersion !== undefined && input.expectedVersion !== r.version) {
        throw conflict(
          `the workflow changed since you opened it: you edited version ${input.expectedVersion}, the newest is ${r.version}. Reload it and apply your changes again`,
          'expectedVersion',
        );
      }
      assertNameFree(input.workspaceId, def.name, r.id);
      const w = stateOf(r, def, r.version + 1, actor, now);
      store.saveVersion(w, def);
      syncReferences(input.workspaceId, r.id, def);
      audit.record({
        workspaceId: input.workspaceId,
        action: 'workflow.updated',
        actor,
        target: { type: 'workflow', id: r.id, name: def.name },
        details: { version: w.version, stepCount: def.steps.length, ...(r.name !== def.name ? { renamedFrom: r.name } : {}) },
      });
      return toWorkflow(w);
    });
    changed(input.workspaceId, input.id);
    return updated;
  }

  function remove(input: { workspaceId: string; id: string }, actor: Actor): { id: string; deleted: true } {
    access.assert(actor, input.workspaceId, 'workflow.delete');
    // IMMEDIATE too: "no run in progress" must still hold when the delete commits, whichever process queues runs.
    store.immediate(() => {
      const r = row(input.workspaceId, input.id);
      if (store.activeRunCount(r.id) > 0) throw conflict(RUN_IN_PROGRESS);
      store.delete(r.id);
      references.clearFrom({ type: 'workflow', id: r.id });
      audit.record({
        workspaceId: input.workspaceId,
        action: 'workflow.deleted',
        actor,
        target: { type: 'workflow', id: r.id, name: r.name },
        details: { version: r.version, stepCount: r.stepCount },
      });
    });
    changed(input.workspaceId, input.id);
    return { id: input.id, deleted: true };
  }

  function versions(input: { workspaceId: string; id: string }, actor: Actor): { items: Array<{ version: number; createdAt: string; createdBy: ActorRef }> } {
    access.assert(actor, input.workspaceId, 'workflow.list');
    return { items: store.versions(row(input.workspaceId, input.id).id) };
  }

  /** Every issue a save would refuse, nothing saved (the editor). Validating is part of editing: workflow.write. */
  function validate(input: { workspaceId: string; definition: unknown }, actor: Actor): { valid: boolean; issues: ValidationIssue[] } {
    access.assert(actor, input.workspaceId, 'workflow.write');
    const r = validateDefinition(input.definition, input.workspaceId, lookup);
    return { valid: r.ok, issues: r.issues };
  }

  /** The JSON Schema of the file format (the same for every workspace; checked so a transport answers only members). */
  function schema(workspaceId: string, actor: Actor): Record<string, unknown> {
    access.assert(actor, workspaceId, 'workflow.list');
    return { ...workflowDefinitionJsonSchema(), $id: WORKFLOW_SCHEMA_ID };
  }

  return {
    list,
    get,
    exportDefinition,
    create,
    update,
    remove,
    versions,
    validate,
    schema,
    /**
     * For trusted core code only (the runner, the scheduler), never for a transport: no access check. A run checks
     * workflow.run for whoever starts it before it reads a definition here.
     */
    internal: {
      /** The current workflow with its definition; NOT_FOUND for another workspace's id. */
      get: (workspaceId: string, id: string): Workflow => toWorkflow(row(workspaceId, id)),
      /** One version's definition (what a run records and replays); NOT_FOUND when either does not exist here. */
      getVersion: (workspaceId: string, id: string, v: number): StoredWorkflowVersion => version(row(workspaceId, id), v),
    },
  };
}
export type WorkflowService = ReturnType<typeof createWorkflowService>;
