/**
 * A strict RFC 4180 reader for the tests of CSV exports: quoted cells with doubled quotes, CRLF row ends. It
 * refuses anything else (an unquoted cell, text after a closing quote), so a test fails when the writer stops
 * quoting a cell.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let i = 0;
  while (i < text.length) {
    const row: string[] = [];
    for (;;) {
      if (text[i] !== '"') throw new Error(`unquoted cell at ${i}`);
      i += 1;
      let cell = '';
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error('unterminated cell');
        cell += text.slice(i, q);
        if (text[q + 1] === '"') {
          cell += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      row.push(cell);
      if (text[i] === ',') {
        i += 1;
        continue;
      }
      if (text.startsWith('\r\n', i)) {
        i += 2;
        break;
      }
      throw new Error(`expected , or CRLF at ${i}`);
    }
    rows.push(row);
  }
  return rows;
}
