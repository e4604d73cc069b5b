import { createHmac, hkdfSync, randomUUID, timingSafeEqual } from 'node:crypto';
import path from 'node:path';
import { boundedFs, errCode } from './bounded-fs';

/**
 * The mark a filesystem datastore leaves in its folder: `<folder>/.provenance-datastore`, JSON
 * `{format, datastoreId, createdAt, mac}`, where `mac` is HMAC-SHA256 over the datastore id and creation time under a
 * key derived (HKDF) from the datastore's own data key, which the vault seals. So a mark names the datastore that
 * owns the folder, and only this app with the vault open can write one that verifies: a mark copied from another
 * folder, edited to name another datastore, or planted by hand does not.
 *
 * What must stay true: delete and crash recovery touch a folder only after `readMark` says it is this datastore's;
 * creating a datastore never takes a folder that holds a mark of any kind (another datastore's, or a stale one).
 */
export const MARK_FILE = '.provenance-datastore';
const FORMAT = 1;
/** Domain separation: these MACs mean "datastore folder mark, version 1" and nothing else. */
const CONTEXT = 'p1-datastore-mark-v1\n';
/** A mark is a few hundred bytes; a file larger than this is not one. */
const MAX_MARK_BYTES = 4096;

/** The MAC key of a datastore's mark, derived from its data key (HKDF-SHA256, info `datastore:<id>:marker`). */
export function markKey(dataKey: Buffer, datastoreId: string): Buffer {
  return Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), `datastore:${datastoreId}:marker`, 32));
}

const macOf = (key: Buffer, datastoreId: string, createdAt: string) => createHmac('sha256', key).update(`${CONTEXT}${JSON.stringify([FORMAT, datastoreId, createdAt])}`).digest();

/** Whose folder it is, as far as its mark says. Only `ours` lets delete or recovery touch it. */
export type MarkCheck =
  | { state: 'ours' }
  | { state: 'missing' }
  | { state: 'other'; datastoreId: string }
  | { state: 'forged' }
  | { state: 'unreadable' };

/** What a refusal tells the admin about the mark it found. */
export function describeMark(c: MarkCheck): string {
  switch (c.state) {
    case 'ours':
      return 'the folder carries this datastore’s mark';
    case 'missing':
      return 'the folder has no mark (it was removed, the folder was replaced, or the disk is not mounted)';
    case 'other':
      return 'the mark names another datastore';
    case 'forged':
      return 'the mark’s signature does not match this datastore (copied from elsewhere, or edited)';
    case 'unreadable':
      return 'the mark cannot be read';
  }
}

/** Reads and verifies the folder's mark against this datastore's id and mark key (MAC compared in constant time). */
export async function readMark(root: string, datastoreId: string, key: Buffer): Promise<MarkCheck> {
  let raw: Buffer;
  try {
    raw = await boundedFs.readFile(path.join(root, MARK_FILE), MAX_MARK_BYTES);
  } catch (e) {
    const code = errCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return { state: 'missing' };
    throw e;
  }
  let m: { format?: unknown; datastoreId?: unknown; createdAt?: unknown; mac?: unknown };
  try {
    if (raw.length > MAX_MARK_BYTES) return { state: 'unreadable' };
    m = JSON.parse(raw.toString('utf8')) as typeof m;
  } catch {
    return { state: 'unreadable' };
  }
  if (m === null || typeof m !== 'object' || m.format !== FORMAT || typeof m.datastoreId !== 'string' || typeof m.createdAt !== 'string' || typeof m.mac !== 'string') {
    return { state: 'unreadable' };
  }
  if (m.datastoreId !== datastoreId) return { state: 'other', datastoreId: m.datastoreId };
  const expected = macOf(key, datastoreId, m.createdAt);
  const given = Buffer.from(m.mac, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { state: 'forged' };
  return { state: 'ours' };
}

/** Whether the folder holds a mark file at all (anyone's): such a folder is never taken by a new datastore. */
export async function hasMarkFile(root: string): Promise<boolean> {
  try {
    await boundedFs.lstat(path.join(root, MARK_FILE));
    return true;
  } catch (e) {
    if (errCode(e) === 'ENOENT') return false;
    throw e;
  }
}

/**
 * Writes the mark. `replace: false` creates it exclusively (fails with EEXIST when a mark is there: two creates
 * racing for one folder, the second loses); `replace: true` (re-attach) swaps in a new mark atomically.
 */
export async function writeMark(root: string, mark: { datastoreId: string; createdAt: string }, key: Buffer, o: { replace: boolean }): Promise<void> {
  const body = `${JSON.stringify({ format: FORMAT, datastoreId: mark.datastoreId, createdAt: mark.createdAt, mac: macOf(key, mark.datastoreId, mark.createdAt).toString('base64url') })}\n`;
  const file = path.join(root, MARK_FILE);
  if (!o.replace) return boundedFs.writeFile(file, body, 'wx');
  const tmp = path.join(root, `${MARK_FILE}.${randomUUID()}.tmp`);
  try {
    await boundedFs.writeFile(tmp, body, 'wx');
    await boundedFs.rename(tmp, file);
  } catch (e) {
    await boundedFs.remove(tmp).catch(() => undefined);
    throw e;
  }
}

export const removeMark = (root: string) => boundedFs.remove(path.join(root, MARK_FILE));
