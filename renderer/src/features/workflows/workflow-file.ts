/**
 * Export and import of a definition as a file. Export downloads the editor's JSON as `<name>.workflow.json`;
 * import reads a chosen file and hands its text to the editor unsaved (the core validates it on save).
 */

/** `<name>.workflow.json`, with characters file systems refuse replaced. */
export function exportFileName(name: string): string {
  const printable = [...name.trim()].map((ch) => (ch.charCodeAt(0) < 32 ? '-' : ch)).join('');
  const safe = printable.replace(/[\\/:*?"<>|]+/g, '-').replace(/^\.+/, '') || 'workflow';
  return `${safe}.workflow.json`;
}

/** The definition as exported: the editor's JSON re-indented when it parses, as is otherwise (nothing is lost). */
export function exportText(text: string): string {
  try {
    return `${JSON.stringify(JSON.parse(text), null, 2)}\n`;
  } catch {
    return text;
  }
}

/** Bigger files are refused before they are read: a definition is at most a few hundred KiB. */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
