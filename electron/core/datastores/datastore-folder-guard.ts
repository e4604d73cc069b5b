import path from 'node:path';
import { diskFullCode } from '../db/storage-errors';
import { AppError, invalid, storageFull } from '../errors';
import { FS_TIMEOUT_CODE, FS_TIMEOUT_MS, boundedFs, errCode } from './backends/bounded-fs';
import { inspectFolder } from './backends/filesystem-backend';

/** Kernel and device file systems: never a datastore's folder (a recursive mkdir under /proc never returns). */
export const SYSTEM_ROOTS = ['/proc', '/sys', '/dev'] as const;

/** `p` is `root` or inside it (both absolute and normalised). */
const within = (p: string, root: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/** How messages name the path: the input field (`backend.path`, also the error's field), or the datastore's folder. */
const labelOf = (field: string | undefined) => field ?? "the datastore's folder";

/**
 * The checks of a folder path that need no disk: no NUL, absolute, normalised (one trailing separator is allowed
 * and dropped), and not under /proc, /sys or /dev. Returns the path as it will be used. 400 (on `field`) otherwise.
 */
export function checkFolderPath(raw: string, field?: string): string {
  const label = labelOf(field);
  if (raw.includes('\0')) throw invalid(`${label} must not contain NUL characters`, field);
  if (!path.isAbsolute(raw)) throw invalid(`${label} must be an absolute folder path (e.g. /srv/provenance/reports)`, field);
  const p = raw.length > 1 && raw.endsWith(path.sep) ? raw.slice(0, -1) : raw;
  if (path.normalize(p) !== p) throw invalid(`${label} must be normalised, without "." or ".." parts or doubled separators (did you mean ${path.normalize(p)}?)`, field);
  refuseSystemFolder(p, field);
  return p;
}

function refuseSystemFolder(p: string, field: string | undefined): void {
  for (const r of SYSTEM_ROOTS) if (within(p, r)) throw invalid(`${labelOf(field)} is under ${r}, a system folder; choose a folder on a disk`, field);
}

/** A failed look at a folder as an error that says what to do (never a raw fs message). */
function folderError(e: unknown, p: string, field: string | undefined): AppError {
  const label = labelOf(field);
  if (e instanceof AppError) return e;
  const code = errCode(e);
  if (code === FS_TIMEOUT_CODE) return new AppError('UNAVAILABLE', `the folder ${p} did not answer within ${FS_TIMEOUT_MS / 1000} s; is it on a network mount that stalled?`);
  // 507 like every other full disk.
  if (diskFullCode(e) !== null) return storageFull(`the disk holding ${p} is full; free some space and try again`);
  if (code === 'ENOTDIR') return invalid(`a part of ${label} is a file, not a folder`, field);
  if (code === 'EACCES' || code === 'EPERM') return invalid(`the app may not look into ${p}; check the folder's permissions`, field);
  if (code === 'ELOOP') return invalid(`${label} has a loop of symbolic links`, field);
  if (code === 'ENAMETOOLONG') return invalid(`${label} is too long for this file system`, field);
  return new AppError('UNAVAILABLE', `the folder ${p} could not be checked (${code ?? 'error'}); try again`);
}

/**
 * Where a folder really is (symbolic links resolved) and whether it exists yet. It must be a folder, or not exist
 * in a parent folder that does (only one level is ever created). 400 on `field` otherwise; bounded, asynchronous.
 */
export async function resolveFolder(p: string, field?: string): Promise<{ real: string; exists: boolean }> {
  const label = labelOf(field);
  let real: string | null = null;
  try {
    const st = await boundedFs.stat(p);
    if (!st.isDirectory()) throw invalid(`${label} is a file, not a folder`, field);
    real = await boundedFs.realpath(p);
  } catch (e) {
    if (errCode(e) !== 'ENOENT') throw folderError(e, p, field);
  }
  if (real !== null) {
    refuseSystemFolder(real, field);
    return { real, exists: true };
  }
  const parent = path.dirname(p);
  try {
    const st = await boundedFs.stat(parent);
    if (!st.isDirectory()) throw invalid(`a part of ${label} is a file, not a folder`, field);
    real = path.join(await boundedFs.realpath(parent), path.basename(p));
  } catch (e) {
    if (errCode(e) === 'ENOENT') throw invalid(`the folder that would hold ${label} (${parent}) does not exist; create it first`, field);
    throw folderError(e, parent, field);
  }
  refuseSystemFolder(real, field);
  return { real, exists: false };
}

/**
 * Which folders a filesystem datastore may live in. What must stay true: a datastore's folder is no other
 * datastore's, nor inside or above one (compared by real path, over every workspace: the managed folders under the
 * data dir count too), and a folder an admin names lies outside the app's data folder (its database, vault files and
 * managed datastores) and holds nothing yet: no files, and no datastore mark (another's, or a stale one).
 */
export function createFolderGuard(deps: { dataDir: string; folders: () => Array<{ id: string; path: string }> }) {
  let dataDirReal: Promise<string> | null = null;
  const realDataDir = () => (dataDirReal ??= boundedFs.realpath(deps.dataDir).catch(() => path.resolve(deps.dataDir)));

  async function assertClearOfOthers(candidates: string[], field: string | undefined, except?: string): Promise<void> {
    const others = await Promise.all(
      deps
        .folders()
        .filter((f) => f.id !== except)
        .map(async (f) => [path.resolve(f.path), await boundedFs.realpath(f.path).catch(() => path.resolve(f.path))]),
    );
    if (candidates.some((c) => others.flat().some((o) => within(c, o) || within(o, c)))) {
      throw invalid(`this folder is another datastore's, or inside or above another datastore's folder; choose a folder of its own`, field);
    }
  }

  async function assertOutsideDataDir(candidates: string[], field: string | undefined): Promise<void> {
    const dirs = [path.resolve(deps.dataDir), await realDataDir()];
    if (candidates.some((c) => dirs.some((dd) => within(c, dd)))) {
      throw invalid(`this folder is inside the app's data folder, which holds its database, vault and managed datastores; leave the folder empty to get a managed one there, or choose a folder elsewhere`, field);
    }
    if (candidates.some((c) => dirs.some((dd) => within(dd, c)))) throw invalid(`this folder holds the app's data folder; choose a folder elsewhere`, field);
  }

  return {
    /** A folder an admin named for a new datastore: checked in full; its real path, and whether it must be made. */
    async checkNewFolder(raw: string): Promise<{ path: string; exists: boolean }> {
      const field = 'backend.path';
      const p = checkFolderPath(raw, field);
      // As written first (so the answer does not depend on whether its parent exists yet), then as it really is.
      await assertClearOfOthers([p], field);
      await assertOutsideDataDir([p], field);
      const { real, exists } = await resolveFolder(p, field);
      await assertClearOfOthers([real], field);
      await assertOutsideDataDir([real], field);
      if (exists) {
        const state = await inspectFolder(real).catch((e: unknown) => {
          throw folderError(e, real, field);
        });
        if (state === 'marked') {
          throw invalid(`${field} carries a datastore's mark (another datastore's, or one a deleted datastore left behind); choose another folder`, field);
        }
        if (state === 'in-use') throw invalid(`${field} must be an empty folder (or one not yet created): the datastore keeps its own layout there`, field);
      }
      return { path: real, exists };
    },

    /** The managed folder of a new datastore: `<data dir>/datastores/<id>` (its parent made if needed). */
    async managedFolder(id: string): Promise<string> {
      // Under the data dir as configured (the path the admin knows), not its real path.
      const root = path.join(path.resolve(deps.dataDir), 'datastores');
      await boundedFs.mkdir(root).catch((e: unknown) => {
        throw folderError(e, root, 'backend.path');
      });
      return path.join(root, id);
    },

    /** The folder a datastore is re-attached to: its own, existing, and no other datastore's. */
    async checkReattach(d: { id: string; path: string; managed: boolean }): Promise<string> {
      const p = checkFolderPath(d.path);
      const { real, exists } = await resolveFolder(p);
      if (!exists) throw invalid(`the folder ${d.path} does not exist; restore it (or mount its disk) first`);
      await assertClearOfOthers([p, real], undefined, d.id);
      if (!d.managed) await assertOutsideDataDir([p, real], undefined);
      return real;
    },
  };
}
export type FolderGuard = ReturnType<typeof createFolderGuard>;
