import { expect } from 'vitest';
import { roleAllows, scopesAllow, type Operation } from '@shared/access/policy';
import type { Actor } from '@shared/domain/actor';
import type { Role } from '@shared/domain/common';
import type { Core } from '@core/index';
import type { TestOutcomeReport } from '@core/connections/connection-tester';
import { count } from '../../helpers/test-core';

/**
 * The access-gate check shared by the connections and OAuth suites: every user-facing method of a service, called
 * as principals with different grants, is refused exactly where POLICY says so (and then changes nothing), and every
 * method of the service is either in the checked table or in its `internal` list with a reason.
 */

/** A grant in the workspace under test; null = nothing there (the principal is an admin elsewhere). */
type Grant = { role: Role } | { scopes: readonly string[] } | null;

/** Principals with the grants that matter for the connection operations: both roles below admin, none, and keys. */
export const PRINCIPALS: ReadonlyArray<{ label: string; grant: Grant }> = [
  { label: 'viewer', grant: { role: 'viewer' } },
  { label: 'editor', grant: { role: 'editor' } },
  { label: 'no role in the workspace (admin of another)', grant: null },
  { label: 'API key [datastores:read]', grant: { scopes: ['datastores:read'] } },
  { label: 'API key [connections:read]', grant: { scopes: ['connections:read'] } },
];

/** What POLICY says for a grant, for every operation a method takes. */
export function expectedAllowed(grant: Grant, ops: readonly Operation[]): boolean {
  if (grant === null) return false;
  return ops.every((op) => ('role' in grant ? roleAllows(grant.role, op) : scopesAllow(grant.scopes, op)));
}

/**
 * Registers grant resolvers for users and API keys on the test core and returns the actor for a principal: its grant
 * holds in `workspaceId` only; every principal is an admin of `otherWorkspaceId` (so "no role" is about the workspace).
 */
export function principals(core: Core, workspaceId: string, otherWorkspaceId: string) {
  const byId = new Map(PRINCIPALS.map((p, i) => [`principal-${i}`, p.grant]));
  const resolve = (actor: Actor, ws: string): Grant => {
    if (!byId.has(actor.id)) return null;
    if (ws === otherWorkspaceId) return actor.kind === 'apiKey' ? { scopes: ['admin'] } : { role: 'admin' };
    return ws === workspaceId ? (byId.get(actor.id) ?? null) : null;
  };
  core.access.registerResolver('user', resolve);
  core.access.registerResolver('apiKey', resolve);
  return PRINCIPALS.map((p, i) => ({
    ...p,
    actor: { kind: p.grant && 'scopes' in p.grant ? 'apiKey' : 'user', id: `principal-${i}`, name: p.label, origin: '127.0.0.1' } as Actor,
  }));
}

/** Runs a call (sync or async) and returns what it threw, or 'ok'. */
export async function outcome(call: () => unknown): Promise<unknown> {
  try {
    await call();
    return 'ok';
  } catch (e) {
    return e;
  }
}

/**
 * Everything a refused call must leave as it was: rows of the rooms touched, and the audit log (unless the method
 * records its refusals, checked separately).
 */
export function snapshot(core: Core, withAudit = true): string {
  const tables = ['connections', 'connection_status_history', 'connection_credential_fields', 'oauth_apps', 'oauth_tokens', ...(withAudit ? ['audit_events'] : []), 'resource_references'];
  const rows = core.db.prepare('SELECT id, name, status, settings, updated_at FROM connections ORDER BY id').all();
  const apps = core.db.prepare('SELECT id, client_id, scopes, settings, updated_at FROM oauth_apps ORDER BY id').all();
  return JSON.stringify({ counts: tables.map((t) => count(core.db, t)), rows, apps });
}

/** One user-facing method: the POLICY operations it takes, and a call of it with valid arguments made by `setup`. */
export type GateRow<V> = {
  ops: readonly Operation[];
  setup?: () => V | Promise<V>;
  call: (actor: Actor, v: V) => unknown;
  /** State outside the database a refused call must also leave alone (an OAuth flow in memory). */
  state?: (v: V) => unknown;
  /** A refusal is itself audited (one `denied` event of this action, nothing else written): credential reads. */
  auditsDenial?: string;
};

/**
 * Calls each row as every principal: refused (FORBIDDEN, nothing changed) where POLICY refuses, not refused where it
 * allows (the call may still fail for another reason, e.g. a name already taken by the previous principal).
 */
export async function checkRow<V>(core: Core, actors: ReturnType<typeof principals>, row: GateRow<V>): Promise<void> {
  for (const p of actors) {
    const v = row.setup ? await row.setup() : (undefined as V);
    const state = () => `${snapshot(core, !row.auditsDenial)} ${JSON.stringify(row.state?.(v) ?? null)}`;
    const before = state();
    const auditBefore = count(core.db, 'audit_events');
    const result = await outcome(() => row.call(p.actor, v));
    if (expectedAllowed(p.grant, row.ops)) {
      expect((result as { code?: string }).code, `${p.label}: ${String((result as Error).message ?? result)}`).not.toBe('FORBIDDEN');
    } else {
      expect(result, p.label).toMatchObject({ code: 'FORBIDDEN' });
      expect(state(), `${p.label} changed something`).toBe(before);
      if (row.auditsDenial) {
        const added = core.db.prepare('SELECT action, outcome FROM audit_events ORDER BY seq DESC LIMIT ?').all(count(core.db, 'audit_events') - auditBefore);
        expect(added, `${p.label}: one denied ${row.auditsDenial}`).toEqual([{ action: row.auditsDenial, outcome: 'denied' }]);
      }
    }
  }
}

/**
 * Completeness: every function-valued property of the service is a row of the checked table, every function of its
 * `internal` object is listed with a reason, and neither list names something the service no longer has.
 */
export function checkCompleteness(service: object, checked: Record<string, unknown>, internal: Record<string, string>): void {
  const top = Object.entries(service).filter(([k]) => k !== 'internal');
  for (const [k, v] of top) {
    expect(typeof v, `${k} is not a method`).toBe('function');
    expect(Object.keys(checked), `${k} has no row in the access-gate table: add one (or move it to internal with a reason)`).toContain(k);
  }
  expect(Object.keys(checked).sort()).toEqual(top.map(([k]) => k).sort());
  const inner = (service as { internal?: Record<string, unknown> }).internal ?? {};
  for (const [k, v] of Object.entries(inner)) {
    expect(typeof v, `internal.${k} is not a method`).toBe('function');
    expect(internal[k], `internal.${k} is not listed as internal with a reason`).toMatch(/\S{3,}/);
  }
  expect(Object.keys(internal).sort()).toEqual(Object.keys(inner).sort());
}

/** A connection tester that answers at once (the gate is what is under test, not the provider). */
export const validTester = async (): Promise<TestOutcomeReport> => ({
  outcome: 'valid',
  ok: true,
  message: 'credential valid',
  httpStatus: 200,
  latencyMs: 1,
  retryAfterSeconds: null,
  endpoint: 'GET http://127.0.0.1:9/api/v1/validate',
});
