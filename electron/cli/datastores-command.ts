import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { nameKey } from '@shared/domain/names.catalog';
import { CliError } from './cli-error';
import type { Client } from './client';
import type { Output } from './output';
import { createProgress, formatBytes } from './transfer-progress';

/** `ds://<datastore name or id>/<key or prefix>` */
export function parseDsUrl(url: string): { datastore: string; key: string } | null {
  const m = /^ds:\/\/([^/]+)\/?(.*)$/.exec(url);
  return m ? { datastore: decodeURIComponent(m[1]!), key: m[2]! } : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function datastoreIdOf(client: Client, ref: string): Promise<string> {
  if (UUID.test(ref)) return ref;
  const want = nameKey(ref);
  let cursor: string | undefined;
  do {
    const page = await client.call('datastores:list', { limit: 100, cursor });
    const hit = page.items.find((d) => nameKey(d.name) === want);
    if (hit) return hit.id;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  throw new CliError('NOT_FOUND', `datastore ${ref} not found in this workspace`);
}

export async function listObjects(client: Client, out: Output, datastore: string | undefined, prefix: string | undefined): Promise<void> {
  if (!datastore) {
    const page = await client.call('datastores:list', { limit: 100 });
    out.table(page.items.map((d) => ({ id: d.id, name: d.name, backend: d.backend.type })), ['id', 'name', 'backend']);
    return;
  }
  const datastoreId = await datastoreIdOf(client, datastore);
  const rows: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.call('datastores:objects:list', { datastoreId, prefix: prefix || undefined, limit: 1000, cursor });
    rows.push(...page.items.map((o) => ({ key: o.key, size: o.size, sizeText: formatBytes(o.size), updatedAt: o.updatedAt, sha256: o.sha256 })));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  out.table(rows, ['key', 'sizeText', 'updatedAt']);
}

type LocalFile = { path: string; key: string; size: number; mtimeMs: number };

/**
 * What a local source uploads: a file as itself, a folder recursively. Like rsync, `dir/` (trailing slash) copies the
 * folder's contents under the prefix and `dir` the folder itself (its name becomes part of the keys). Keys use `/`.
 */
export function planUploads(sources: readonly string[], prefix: string): LocalFile[] {
  const files: LocalFile[] = [];
  const asDir = prefix === '' || prefix.endsWith('/');
  for (const src of sources) {
    let st: fs.Stats;
    try {
      st = fs.statSync(src);
    } catch {
      throw new CliError('NOT_FOUND', `no such file or folder: ${src}`);
    }
    if (st.isFile()) {
      files.push({ path: src, key: asDir ? prefix + path.basename(src) : prefix, size: st.size, mtimeMs: st.mtimeMs });
      continue;
    }
    if (!st.isDirectory()) throw new CliError('USAGE', `${src} is neither a file nor a folder`);
    if (!asDir) throw new CliError('USAGE', 'copying a folder needs a destination ending in / (ds://ID/prefix/)');
    const base = /[/\\]$/.test(src) ? '' : `${path.basename(path.resolve(src))}/`;
    const walk = (dir: string, rel: string) => {
      for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) walk(p, `${rel}${e.name}/`);
        else if (e.isFile()) {
          const s = fs.statSync(p);
          files.push({ path: p, key: `${prefix}${base}${rel}${e.name}`, size: s.size, mtimeMs: s.mtimeMs });
        }
      }
    };
    walk(src, '');
  }
  if (files.length > 1 && !asDir) throw new CliError('USAGE', 'copying several files needs a destination ending in / (ds://ID/prefix/)');
  return files;
}

export type CopyOptions = { parallel: number; progress: boolean; signal: AbortSignal };

/** Local files → a datastore, `parallel` at a time, with one progress bar over all bytes. */
export async function uploadFiles(client: Client, out: Output, sources: readonly string[], dest: { datastore: string; key: string }, o: CopyOptions): Promise<void> {
  const datastoreId = await datastoreIdOf(client, dest.datastore);
  const files = planUploads(sources, dest.key);
  const total = files.reduce((n, f) => n + f.size, 0);
  const progress = await createProgress({ totalBytes: total, files: files.length, force: o.progress });
  const started = Date.now();
  let next = 0;
  let failed: unknown = null;
  const notes = new Set<string>();
  const worker = async () => {
    while (failed === null && next < files.length && !o.signal.aborted) {
      const f = files[next++]!;
      try {
        await client.upload(datastoreId, f.key, f, { onProgress: (n) => progress.add(n), signal: o.signal, onResume: (m) => notes.add(`${f.key}: ${m}`) });
        progress.fileDone();
      } catch (e) {
        failed ??= e;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.parallel, files.length)) }, worker));
  } finally {
    progress.stop();
  }
  for (const n of notes) process.stderr.write(`${n}\n`);
  if (o.signal.aborted) throw new CliError('CANCELLED', 'the copy was interrupted; run the same command again to continue');
  if (failed) throw failed;
  const secs = (Date.now() - started) / 1000;
  out.record({ files: files.length, bytes: total, seconds: Number(secs.toFixed(3)), speed: `${formatBytes(total / Math.max(secs, 0.001))}/s` });
}

/** A datastore object → a local file (or into a local folder when LOCAL is a folder or ends in /). */
export async function downloadObject(client: Client, out: Output, src: { datastore: string; key: string }, local: string, o: CopyOptions): Promise<void> {
  if (!src.key || src.key.endsWith('/')) throw new CliError('USAGE', 'give the object key to copy: ds://ID/key');
  const datastoreId = await datastoreIdOf(client, src.datastore);
  let target = local;
  if (local.endsWith('/') || (fs.existsSync(local) && fs.statSync(local).isDirectory())) target = path.join(local, path.posix.basename(src.key));
  const { size, stream } = await client.download(datastoreId, src.key);
  const progress = await createProgress({ totalBytes: size, files: 1, force: o.progress });
  stream.on('data', (c: Buffer) => progress.add(c.length));
  const partial = `${target}.partial`;
  try {
    await pipeline(stream, fs.createWriteStream(partial), { signal: o.signal });
    fs.renameSync(partial, target);
    progress.fileDone();
  } catch (e) {
    fs.rmSync(partial, { force: true });
    if (o.signal.aborted) throw new CliError('CANCELLED', 'the copy was interrupted');
    throw e;
  } finally {
    progress.stop();
  }
  out.record({ key: src.key, path: target, bytes: size });
}
