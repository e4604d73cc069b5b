import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAllows, scopesAllow, type Operation, type Scope } from '@shared/access/policy';
import type { Actor } from '@shared/domain/actor';
import type { Role } from '@shared/domain/common';
import type { WorkflowDefinition } from '@shared/domain/workflow';
import type { WorkflowService } from '@core/workflows/workflow-service';
import { makeReadyCore } from '../../helpers/test-core';
import { checkCompleteness, outcome } from '../connections/access-gate-harness';

/**
 * One home for authorization: every method of the workflow service checks POLICY itself, whoever calls it (IPC,
 * REST, the console, the runner). Each method is called as principals with different grants and must be refused
 * exactly where POLICY refuses, changing nothing; a method added without a row here (or to `internal` without a
 * reason) fails this suite.
 */
type Grant = { role: Role } | { scopes: readonly Scope[] } | null;
const PRINCIPALS: ReadonlyArray<{ label: string; grant: Grant }> = [
  { label: 'viewer', grant: { role: 'viewer' } },
  { label: 'editor', grant: { role: 'editor' } },
  { label: 'admin', grant: { role: 'admin' } },
  { label: 'no role in the workspace (admin of another)', grant: null },
  { label: 'API key [connections:write, secrets:write, datastores:write]', grant: { scopes: ['connections:write', 'secrets:write', 'datastores:write'] } },
  { label: 'API key [workflows:read]', grant: { scopes: ['workflows:read'] } },
  { label: 'API key [workflows:write]', grant: { scopes: ['workflows:write'] } },
];

let t: Awaited<ReturnType<typeof makeReadyCore>>;
let ws: string;
let other: string;
let actors: Array<{ label: string; grant: Grant; actor: Actor }>;
let n = 0;

beforeAll(async () => {
  t = await makeReadyCore();
  ws = t.core.workspaces.defaultWorkspace().id;
  other = t.core.workspaces.create('Other team', t.admin).id;
  const byId = new Map(PRINCIPALS.map((p, i) => [`principal-${i}`, p.grant]));
  const resolve = (actor: Actor, w: string): Grant => {
    if (!byId.has(actor.id)) return null;
    if (w === other) return actor.kind === 'apiKey' ? { scopes: ['admin'] } : { role: 'admin' };
    return w === ws ? (byId.get(actor.id) ?? null) : null;
  };
  t.core.access.registerResolver('user', resolve);
  t.core.access.registerResolver('apiKey', resolve);
  actors = PRINCIPALS.map((p, i) => ({
    ...p,
    actor: { kind: p.grant && 'scopes' in p.grant ? 'apiKey' : 'user', id: `principal-${i}`, name: p.label, origin: '127.0.0.1' } as Actor,
  }));
});
afterAll(() => t.close());

const definition = (): WorkflowDefinition => ({ name: `gate ${++n}`, steps: [{ id: 'a', kind: 'transform', config: { expression: '1 + 1' } }] });
const existing = () => t.core.workflows.create({ workspaceId: ws, definition: definition() }, t.admin);

const allowed = (grant: Grant, op: Operation) => grant !== null && ('role' in grant ? roleAllows(grant.role, op) : scopesAllow(grant.scopes, op));

/** Everything a refused call must leave as it was. */
const snapshot = () =>
  JSON.stringify(['workflows', 'workflow_versions', 'resource_references', 'audit_events'].map((table) => t.core.db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all()));

type Row = { op: Operation; call: (actor: Actor, id: string) => unknown };
type Methods = Exclude<keyof WorkflowService, 'internal'>;
const CHECKED: { [K in Methods]: Row } = {
  list: { op: 'workflow.list', call: (a) => t.core.workflows.list({ workspaceId: ws }, a) },
  get: { op: 'workflow.list', call: (a, id) => t.core.workflows.get({ workspaceId: ws, id }, a) },
  exportDefinition: { op: 'workflow.list', call: (a, id) => t.core.workflows.exportDefinition({ workspaceId: ws, id }, a) },
  versions: { op: 'workflow.list', call: (a, id) => t.core.workflows.versions({ workspaceId: ws, id }, a) },
  schema: { op: 'workflow.list', call: (a) => t.core.workflows.schema(ws, a) },
  create: { op: 'workflow.write', call: (a) => t.core.workflows.create({ workspaceId: ws, definition: definition() }, a) },
  update: { op: 'workflow.write', call: (a, id) => t.core.workflows.update({ workspaceId: ws, id, definition: definition() }, a) },
  validate: { op: 'workflow.write', call: (a) => t.core.workflows.validate({ workspaceId: ws, definition: definition() }, a) },
  remove: { op: 'workflow.delete', call: (a, id) => t.core.workflows.remove({ workspaceId: ws, id }, a) },
};

const INTERNAL: Record<keyof WorkflowService['internal'], string> = {
  get: 'the runner and the scheduler read the workflow a run was started for, after checking workflow.run for its actor',
  getVersion: 'the runner reads the version a run records (and replays), after the run was authorized',
};

describe('workflow service: the access gate', () => {
  for (const [method, row] of Object.entries(CHECKED)) {
    it(`${method} is refused where POLICY refuses (${row.op}), and changes nothing then`, async () => {
      for (const p of actors) {
        const { id } = existing();
        const before = snapshot();
        const result = await outcome(() => row.call(p.actor, id));
        if (allowed(p.grant, row.op)) {
          expect(result, `${p.label}: ${String((result as Error).message ?? result)}`).toBe('ok');
        } else {
          expect(result, p.label).toMatchObject({ code: 'FORBIDDEN' });
          expect(snapshot(), `${p.label} changed something`).toBe(before);
        }
      }
    });
  }

  it('every method is either checked above or internal with a reason', () => {
    checkCompleteness(t.core.workflows, CHECKED, INTERNAL);
  });

  it('the matrix the issue asks for: viewers see, editors create and edit, admins delete', () => {
    const grant = (label: string) => actors.find((p) => p.label === label)!.grant;
    expect(allowed(grant('viewer'), 'workflow.list') && !allowed(grant('viewer'), 'workflow.write')).toBe(true);
    expect(allowed(grant('editor'), 'workflow.write') && !allowed(grant('editor'), 'workflow.delete')).toBe(true);
    expect(allowed(grant('admin'), 'workflow.delete')).toBe(true);
    expect(allowed(grant('API key [workflows:read]'), 'workflow.list') && !allowed(grant('API key [workflows:read]'), 'workflow.write')).toBe(true);
  });
});
