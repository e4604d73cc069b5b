import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '@shared/domain/actor';
import { AUDIT_ACTIONS, type AuditAction, type AuditEvent, type AuditExport, type AuditExportQuery, type AuditQuery } from '@shared/domain/audit';
import { invalid } from '../errors';
import type { AccessService } from '../access/access-service';
import type { EventBus } from '../events/event-bus';
import type { Clock } from '../ports';
import { pageCursor } from '../db/cursor';
import type { AuditStore } from './audit-store';
import { AUDIT_EXPORT_MEDIA, auditCsv, auditExportFilename, auditJson } from './audit-export-format';

/** The audit list's cursor: the position (seq) of the last event shown. */
const cursor = pageCursor('audit', z.number().int().positive());

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
  // Own enumerable keys, as Object.entries gives them, without an array per key: this runs on every audited change.
  for (const k in details) {
    if (!Object.hasOwn(details, k)) continue;
    const v = details[k];
    if (SECRET_KEY.test(k)) out[k] = '[redacted]';
    else if (v && typeof v === 'object' && !Array.isArray(v)) out[k] = redactDetails(v as Record<string, unknown>);
    else out[k] = v;
  }
  return out;
}

/** The most events one export holds; past it the caller is asked to narrow the filters (the file is built in memory). */
export const AUDIT_EXPORT_MAX = 100_000;
/** Events read per statement while exporting. */
const EXPORT_BATCH = 1000;

/** How long after a commit the lookup index catches up; a burst of events is indexed in one statement. */
const INDEX_DELAY_MS = 20;

/**
 * The append-only audit log. `record` is synchronous and must run inside the caller's transaction together with the
 * change it describes: either both are committed or neither is. Pushes go out after commit.
 *
 * The row is all a write costs: `audit_index` (the filter columns, see migration 3) is derived from the log
 * after commit, in batches, and every query first brings it up to date, so a reader never misses an event.
 *
 * Who may call what: `list` and `exportLog` are the user-facing reads and check `audit.read` themselves. `record`, `withAudit`,
 * `latest` and `catchUp` are the system's own: services call them after their own access check (a secret's last
 * access, say), and no transport reaches them with a caller's input.
 */
export function createAuditService(deps: {
  store: AuditStore;
  clock: Clock;
  bus: EventBus;
  access: Pick<AccessService, 'assert'>;
  /** The most events one export holds (default AUDIT_EXPORT_MAX; tests lower it). */
  exportMax?: number;
}) {
  const { store, clock, bus, access } = deps;
  const exportMax = deps.exportMax ?? AUDIT_EXPORT_MAX;
  let indexTimer: ReturnType<typeof setTimeout> | null = null;

  function catchUp(): void {
    if (indexTimer) clearTimeout(indexTimer);
    indexTimer = null;
    if (store.isOpen()) store.catchUpIndex();
  }

  function scheduleCatchUp(): void {
    if (indexTimer) return;
    indexTimer = setTimeout(() => {
      indexTimer = null;
      try {
        if (store.isOpen() && !store.inTransaction()) store.catchUpIndex();
      } catch {
        // A busy or closing database: the next query catches up anyway.
      }
    }, INDEX_DELAY_MS);
    indexTimer.unref?.();
  }

  function announce(workspaceId: string | null, action: AuditAction): void {
    scheduleCatchUp();
    bus.emit('audit:appended', { workspaceId, action });
  }

  /**
   * Events appended inside transactions, in append order, waiting for their transaction to end. One microtask
   * announces all of them (the first append queues it): transactions are synchronous, so by the time any microtask
   * runs every transaction that appended them has ended. A queue entry holds only what the push needs, not the
   * caller's entry.
   */
  let unannounced: Array<{ seq: number; id: string; workspaceId: string | null; action: AuditAction }> = [];
  function announceCommitted(): void {
    const batch = unannounced;
    unannounced = [];
    for (const e of batch) {
      try {
        if (store.isOpen() && store.isCommitted(e.seq, e.id)) announce(e.workspaceId, e.action);
      } catch (err) {
        // A throwing listener fails its own push only and its error still surfaces uncaught, as when each event had
        // its own microtask; the rest of the batch is announced.
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  /** Internal: appends one event in the caller's transaction (if any) and returns its id. */
  function record(entry: AuditEntry): string {
    const id = randomUUID();
    const seq = store.append({
      id,
      at: clock.now().toISOString(),
      workspaceId: entry.workspaceId,
      action: entry.action,
      risk: AUDIT_ACTIONS[entry.action],
      actorKind: entry.actor.kind,
      actorId: entry.actor.id,
      actorName: entry.actor.name,
      origin: entry.actor.origin,
      targetType: entry.target.type,
      targetId: entry.target.id,
      targetName: entry.target.name ?? null,
      outcome: entry.outcome ?? 'success',
      // The calling program (the CLI's label) goes with every event of that actor, so a value read shows who asked.
      details: JSON.stringify(redactDetails(entry.actor.process === undefined ? (entry.details ?? {}) : { ...entry.details, process: entry.actor.process })),
    });
    // Inside a transaction the push waits until the synchronous transaction has ended, and a rolled-back
    // event is not announced: only a committed row is.
    if (store.inTransaction()) {
      if (unannounced.push({ seq, id, workspaceId: entry.workspaceId, action: entry.action }) === 1) queueMicrotask(announceCommitted);
    } else announce(entry.workspaceId, entry.action);
    return id;
  }

  /** Internal: runs `change` and records its audit event in one transaction. */
  function withAudit<T>(change: () => T, entry: (result: T) => AuditEntry): T {
    return store.transaction(() => {
      const result = change();
      record(entry(result));
      return result;
    });
  }

  /** The workspace's log (and installation-wide events), newest first. Needs `audit.read` there. */
  function list(q: AuditQuery, actor: Actor): { items: AuditEvent[]; nextCursor: string | null } {
    access.assert(actor, q.workspaceId, 'audit.read');
    catchUp();
    const limit = q.limit ?? 50;
    const rows = store.page({
      workspaceId: q.workspaceId,
      action: q.action,
      risk: q.risk,
      actor: q.actor,
      from: q.from,
      to: q.to,
      beforeSeq: q.cursor === undefined ? undefined : cursor.decode(q.workspaceId, q.cursor),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const next = rows.length > limit ? cursor.encode(q.workspaceId, page[page.length - 1]!.seq) : null;
    return { items: page.map((r) => r.event), nextCursor: next };
  }

  /**
   * Every event the filters match (not just a page), newest first, as a CSV or JSON file. The same access check as
   * `list`: whoever may page through the log may export it. Synchronous, so no event appended meanwhile splits it.
   */
  function exportLog(q: AuditExportQuery, actor: Actor): AuditExport {
    access.assert(actor, q.workspaceId, 'audit.read');
    catchUp();
    const events: AuditEvent[] = [];
    let beforeSeq: number | undefined;
    for (;;) {
      const rows = store.page({ workspaceId: q.workspaceId, action: q.action, risk: q.risk, actor: q.actor, from: q.from, to: q.to, beforeSeq, limit: EXPORT_BATCH });
      for (const r of rows) events.push(r.event);
      if (events.length > exportMax) {
        throw invalid(`More than ${exportMax.toLocaleString('en-US')} events match. Narrow the filters (a shorter date range, one action) and export in parts.`);
      }
      if (rows.length < EXPORT_BATCH) break;
      beforeSeq = rows[rows.length - 1]!.seq;
    }
    return {
      format: q.format,
      filename: auditExportFilename(clock.now(), q.format),
      contentType: AUDIT_EXPORT_MEDIA[q.format],
      count: events.length,
      content: q.format === 'csv' ? auditCsv(events) : auditJson(events),
    };
  }

  /** Internal: the newest event of one action on one target (e.g. a secret's last successful reveal), or null. */
  function latest(q: { workspaceId: string | null; action: AuditAction; targetId: string; outcome?: AuditEvent['outcome'] }): AuditEvent | null {
    catchUp();
    return store.latest({ workspaceId: q.workspaceId, action: q.action, targetId: q.targetId, outcome: q.outcome ?? 'success' }) ?? null;
  }

  return {
    // User-facing: check access themselves.
    list,
    exportLog,
    // Internal: the system's own writes and lookups (see above).
    record,
    withAudit,
    latest,
    catchUp,
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
