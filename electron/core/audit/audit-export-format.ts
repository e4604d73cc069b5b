import { auditActionLabel, type AuditExportFormat } from '@shared/domain/audit.catalog';
import type { AuditEvent } from '@shared/domain/audit';

/**
 * The audit log as a file: CSV for spreadsheets, JSON for scripts. Pure functions of the events, no I/O.
 *
 * What must stay true for CSV: every cell is quoted (RFC 4180: a quote inside is doubled), rows end with CRLF, so a
 * comma, quote or line break in a name or in the details cannot shift a column; and no cell can start a formula
 * when a spreadsheet opens the file (OWASP "CSV injection"): a cell that starts with = + - @, a tab or a carriage
 * return gets a leading apostrophe, which spreadsheets show as text. Times are ISO 8601 UTC, as stored, so the file
 * means the same in every time zone.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell: quoted, inner quotes doubled, formula starts defused. */
export function csvCell(value: string | number | null | undefined): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
}

export const AUDIT_CSV_COLUMNS = [
  'time (UTC)',
  'action',
  'event',
  'risk',
  'outcome',
  'actor kind',
  'actor name',
  'actor id',
  'origin',
  'target type',
  'target name',
  'target id',
  'details',
  'event id',
] as const;

function csvRow(e: AuditEvent): string {
  return [
    e.at,
    e.action,
    auditActionLabel(e.action),
    e.risk,
    e.outcome,
    e.actor.kind,
    e.actor.name,
    e.actor.id,
    e.origin,
    e.target.type,
    e.target.name,
    e.target.id,
    JSON.stringify(e.details),
    e.id,
  ]
    .map(csvCell)
    .join(',');
}

/** The events as CSV: a header row, then one row per event, in the order given (newest first). */
export function auditCsv(events: readonly AuditEvent[]): string {
  const lines = [AUDIT_CSV_COLUMNS.map(csvCell).join(',')];
  for (const e of events) lines.push(csvRow(e));
  return `${lines.join('\r\n')}\r\n`;
}

/** The events as a JSON array, each as GET /audit-events gives it. */
export function auditJson(events: readonly AuditEvent[]): string {
  return `${JSON.stringify(events, null, 2)}\n`;
}

export const AUDIT_EXPORT_MEDIA: Record<AuditExportFormat, string> = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8' };

/** "provenanceone-audit-2026-05-01T12-34-56Z.csv": sorts by time, and every OS accepts it as a file name. */
export function auditExportFilename(at: Date, format: AuditExportFormat): string {
  return `provenanceone-audit-${at.toISOString().slice(0, 19).replace(/:/g, '-')}Z.${format}`;
}
