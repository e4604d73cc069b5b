import fsp from 'node:fs/promises';

/**
 * Filesystem calls about a datastore's folder (checking a path, laying out or marking a folder, recovery, removal)
 * run on requests' paths, so they are asynchronous — the event loop, /health and SIGTERM never wait on a folder —
 * and bounded: a call that has not answered within FS_TIMEOUT_MS (a stalled network mount, a FUSE folder that never
 * replies) fails with code FS_TIMEOUT_CODE, which the datastores answer as 503 naming the folder. The call itself
 * cannot be cancelled: it finishes (or not) in libuv's thread pool, and nothing waits for it.
 *
 * What must stay true: nothing here is recursive into a path that was not checked first (the folder checks refuse
 * /proc, /sys and /dev before any of these runs), and nothing here is synchronous.
 */
export const FS_TIMEOUT_MS = 10_000;
export const FS_TIMEOUT_CODE = 'P1_FS_TIMEOUT';

export function bounded<T>(call: Promise<T>, ms = FS_TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('a filesystem call did not answer in time'), { code: FS_TIMEOUT_CODE })), ms);
    timer.unref();
  });
  // A call that fails after the timeout already answered must not surface as an unhandled rejection.
  call.catch(() => undefined);
  return Promise.race([call, timeout]).finally(() => clearTimeout(timer));
}

/** The errno code of a failed fs call, if it has one. */
export const errCode = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | null)?.code;

/** fs.promises calls, each bounded. Only what the datastores use; directories are made one level at a time. */
export const boundedFs = {
  stat: (p: string) => bounded(fsp.stat(p)),
  lstat: (p: string) => bounded(fsp.lstat(p)),
  realpath: (p: string) => bounded(fsp.realpath(p)),
  readdir: (p: string) => bounded(fsp.readdir(p)),
  /** One level (never recursive): the parent must exist. Resolves false when the folder was there already. */
  mkdir: async (p: string, mode = 0o700): Promise<boolean> => {
    try {
      await bounded(fsp.mkdir(p, { mode }));
      return true;
    } catch (e) {
      if (errCode(e) === 'EEXIST') return false;
      throw e;
    }
  },
  readFile: (p: string, maxBytes: number) => bounded(readSmallFile(p, maxBytes)),
  writeFile: (p: string, data: string, flag: 'wx' | 'w') => bounded(fsp.writeFile(p, data, { flag, mode: 0o600, flush: true })),
  rename: (from: string, to: string) => bounded(fsp.rename(from, to)),
  /** A file, or an empty folder; missing is fine. */
  remove: (p: string) => bounded(fsp.rm(p, { force: true })),
  rmdir: (p: string) => bounded(fsp.rmdir(p)),
  /** A folder and everything in it: only for a folder the caller verified as its own. */
  removeTree: (p: string) => bounded(fsp.rm(p, { recursive: true, force: true }), FS_TIMEOUT_MS * 6),
};

/** At most `maxBytes` of a file (a mark is tiny; anything larger is not one). */
async function readSmallFile(p: string, maxBytes: number): Promise<Buffer> {
  const fh = await fsp.open(p, 'r');
  try {
    const buf = Buffer.alloc(maxBytes + 1);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}
