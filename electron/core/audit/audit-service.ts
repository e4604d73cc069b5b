import { randomUUID } from 'node:crypto';
import type { Actor } from '@shared/domain/actor';
import { AUDIT_ACTIONS, type AuditAction, type AuditEvent, type AuditQuery } from '@shared/domain/audit';
import type { Db } from '../db/database';
import type { EventBus } from '../events/event-bus';
import type { Clock } from '../ports';
import { decodeCursor, encodeCursor } from '../db/cursor';

export type AuditEntry = {
  workspaceId: string | null;
  action: AuditAction;
  actor: Actor;
  target: { type: string; id: string; name?: string | null };
  outcome?: 'success' | 'failure' | 'denied';
  details?: Record<string, unknown>;
};

/**
 * Keys that name secret material. Callers must never put such values in details; if one slips through it is
 * replaced here, because the audit table is read by people who may not reveal secrets.
 */
const SECRET_KEY = /(secret|password|passphrase|token|credential|private.?key|api.?key|^value$|^key$|authorization)/i;

export function redactDetails(details: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    if (SECRET_KEY.test(k)) out[k] = '[redacted]';
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = redactDetails(v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

type Row = {
  seq: number;
  id: string;
  at: string;
  workspace_id: string | null;
  action: AuditAction;
  risk: 'low' | 'medium' | 'high';
  actor_kind: Actor['kind'];
  actor_id: string;
  actor_name: string;
  origin: string;
  target_type: string;
  target_id: string;
  target_name: string | null;
  outcome: 'success' | 'failure' | 'denied';
  details: string;
};

const toEvent = (r: Row): AuditEvent => ({
  id: r.id,
  at: r.at,
  workspaceId: r.workspace_id,
  action: r.action,
  risk: r.risk,
  actor: { kind: r.actor_kind, id: r.actor_id, name: r.actor_name },
  origin: r.origin,
  target: { type: r.target_type, id: r.target_id, name: r.target_name },
  outcome: r.outcome,
  details: JSON.parse(r.details) as Record<string, unknown>,
});

/**
 * The append-only audit log. `record` is synchronous and must run inside the caller's db.transaction together
 * with the change it describes: either both are committed or neither is. Pushes go out after commit.
 */
export function createAuditService(deps: { db: Db; clock: Clock; bus: EventBus }) {
  const { db, clock, bus } = deps;
  const insert = db.prepare(`INSERT INTO audit_events
    (id, at, workspace_id, action, risk, actor_kind, actor_id, actor_name, origin, target_type, target_id, target_name, outcome, details)
    VALUES (@id, @at, @workspace_id, @action, @risk, @actor_kind, @actor_id, @actor_name, @origin, @target_type, @target_id, @target_name, @outcome, @details)`);

  const exists = db.prepare('SELECT 1 FROM audit_events WHERE id = ?');

  function record(entry: AuditEntry): string {
    const id = randomUUID();
    insert.run({
      id,
      at: clock.now().toISOString(),
      workspace_id: entry.workspaceId,
      action: entry.action,
      risk: AUDIT_ACTIONS[entry.action],
      actor_kind: entry.actor.kind,
      actor_id: entry.actor.id,
      actor_name: entry.actor.name,
      origin: entry.actor.origin,
      target_type: entry.target.type,
      target_id: entry.target.id,
      target_name: entry.target.name ?? null,
      outcome: entry.outcome ?? 'success',
      details: JSON.stringify(redactDetails(entry.details ?? {})),
    });
    const notify = () => bus.emit('audit:appended', { workspaceId: entry.workspaceId, action: entry.action });
    // Inside a transaction the push waits until the synchronous transaction has ended, and a rolled-back
    // event is not announced: only a committed row is.
    if (db.inTransaction) queueMicrotask(() => db.open && exists.get(id) && notify());
    else notify();
    return id;
  }

  /** Runs `change` and records its audit event in one transaction. */
  function withAudit<T>(change: () => T, entry: (result: T) => AuditEntry): T {
    return db.transaction(() => {
      const result = change();
      record(entry(result));
      return result;
    })();
  }

  function list(q: AuditQuery): { items: AuditEvent[]; nextCursor: string | null } {
    const limit = q.limit ?? 50;
    const params: Record<string, unknown> = { workspaceId: q.workspaceId, limit: limit + 1 };
    // Installation-wide events (vault, …) have no workspace and show in every workspace's log.
    const where = ['(workspace_id = @workspaceId OR workspace_id IS NULL)'];
    const filters: Array<[keyof typeof params, unknown, string]> = [
      ['action', q.action, 'action = @action'],
      ['risk', q.risk, 'risk = @risk'],
      ['actor', q.actor, '(actor_name = @actor OR actor_id = @actor)'],
      ['from', q.from, 'at >= @from'],
      ['to', q.to, 'at <= @to'],
      ['seq', q.cursor === undefined ? undefined : decodeCursor(q.cursor), 'seq < @seq'],
    ];
    for (const [key, value, sql] of filters) {
      if (value === undefined) continue;
      params[key] = value;
      where.push(sql);
    }
    const rows = db
      .prepare(`SELECT * FROM audit_events WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT @limit`)
      .all(params) as Row[];
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? encodeCursor(page[page.length - 1]!.seq) : null;
    return { items: page.map(toEvent), nextCursor: next };
  }

  return { record, withAudit, list };
}
export type AuditService = ReturnType<typeof createAuditService>;
