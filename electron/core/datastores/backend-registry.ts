import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { BackendInfo, BackendInput } from '@shared/domain/datastore';
import { AppError } from '../errors';
import type { Logger } from '../ports';
import type { VaultPort } from '../vault/vault-port';
import type { BackendHousekeeping, ObjectBackend } from './backends/backend-port';
import { boundedFs } from './backends/bounded-fs';
import { filesystemHousekeeping, openFilesystemBackend } from './backends/filesystem-backend';
import { markKey, removeMark } from './backends/folder-marker';
import { openLazyS3Backend, s3Housekeeping } from './backends/lazy-s3-backend';
import type { DatastoreStore, StoredDatastore } from './datastore-store';

/**
 * Non-secret settings of each backend type, as stored in `backendConfig` (JSON). `marked`: the folder was given this
 * datastore's mark (every datastore made since marks exist; older ones once their first start with the vault open
 * marked them). A folder missing its mark is adopted only while `marked` is not set.
 */
type FsConfig = { path: string; managed: boolean; marked?: boolean };
type S3Config = { endpoint: string | null; region: string; bucket: string; prefix: string; forcePathStyle: boolean; accessKeyId: string };

/** Multipart tuning for S3 datastores. */
export type S3Tuning = { partSize?: number; queueSize?: number; maxAttempts?: number };

const dataKeyAad = (id: string) => `datastore:${id}:data-key`;
const s3SecretAad = (id: string) => `datastore:${id}:secret-access-key`;

export type RecoveryCounts = { temp: number; orphans: number };

/**
 * What the admin is told when a datastore's folder is not (or no longer) its own: the fix is an explicit re-attach.
 * `why` says what was found (no mark, another datastore's mark, a mark whose MAC does not verify).
 */
export const notMarked = (name: string, why: string) =>
  `the folder of datastore "${name}" does not carry this datastore's mark; re-attach it (Datastores → Re-attach folder…, an admin) once you are sure it is this datastore's folder (${why})`;

/**
 * The datastores' backends: what a new datastore stores of its backend (settings as JSON, its secret sealed by the
 * vault: the filesystem backend's data key or the S3 secret access key), the open backend of each datastore, and
 * each datastore's housekeeping (ownership mark, crash recovery, removal).
 *
 * What must stay true:
 * - No backend of a datastore is handed out before `prepare` has run for it in this process: its folder verified as
 *   its own (or, for a datastore made before marks and the only one pointing at its folder, marked now) and its crash
 *   leftovers swept. So a sweep never races an upload, and a folder that is not the datastore's is never written to.
 * - `prepare` needs the vault (the mark's MAC key derives from the data key); it runs for every datastore when the
 *   vault is first unlocked, and on first use otherwise. Only success is remembered: a folder that is missing or
 *   unmarked is checked again on the next use, so mounting the disk again (or re-attaching) is enough.
 */
export function createBackendRegistry(deps: {
  vault: VaultPort;
  store: Pick<DatastoreStore, 'allDatastores' | 'hasLocator' | 'updateBackendConfig'>;
  logger: Logger;
  s3?: S3Tuning;
  /**
   * Whether this process sweeps crash leftovers (default true). A guest process on a data dir an app may be serving
   * (the CLI's --data-dir mode) passes false: it still verifies each folder's mark, but leaves temp files and
   * unreferenced objects to the app, since they may be another process's upload in flight.
   */
  sweep?: boolean;
}) {
  const { vault, store } = deps;
  const open = new Map<string, ObjectBackend>();
  const prepared = new Map<string, Promise<RecoveryCounts>>();
  const problems = new Map<string, string>();

  const fsConfig = (d: StoredDatastore) => JSON.parse(d.backendConfig) as FsConfig;

  /** The S3 settings and sealed secret access key of a new S3 datastore. */
  function configureS3(id: string, backend: Extract<BackendInput, { type: 's3' }>): Pick<StoredDatastore, 'backendType' | 'backendConfig' | 'sealedSecret'> {
    const { secretAccessKey, type: _t, ...rest } = backend;
    const config: S3Config = {
      endpoint: rest.endpoint ?? null,
      region: rest.region,
      bucket: rest.bucket,
      prefix: rest.prefix ?? '',
      forcePathStyle: rest.forcePathStyle ?? false,
      accessKeyId: rest.accessKeyId,
    };
    return { backendType: 's3', backendConfig: JSON.stringify(config), sealedSecret: vault.seal(Buffer.from(secretAccessKey, 'utf8'), s3SecretAad(id)) };
  }

  /**
   * The bucket check of a new S3 datastore, before anything is stored: the same check as its Test (head, list,
   * write probe), with the credentials as entered. Throws the check's BucketCheckError (backend-errors says it).
   */
  async function checkNewS3(backend: Extract<BackendInput, { type: 's3' }>): Promise<void> {
    const { openS3Backend } = await import('./backends/s3-backend');
    const b = openS3Backend({ ...backend, endpoint: backend.endpoint ?? null, maxAttempts: deps.s3?.maxAttempts });
    try {
      await b.test();
    } finally {
      b.close();
    }
  }

  /**
   * A new filesystem datastore in `folder` (its real path, checked by the folder guard): a fresh data key sealed by
   * the vault (VAULT_LOCKED before anything is written), then `claim` makes the folder if it is not there and marks
   * it exclusively; `release` undoes exactly what `claim` did (the create failed after it).
   */
  function newFilesystem(id: string, createdAt: string, folder: { path: string; managed: boolean }) {
    const dataKey = randomBytes(32);
    const stored: Pick<StoredDatastore, 'backendType' | 'backendConfig' | 'sealedSecret'> = {
      backendType: 'filesystem',
      backendConfig: JSON.stringify({ path: folder.path, managed: folder.managed, marked: true } satisfies FsConfig),
      sealedSecret: vault.seal(dataKey, dataKeyAad(id)),
    };
    const hk = filesystemHousekeeping({ root: folder.path, managed: folder.managed, datastoreId: id, createdAt, markKey: markKey(dataKey, id) });
    let made = false;
    let marked = false;
    return {
      stored,
      async claim(): Promise<void> {
        made = await boundedFs.mkdir(folder.path);
        await hk.mark({ replace: false });
        marked = true;
      },
      async release(): Promise<void> {
        if (marked) await removeMark(folder.path).catch(() => undefined);
        if (made) await boundedFs.rmdir(folder.path).catch(() => undefined);
      },
      /** The row is in: nothing to recover in a folder made just now. */
      ready(): void {
        prepared.set(id, Promise.resolve({ temp: 0, orphans: 0 }));
      },
    };
  }

  /** What is shown of a backend: its settings, never its secret. */
  function info(d: StoredDatastore): BackendInfo {
    if (d.backendType === 'filesystem') return { type: 'filesystem', path: fsConfig(d).path, encrypted: true };
    return { type: 's3', ...(JSON.parse(d.backendConfig) as S3Config) };
  }

  /** The datastore's housekeeping; for a folder it needs the vault (VAULT_LOCKED while locked): its mark key. */
  function housekeeping(d: StoredDatastore): BackendHousekeeping {
    if (d.backendType === 's3') return s3Housekeeping;
    const c = fsConfig(d);
    const key = markKey(vault.open(d.sealedSecret!, dataKeyAad(d.id)), d.id);
    return filesystemHousekeeping({ root: c.path, managed: c.managed, datastoreId: d.id, createdAt: d.createdAt, markKey: key });
  }

  /**
   * Whether `d` may adopt its unmarked folder: it was made before marks, and no other datastore's folder is the same
   * as, inside or above its own (real paths).
   */
  async function soleOwner(d: StoredDatastore): Promise<boolean> {
    const real = (p: string) => boundedFs.realpath(p).catch(() => path.resolve(p));
    const mine = await real(fsConfig(d).path);
    const within = (p: string, root: string) => p === root || p.startsWith(root + path.sep);
    for (const o of store.allDatastores()) {
      if (o.id === d.id || o.backendType !== 'filesystem') continue;
      const theirs = await real(fsConfig(o).path);
      if (within(mine, theirs) || within(theirs, mine)) return false;
    }
    return true;
  }

  async function runPrepare(d: StoredDatastore): Promise<RecoveryCounts> {
    const hk = housekeeping(d);
    if (d.backendType === 'filesystem') {
      const c = fsConfig(d);
      const v = await hk.verify();
      if (!v.ours) {
        if (!(v.missing && !c.marked && (await soleOwner(d)))) {
          problems.set(d.id, notMarked(d.name, v.reason));
          throw new AppError('PRECONDITION_FAILED', notMarked(d.name, v.reason));
        }
        // Made before marks, and the only datastore there: the folder is its own, as it always was.
        await hk.mark({ replace: false });
        deps.logger.log('info', 'datastores: marked the folder of a datastore made before folder marks', { datastoreId: d.id });
      }
      if (!c.marked) store.updateBackendConfig(d.id, JSON.stringify({ ...c, marked: true } satisfies FsConfig), d.updatedAt);
    }
    if (deps.sweep === false) {
      // A folder's mark was verified above; the sweep is the app's.
      problems.delete(d.id);
      return { temp: 0, orphans: 0 };
    }
    const r = await hk.recover((locator) => store.hasLocator(d.id, locator));
    if ('refused' in r) {
      problems.set(d.id, notMarked(d.name, r.refused));
      throw new AppError('PRECONDITION_FAILED', notMarked(d.name, r.refused));
    }
    problems.delete(d.id);
    return r;
  }

  /** Verifies and sweeps the datastore once per process (joining a run in progress); see the invariants above. */
  function prepare(d: StoredDatastore): Promise<RecoveryCounts> {
    let p = prepared.get(d.id);
    if (!p) {
      p = runPrepare(d);
      prepared.set(d.id, p);
      p.catch(() => prepared.delete(d.id));
    }
    return p;
  }

  /** The datastore's open backend, once its storage is verified and swept (throws VAULT_LOCKED while locked). */
  async function backendFor(d: StoredDatastore): Promise<ObjectBackend> {
    await prepare(d);
    const cached = open.get(d.id);
    if (cached) return cached;
    let b: ObjectBackend;
    if (d.backendType === 'filesystem') {
      b = openFilesystemBackend({ root: fsConfig(d).path, dataKey: vault.open(d.sealedSecret!, dataKeyAad(d.id)) });
    } else {
      const c = JSON.parse(d.backendConfig) as S3Config;
      b = openLazyS3Backend({
        ...c,
        secretAccessKey: vault.open(d.sealedSecret!, s3SecretAad(d.id)).toString('utf8'),
        partSize: deps.s3?.partSize,
        queueSize: deps.s3?.queueSize,
        maxAttempts: deps.s3?.maxAttempts,
      });
    }
    open.set(d.id, b);
    return b;
  }

  return {
    configureS3,
    checkNewS3,
    newFilesystem,
    info,
    backendFor,
    prepare,
    housekeeping,
    /** The folder of a filesystem datastore as stored (path, managed), or null for S3. */
    folderOf: (d: StoredDatastore): { path: string; managed: boolean } | null => {
      if (d.backendType !== 'filesystem') return null;
      const c = fsConfig(d);
      return { path: c.path, managed: c.managed };
    },
    /** What stops the datastore from working, as last found (null: nothing known). */
    problem: (id: string): string | null => problems.get(id) ?? null,
    /**
     * After an admin re-attached the folder (its mark rewritten): the settings say so, and the datastore is ready.
     * Leftovers in the folder stay until the next start's sweep.
     */
    reattached(d: StoredDatastore): string {
      problems.delete(d.id);
      open.get(d.id)?.close();
      open.delete(d.id);
      prepared.set(d.id, Promise.resolve({ temp: 0, orphans: 0 }));
      return JSON.stringify({ ...fsConfig(d), marked: true } satisfies FsConfig);
    },
    /** Closes and forgets the datastore's backend (it was deleted). */
    forget(id: string): void {
      open.get(id)?.close();
      open.delete(id);
      prepared.delete(id);
      problems.delete(id);
    },
    closeAll(): void {
      for (const b of open.values()) b.close();
      open.clear();
    },
  };
}
export type BackendRegistry = ReturnType<typeof createBackendRegistry>;
