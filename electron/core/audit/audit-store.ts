import type { Statement } from 'better-sqlite3';
import type { Actor } from '@shared/domain/actor';
import type { AuditAction, AuditEvent, Risk } from '@shared/domain/audit';
import type { Db } from '../db/database';
import { createTransactor } from '../db/transactor';

/** One event as appended: every column of the log, details already redacted and serialized. */
export type AuditAppend = {
  id: string;
  at: string;
  workspaceId: string | null;
  action: AuditAction;
  risk: Risk;
  actorKind: Actor['kind'];
  actorId: string;
  actorName: string;
  origin: string;
  targetType: string;
  targetId: string;
  targetName: string | null;
  outcome: AuditEvent['outcome'];
  details: string;
};

/** A page query. `beforeSeq` is the keyset cursor (newest first). */
export type AuditFilter = {
  workspaceId: string;
  action?: AuditAction;
  risk?: Risk;
  /** An actor's name or id. */
  actor?: string;
  from?: string;
  to?: string;
  beforeSeq?: number;
  limit: number;
};

/** A stored event with its position in the log (the cursor of the next page). */
export type StoredAuditEvent = { seq: number; event: AuditEvent };

type Row = {
  seq: number;
  id: string;
  at: string;
  workspace_id: string | null;
  action: AuditAction;
  risk: Risk;
  actor_kind: Actor['kind'];
  actor_id: string;
  actor_name: string;
  origin: string;
  target_type: string;
  target_id: string;
  target_name: string | null;
  outcome: AuditEvent['outcome'];
  details: string;
};

const toStored = (r: Row): StoredAuditEvent => ({
  seq: r.seq,
  event: {
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
  },
});

/** The optional filters of a page, in a fixed order: each combination is one prepared statement. */
const FILTERS = [
  ['action', 'i.action = @action'],
  ['risk', 'i.risk = @risk'],
  ['actor', '(e.actor_name = @actor OR e.actor_id = @actor)'],
  ['from', 'e.at >= @from'],
  ['to', 'e.at <= @to'],
  ['beforeSeq', 'i.seq < @beforeSeq'],
] as const;

/**
 * All SQL of the audit log. The log (`audit_events`) is append-only (the database refuses UPDATE and DELETE); its
 * filter columns live in `audit_index`, derived after commits by `catchUpIndex` (see migration 3), so an append
 * touches one b-tree. `append` is on the path of every audited change, the reveal included: it stays one prepared
 * statement with positional parameters.
 */
export function createAuditStore(db: Db) {
  const insert = db.prepare(`INSERT INTO audit_events
    (id, at, workspace_id, action, risk, actor_kind, actor_id, actor_name, origin, target_type, target_id, target_name, outcome, details)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const committed = db.prepare('SELECT 1 FROM audit_events WHERE seq = ? AND id = ?');
  const indexTail = db.prepare(`INSERT INTO audit_index (seq, workspace_id, action, risk, target_id, outcome)
    SELECT seq, workspace_id, action, risk, target_id, outcome FROM audit_events
    WHERE seq > (SELECT coalesce(max(seq), 0) FROM audit_index)`);
  const lastOf = db.prepare(`SELECT e.* FROM audit_index i JOIN audit_events e ON e.seq = i.seq
    WHERE i.target_id = @targetId AND i.action = @action AND i.outcome = @outcome AND i.workspace_id IS @workspaceId
    ORDER BY i.seq DESC LIMIT 1`);
  const pages = new Map<string, Statement>();

  function pageStatement(present: readonly boolean[]): Statement {
    const shape = present.map((p) => (p ? '1' : '0')).join('');
    let stmt = pages.get(shape);
    if (!stmt) {
      // Installation-wide events (vault, …) have no workspace and show in every workspace's log.
      const where = ['(i.workspace_id = @workspaceId OR i.workspace_id IS NULL)', ...FILTERS.filter((_, i) => present[i]).map(([, sql]) => sql)];
      stmt = db.prepare(`SELECT e.* FROM audit_index i JOIN audit_events e ON e.seq = i.seq WHERE ${where.join(' AND ')} ORDER BY i.seq DESC LIMIT @limit`);
      pages.set(shape, stmt);
    }
    return stmt;
  }

  return {
    ...createTransactor(db),
    /** True while the caller is inside a transaction on this connection (an append is then not yet committed). */
    inTransaction: (): boolean => db.inTransaction,
    isOpen: (): boolean => db.open,

    /** Appends one event; returns its position in the log. */
    append(e: AuditAppend): number {
      const { lastInsertRowid } = insert.run(
        e.id,
        e.at,
        e.workspaceId,
        e.action,
        e.risk,
        e.actorKind,
        e.actorId,
        e.actorName,
        e.origin,
        e.targetType,
        e.targetId,
        e.targetName,
        e.outcome,
        e.details,
      );
      return Number(lastInsertRowid);
    },

    /**
     * Whether the event appended at `seq` with this id is in the log (after its transaction ended: committed, not
     * rolled back). The id matters: a rolled-back append frees its seq, and the next append may take it.
     */
    isCommitted: (seq: number, id: string): boolean => committed.get(seq, id) !== undefined,

    /** Copies every event not yet in audit_index; one statement, so it is atomic and safe to repeat. */
    catchUpIndex: (): void => void indexTail.run(),

    /** Up to `limit` events of a workspace (and installation-wide ones), newest first. Call catchUpIndex first. */
    page(f: AuditFilter): StoredAuditEvent[] {
      const params: Record<string, unknown> = { workspaceId: f.workspaceId, limit: f.limit };
      const present = FILTERS.map(([key]) => f[key] !== undefined);
      FILTERS.forEach(([key], i) => {
        if (present[i]) params[key] = f[key];
      });
      return (pageStatement(present).all(params) as Row[]).map(toStored);
    },

    /** The newest event of one action and outcome on one target, or undefined. Call catchUpIndex first. */
    latest(q: { workspaceId: string | null; action: AuditAction; targetId: string; outcome: AuditEvent['outcome'] }): AuditEvent | undefined {
      const r = lastOf.get(q) as Row | undefined;
      return r ? toStored(r).event : undefined;
    },
  };
}
export type AuditStore = ReturnType<typeof createAuditStore>;
