/** How results are shown: `--json` (one JSON document on stdout, for scripts) or a plain text table for people. */
export type Output = {
  json: boolean;
  /** A list as a table with these columns (or the rows as JSON). */
  table(rows: readonly Record<string, unknown>[], columns: readonly string[]): void;
  /** One record as `key: value` lines (or as JSON). */
  record(value: Record<string, unknown>): void;
  /** A line for people; nothing in --json mode. */
  note(line: string): void;
};

const cell = (v: unknown): string => {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'object') return JSON.stringify(v);
  // One line per row whatever the data holds.
  return String(v).replace(/[\r\n\t]+/g, ' ');
};

export function formatTable(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (vals: readonly string[]) => vals.map((v, i) => (i === vals.length - 1 ? v : v.padEnd(widths[i]!))).join('  ');
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n') + '\n';
}

export function createOutput(json: boolean, out: NodeJS.WritableStream = process.stdout): Output {
  return {
    json,
    table(rows, columns) {
      if (json) out.write(`${JSON.stringify(rows)}\n`);
      else out.write(rows.length ? formatTable(rows, columns) : '(none)\n');
    },
    record(value) {
      if (json) out.write(`${JSON.stringify(value)}\n`);
      else for (const [k, v] of Object.entries(value)) out.write(`${k}: ${cell(v)}\n`);
    },
    note(line) {
      if (!json) out.write(`${line}\n`);
    },
  };
}
