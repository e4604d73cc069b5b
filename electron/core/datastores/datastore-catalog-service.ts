import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '@shared/domain/actor';
import type { Datastore, DatastoreCreate } from '@shared/domain/datastore';
import type { AuditService } from '../audit/audit-service';
import { pageCursor } from '../db/cursor';
import type { EventBus } from '../events/event-bus';
import { AppError, conflict, forbidden, invalid } from '../errors';
import type { Clock, Logger } from '../ports';
import type { AccessService } from '../access/access-service';
import type { ReferenceIndex } from '../references/reference-index';
import type { BackendHousekeeping, ObjectBackend, Ownership } from './backends/backend-port';
import { describeBackendError } from './backend-errors';
import { notMarked, type BackendRegistry } from './backend-registry';
import type { FolderGuard } from './datastore-folder-guard';
import type { DatastoreGuard } from './datastore-guard';
import type { DatastoreStore, StoredDatastore } from './datastore-store';

export type DatastoreCatalogDeps = {
  store: Pick<
    DatastoreStore,
    'transaction' | 'listDatastores' | 'allDatastores' | 'nameTaken' | 'insertDatastore' | 'deleteDatastore' | 'updateBackendConfig' | 'datastoreStats' | 'usage' | 'objectLocators'
  >;
  guard: DatastoreGuard;
  folders: FolderGuard;
  access: Pick<AccessService, 'assert' | 'allowed'>;
  backends: BackendRegistry;
  audit: Pick<AuditService, 'record'>;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  references: Pick<ReferenceIndex, 'referencesTo' | 'clearTo'>;
};

/** The datastores list's cursor: the last datastore's sort key, [createdAt, id]. */
const cursor = pageCursor('datastores', z.tuple([z.string().min(1).max(64), z.string().min(1).max(100)]));

/** The 403 for a caller who named a folder without the right to (README: a custom folder is a filesystem permission). */
export const ONLY_ADMIN_FOLDER = 'only an admin may choose a folder; leave it empty for the managed folder';

/**
 * The datastores themselves: create, list, delete, test their backend, storage usage, crash recovery, and re-attaching
 * a folder. Every method that reads or changes a datastore checks the POLICY table first (through the guard or
 * `access`); this is also the one home of the custom-folder check (`datastore.manage_folder`).
 *
 * What must stay true for filesystem datastores: a folder is checked in full (folder guard) before anything is
 * written, made and marked as the datastore's before its row is written, and released again if the row is not; and
 * creates and re-attaches in this process run one at a time, so two of them cannot both find one folder free.
 */
export function createDatastoreCatalogService(deps: DatastoreCatalogDeps) {
  const { store, guard, folders, access, backends, audit, bus, clock } = deps;

  function toDatastore(d: StoredDatastore): Datastore {
    const s = store.datastoreStats(d.id);
    return {
      id: d.id,
      workspaceId: d.workspaceId,
      name: d.name,
      description: d.description,
      backend: backends.info(d),
      objectCount: s.objectCount,
      bytesUsed: s.bytesUsed,
      problem: backends.problem(d.id),
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    };
  }

  const changed = (d: StoredDatastore) => bus.emit('datastores:changed', { workspaceId: d.workspaceId, datastoreId: d.id });

  let folderWork: Promise<unknown> = Promise.resolve();
  /** Folder-claiming work, one at a time in this process (checks and claim of one finish before the next starts). */
  function oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
    const run = folderWork.then(fn, fn);
    folderWork = run.catch(() => undefined);
    return run;
  }

  let recovering: Promise<{ temp: number; orphans: number; unmarked: number }> | null = null;
  /**
   * Crash recovery, run when the vault is unlocked (the marks' MAC keys derive from the datastores' data keys): each
   * datastore's folder is verified as its own and its leftovers swept (temp files, objects no row points at), one
   * datastore at a time; a folder that is not its datastore's is left untouched and the datastore shows why. Joins a
   * run in progress; a datastore done once in this process is not swept again.
   */
  function recover() {
    recovering ??= (async () => {
      let temp = 0;
      let orphans = 0;
      let unmarked = 0;
      for (const d of store.allDatastores()) {
        try {
          const r = await backends.prepare(d);
          temp += r.temp;
          orphans += r.orphans;
        } catch (e) {
          if (e instanceof AppError && e.code === 'PRECONDITION_FAILED') unmarked += 1;
          else deps.logger.log('warn', 'datastores: a folder could not be checked at start', { datastoreId: d.id, error: describeBackendError(e, d).message });
        }
      }
      if (temp + orphans > 0) deps.logger.log('info', 'datastores: swept crash leftovers', { temp, orphans });
      if (unmarked > 0) deps.logger.log('warn', "datastores: folders that do not carry their datastore's mark were left untouched", { count: unmarked });
      return { temp, orphans, unmarked };
    })().finally(() => (recovering = null));
    return recovering;
  }

  /** Writes the row and its audit event, the name checked again inside the transaction. */
  function insert(actor: Actor, d: StoredDatastore): void {
    store.transaction(() => {
      if (store.nameTaken(d.workspaceId, d.name)) throw conflict(`a datastore named "${d.name}" already exists in this workspace`, 'name');
      store.insertDatastore(d);
      audit.record({
        workspaceId: d.workspaceId,
        action: 'datastore.created',
        actor,
        target: { type: 'datastore', id: d.id, name: d.name },
        details: { backend: d.backendType, ...(backends.folderOf(d)?.managed === false ? { customFolder: true } : {}) },
      });
    });
  }

  async function create(actor: Actor, input: DatastoreCreate): Promise<Datastore> {
    access.assert(actor, input.workspaceId, 'datastore.create');
    const backend = input.backend ?? { type: 'filesystem' as const };
    if (backend.type === 'filesystem' && backend.path !== undefined && !access.allowed(actor, input.workspaceId, 'datastore.manage_folder')) {
      deps.logger.log('warn', 'access denied', { actorKind: actor.kind, actorId: actor.id, op: 'datastore.manage_folder', workspaceId: input.workspaceId, origin: actor.origin });
      throw forbidden(ONLY_ADMIN_FOLDER);
    }
    if (store.nameTaken(input.workspaceId, input.name)) throw conflict(`a datastore named "${input.name}" already exists in this workspace`, 'name');
    const id = randomUUID();
    const t = clock.now().toISOString();
    const base = { id, workspaceId: input.workspaceId, name: input.name, description: input.description || null, createdAt: t, updatedAt: t };

    if (backend.type === 's3') {
      // The secret is sealed first (VAULT_LOCKED before any request goes out).
      const d: StoredDatastore = { ...base, ...backends.configureS3(id, backend) };
      // A bucket that does not exist, is in another region, refuses the key or cannot be written is refused now,
      // with the reason, rather than saved to fail at the first upload.
      try {
        await backends.checkNewS3(backend);
      } catch (e) {
        throw describeBackendError(e, { name: input.name, backendType: 's3' });
      }
      insert(actor, d);
      changed(d);
      return toDatastore(d);
    }

    return oneAtATime(async () => {
      // Checks first (reads only), then the data key (VAULT_LOCKED before any write), then the folder, then the row.
      const folder = backend.path === undefined ? { path: await folders.managedFolder(id), managed: true } : { path: (await folders.checkNewFolder(backend.path)).path, managed: false };
      const made = backends.newFilesystem(id, t, folder);
      const d: StoredDatastore = { ...base, ...made.stored };
      try {
        await made.claim();
        insert(actor, d);
      } catch (e) {
        await made.release();
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
          throw invalid("backend.path carries a datastore's mark (another datastore claimed it just now); choose another folder", 'backend.path');
        }
        throw describeBackendError(e, d);
      }
      made.ready();
      changed(d);
      return toDatastore(d);
    });
  }

  function list(actor: Actor, q: { workspaceId: string; limit?: number; cursor?: string }) {
    access.assert(actor, q.workspaceId, 'datastore.list');
    const limit = q.limit ?? 100;
    const after = q.cursor === undefined ? null : cursor.decode(q.workspaceId, q.cursor);
    const rows = store.listDatastores(q.workspaceId, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toDatastore), nextCursor: rows.length > limit && last ? cursor.encode(q.workspaceId, [last.createdAt, last.id]) : null };
  }

  /** The datastore in detail: with "Used by" (the workflow steps that reference it). */
  function get(actor: Actor, workspaceId: string, id: string): Datastore {
    const d = guard.load(actor, workspaceId, id, 'datastore.list');
    const referencedBy = deps.references.referencesTo({ type: 'datastore', id }).map((x) => ({ type: x.fromType, id: x.fromId, name: x.fromName }));
    return { ...toDatastore(d), referencedBy };
  }

  /**
   * Deletes the datastore: its rows always; its files only when its storage is verified as its own (for a folder:
   * it carries this datastore's mark). Otherwise they are left as they are and the answer (and audit event) says so.
   * A filesystem datastore needs the vault for that check.
   */
  async function remove(actor: Actor, workspaceId: string, id: string, force = false) {
    const d = guard.load(actor, workspaceId, id, 'datastore.delete');
    const referrers = deps.references.referencesTo({ type: 'datastore', id });
    if (referrers.length > 0 && !force) {
      const who = referrers.map((x) => `${x.fromType} "${x.fromName ?? x.fromId}"`).join(', ');
      throw conflict(`datastore "${d.name}" is used by ${who}; those steps will fail once it is deleted. Change them first, or delete with force to confirm`, 'force');
    }
    const locators = store.objectLocators(id);
    if (locators.length > 0 && !force) {
      throw conflict(`datastore "${d.name}" still holds ${locators.length} object(s); delete them first, or delete with force to remove them too`);
    }
    // A datastore made before marks is adopted first, if it may be (as its first start with the vault open would).
    await backends.prepare(d).catch(() => undefined);
    let hk: BackendHousekeeping;
    let own: Ownership;
    let backend: ObjectBackend | null = null;
    try {
      hk = backends.housekeeping(d);
      own = await hk.verify();
      // Its objects' bytes are removed only from storage that is its own.
      if (own.ours && locators.length > 0) backend = await backends.backendFor(d);
    } catch (e) {
      throw describeBackendError(e, d);
    }
    let problem = own.ours ? null : notMarked(d.name, own.reason);
    store.transaction(() => {
      store.deleteDatastore(id);
      // A forced delete clears the references to it in the same transaction (as for secrets and connections).
      deps.references.clearTo({ type: 'datastore', id }, actor);
      audit.record({
        workspaceId,
        action: 'datastore.deleted',
        actor,
        target: { type: 'datastore', id, name: d.name },
        details: {
          objectsDeleted: locators.length,
          forced: force,
          ...(problem ? { filesLeft: true } : {}),
          ...(referrers.length > 0 ? { referencedBy: referrers.map((x) => `${x.fromType}:${x.fromId}`) } : {}),
        },
      });
    });
    // The rows are gone, so the bytes are unreachable; removing them is cleanup (a crash here is swept later).
    for (const l of locators) await backend?.remove(l).catch(() => undefined);
    backends.forget(id);
    if (own.ours) {
      try {
        const refused = await hk.dispose();
        if (refused) problem = notMarked(d.name, refused.refused);
      } catch (e) {
        problem = `the datastore is deleted, but its folder could not be cleaned up (${describeBackendError(e, d).message}); remove what is left by hand`;
        deps.logger.log('warn', 'datastores: a deleted datastore folder could not be cleaned up', { datastoreId: id });
      }
    }
    changed(d);
    return { deleted: true as const, objectsDeleted: locators.length, ...(problem ? { problem } : {}) };
  }

  async function test(actor: Actor, workspaceId: string, id: string) {
    const d = guard.load(actor, workspaceId, id, 'datastore.object_write');
    const t0 = performance.now();
    try {
      await (await backends.backendFor(d)).test();
      const message =
        d.backendType === 's3'
          ? 'the bucket answers, can be listed and takes a write (the test object was deleted again)'
          : 'the backend is reachable and writable';
      return { ok: true, message, latencyMs: Math.round(performance.now() - t0) };
    } catch (e) {
      return { ok: false, message: describeBackendError(e, d).message, latencyMs: Math.round(performance.now() - t0) };
    }
  }

  /**
   * Admin only: the datastore's folder is its own again (after a restore, a move of the disk, a lost mark). Its mark is
   * rewritten for this datastore, which then works as before; audited (high). The folder must exist and be no other
   * datastore's; leftovers in it are swept at the next start, as for every datastore.
   */
  async function reattach(actor: Actor, workspaceId: string, id: string): Promise<Datastore> {
    const d = guard.load(actor, workspaceId, id, 'datastore.manage_folder');
    const folder = backends.folderOf(d);
    if (!folder) throw invalid('only a datastore on this machine has a folder to re-attach; an S3 datastore keeps its objects in its bucket');
    return oneAtATime(async () => {
      let hk: BackendHousekeeping;
      try {
        hk = backends.housekeeping(d);
      } catch (e) {
        throw describeBackendError(e, d);
      }
      await folders.checkReattach({ id: d.id, path: folder.path, managed: folder.managed });
      try {
        await hk.mark({ replace: true });
      } catch (e) {
        throw describeBackendError(e, d);
      }
      const t = clock.now().toISOString();
      const config = backends.reattached(d);
      store.transaction(() => {
        store.updateBackendConfig(d.id, config, t);
        audit.record({
          workspaceId,
          action: 'datastore.folder_reattached',
          actor,
          target: { type: 'datastore', id: d.id, name: d.name },
          details: { path: folder.path, managed: folder.managed },
        });
      });
      changed(d);
      return toDatastore({ ...d, backendConfig: config, updatedAt: t });
    });
  }

  function usage(actor: Actor, workspaceId: string) {
    access.assert(actor, workspaceId, 'datastore.list');
    const rows = store.usage(workspaceId);
    return {
      workspaceId,
      bytesUsed: rows.reduce((s, x) => s + x.bytesUsed, 0),
      objectCount: rows.reduce((s, x) => s + x.objectCount, 0),
      datastores: rows.map((x) => ({ id: x.id, name: x.name, bytesUsed: x.bytesUsed, objectCount: x.objectCount })),
    };
  }

  return { recover, create, list, get, remove, test, reattach, usage };
}
export type DatastoreCatalogService = ReturnType<typeof createDatastoreCatalogService>;
