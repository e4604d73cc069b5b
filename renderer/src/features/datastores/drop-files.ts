import type { DroppedFile } from './datastores-store';

/** The parts of the File and Directory Entries API a drop gives us (Chromium and Electron implement it). */
type Entry = {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?(ok: (f: File) => void, err: (e: unknown) => void): void;
  createReader?(): { readEntries(ok: (entries: Entry[]) => void, err: (e: unknown) => void): void };
};

async function walk(entry: Entry, base: string, out: DroppedFile[]): Promise<void> {
  if (entry.isFile && entry.file) {
    const file = await new Promise<File>((ok, err) => entry.file!(ok, err));
    out.push({ file, relPath: base + entry.name });
    return;
  }
  if (entry.isDirectory && entry.createReader) {
    const reader = entry.createReader();
    // readEntries returns at most ~100 entries per call: read until it returns none.
    for (;;) {
      const batch = await new Promise<Entry[]>((ok, err) => reader.readEntries(ok, err));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, `${base}${entry.name}/`, out);
    }
  }
}

/**
 * Files and folders dropped on the browser: a folder becomes a key prefix ("photos/2026/a.jpg"). Entries must be
 * taken synchronously inside the drop handler (the DataTransfer is emptied afterwards); reading them is async.
 */
export function collectDropped(dt: Pick<DataTransfer, 'items' | 'files'>): Promise<DroppedFile[]> {
  const entries: Entry[] = [];
  const loose: File[] = [];
  const items = Array.from(dt.items ?? []);
  for (const item of items) {
    if (item.kind !== 'file') continue;
    const entry = (item as DataTransferItem & { webkitGetAsEntry?: () => Entry | null }).webkitGetAsEntry?.() ?? null;
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  if (items.length === 0) loose.push(...Array.from(dt.files ?? []));
  return (async () => {
    const out: DroppedFile[] = loose.map((file) => ({ file, relPath: file.webkitRelativePath || file.name }));
    for (const e of entries) await walk(e, '', out);
    return out;
  })();
}
