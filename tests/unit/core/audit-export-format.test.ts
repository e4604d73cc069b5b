import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '@shared/domain/audit';
import { AUDIT_CSV_COLUMNS, auditCsv, auditExportFilename, auditJson, csvCell } from '@core/audit/audit-export-format';
import { parseCsv } from '../../helpers/csv-parse';

const event = (over: Partial<AuditEvent> = {}): AuditEvent => ({
  id: '11111111-1111-4111-8111-111111111111',
  at: '2026-05-01T12:34:56.789Z',
  workspaceId: '22222222-2222-4222-8222-222222222222',
  action: 'secret.accessed',
  risk: 'high',
  actor: { kind: 'user', id: 'u1', name: 'alice' },
  origin: '127.0.0.1',
  target: { type: 'secret', id: 's1', name: 'db password' },
  outcome: 'success',
  details: {},
  ...over,
});

describe('csvCell', () => {
  it('quotes every cell and doubles inner quotes', () => {
    expect(csvCell('plain')).toBe('"plain"');
    expect(csvCell('a "quoted", b')).toBe('"a ""quoted"", b"');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('""');
    expect(csvCell(undefined)).toBe('""');
    expect(csvCell(42)).toBe('"42"');
  });

  it('defuses every cell a spreadsheet would read as a formula (= + - @ tab CR) with a leading apostrophe', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(csvCell(`${start}HYPERLINK("http://x")`)).toBe(`"'${start}HYPERLINK(""http://x"")"`);
    // Only the first character matters: a formula sign later in the text is harmless.
    expect(csvCell('a=1+2')).toBe('"a=1+2"');
    expect(csvCell(' =1')).toBe('" =1"');
  });
});

describe('auditCsv', () => {
  it('writes a header and one row per event that a strict reader gets back cell for cell', () => {
    const hostile = event({
      actor: { kind: 'user', id: 'u2', name: '=cmd|"/C calc"!A0' },
      target: { type: 'connection', id: 'c1', name: 'Jira, "prod"\r\nline two' },
      outcome: 'failure',
      details: { reason: '@SUM(1,2)', nested: { n: 1 } },
    });
    const rows = parseCsv(auditCsv([event(), hostile]));
    expect(rows[0]).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(rows).toHaveLength(3);
    expect(rows.every((r) => r.length === AUDIT_CSV_COLUMNS.length)).toBe(true);
    expect(rows[1]).toEqual([
      '2026-05-01T12:34:56.789Z',
      'secret.accessed',
      'Secret revealed',
      'high',
      'success',
      'user',
      'alice',
      'u1',
      '127.0.0.1',
      'secret',
      'db password',
      's1',
      '{}',
      '11111111-1111-4111-8111-111111111111',
    ]);
    expect(rows[2]![6]).toBe(`'=cmd|"/C calc"!A0`);
    expect(rows[2]![10]).toBe('Jira, "prod"\r\nline two');
    expect(rows[2]![4]).toBe('failure');
    expect(JSON.parse(rows[2]![12]!)).toEqual({ reason: '@SUM(1,2)', nested: { n: 1 } });
  });

  it('is the header alone when nothing matches', () => {
    expect(parseCsv(auditCsv([]))).toEqual([[...AUDIT_CSV_COLUMNS]]);
  });
});

describe('auditJson and the file name', () => {
  it('is the events as the API gives them', () => {
    const events = [event(), event({ id: '33333333-3333-4333-8333-333333333333' })];
    expect(JSON.parse(auditJson(events))).toEqual(events);
    expect(JSON.parse(auditJson([]))).toEqual([]);
  });

  it('names the file by its UTC time, without characters a file system refuses', () => {
    expect(auditExportFilename(new Date('2026-05-01T12:34:56.789Z'), 'csv')).toBe('provenanceone-audit-2026-05-01T12-34-56Z.csv');
    expect(auditExportFilename(new Date('2026-05-01T12:34:56.789Z'), 'json')).toMatch(/^[\w.-]+\.json$/);
  });
});
