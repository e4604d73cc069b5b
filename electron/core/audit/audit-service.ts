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

/** How long after a commit the lookup index catches up; a burst of events is indexed in one statement. */
const INDEX_DELAY_MS = 20;

/**
 * The append-only audit log. `record` is synchronous and must run inside the caller's db.transaction together
 * with the change it describes: either both are committed or neither is. Pushes go out after commit.
 *
 * The row is all a write costs: `audit_index` (the filter columns, see migration 3) is derived from the log
 * after commit, in batches, and every query first brings it up to date, so a reader never misses an event.
 */
export function createAuditService(deps: { db: Db; clock: Clock; bus: EventBus }) {
  const { db, clock, bus } = deps;
  const insert = db.prepare(`INSERT INTO audit_events
    (id, at, workspace_id, action, risk, actor_kind, actor_id, actor_name, origin, target_type, target_id, target_name, outcome, details)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const committed = db.prepare('SELECT 1 FROM audit_events WHERE seq = ?');
  const indexTail = db.prepare(`INSERT INTO audit_index (seq, workspace_id, action, risk, target_id, outcome)
    SELECT seq, workspace_id, action, risk, target_id, outcome FROM audit_events
    WHERE seq > (SELECT coalesce(max(seq), 0) FROM audit_index)`);
  let indexTimer: ReturnType<typeof setTimeout> | null = null;

  /** Copies every event not yet in audit_index; one statement, so it is atomic and safe to repeat. */
  function catchUp(): void {
    if (indexTimer) clearTimeout(indexTimer);
    indexTimer = null;
    if (db.open) indexTail.run();
  }

  function scheduleCatchUp(): void {
    if (indexTimer) return;
    indexTimer = setTimeout(() => {
      indexTimer = null;
      try {
        if (db.open && !db.inTransaction) indexTail.run();
      } catch {
        // A busy or closing database: the next query catches up anyway.
      }
    }, INDEX_DELAY_MS);
    indexTimer.unref?.();
  }

  function record(entry: AuditEntry): string {
    const id = randomUUID();
    // Positional, in the column order above: this insert is on the path of every audited change.
    const { lastInsertRowid } = insert.run(
      id,
      clock.now().toISOString(),
      entry.workspaceId,
      entry.action,
      AUDIT_ACTIONS[entry.action],
      entry.actor.kind,
      entry.actor.id,
      entry.actor.name,
      entry.actor.origin,
      entry.target.type,
      entry.target.id,
      entry.target.name ?? null,
      entry.outcome ?? 'success',
      JSON.stringify(redactDetails(entry.details ?? {})),
    );
    const announce = () => {
      scheduleCatchUp();
      bus.emit('audit:appended', { workspaceId: entry.workspaceId, action: entry.action });
    };
    // Inside a transaction the push waits until the synchronous transaction has ended, and a rolled-back
    // event is not announced: only a committed row is.
    if (db.inTransaction) queueMicrotask(() => db.open && committed.get(lastInsertRowid) && announce());
    else announce();
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
    catchUp();
    const limit = q.limit ?? 50;
    const params: Record<string, unknown> = { workspaceId: q.workspaceId, limit: limit + 1 };
    // Installation-wide events (vault, …) have no workspace and show in every workspace's log.
    const where = ['(i.workspace_id = @workspaceId OR i.workspace_id IS NULL)'];
    const filters: Array<[keyof typeof params, unknown, string]> = [
      ['action', q.action, 'i.action = @action'],
      ['risk', q.risk, 'i.risk = @risk'],
      ['actor', q.actor, '(e.actor_name = @actor OR e.actor_id = @actor)'],
      ['from', q.from, 'e.at >= @from'],
      ['to', q.to, 'e.at <= @to'],
      ['seq', q.cursor === undefined ? undefined : decodeCursor(q.cursor), 'i.seq < @seq'],
    ];
    for (const [key, value, sql] of filters) {
      if (value === undefined) continue;
      params[key] = value;
      where.push(sql);
    }
    const rows = db
      .prepare(`SELECT e.* FROM audit_index i JOIN audit_events e ON e.seq = i.seq WHERE ${where.join(' AND ')} ORDER BY i.seq DESC LIMIT @limit`)
      .all(params) as Row[];
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? encodeCursor(page[page.length - 1]!.seq) : null;
    return { items: page.map(toEvent), nextCursor: next };
  }

  const lastOf = db.prepare(`SELECT e.* FROM audit_index i JOIN audit_events e ON e.seq = i.seq
    WHERE i.target_id = @targetId AND i.action = @action AND i.outcome = @outcome AND i.workspace_id IS @workspaceId
    ORDER BY i.seq DESC LIMIT 1`);

  /** The newest event of one action on one target (e.g. a secret's last successful reveal), or null. */
  function latest(q: { workspaceId: string | null; action: AuditAction; targetId: string; outcome?: AuditEvent['outcome'] }): AuditEvent | null {
    catchUp();
    const r = lastOf.get({ workspaceId: q.workspaceId, action: q.action, targetId: q.targetId, outcome: q.outcome ?? 'success' }) as Row | undefined;
    return r ? toEvent(r) : null;
  }

  return { record, withAudit, list, latest, catchUp };
}
export type AuditService = ReturnType<typeof createAuditService>;
