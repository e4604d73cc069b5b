import { randomUUID } from 'node:crypto';
import type { Actor } from '@shared/domain/actor';
import type { Datastore, DatastoreCreate } from '@shared/domain/datastore';
import type { AuditService } from '../audit/audit-service';
import { decodeCursor, encodeCursor } from '../db/cursor';
import type { EventBus } from '../events/event-bus';
import { conflict } from '../errors';
import type { Clock, Logger } from '../ports';
import type { AccessService } from '../access/access-service';
import { describeBackendError } from './backend-errors';
import type { BackendRegistry } from './backend-registry';
import type { DatastoreGuard } from './datastore-guard';
import type { DatastoreStore, StoredDatastore } from './datastore-store';

export type DatastoreCatalogDeps = {
  store: Pick<
    DatastoreStore,
    'transaction' | 'listDatastores' | 'allDatastores' | 'nameTaken' | 'insertDatastore' | 'deleteDatastore' | 'datastoreStats' | 'usage' | 'objectLocators' | 'hasLocator'
  >;
  guard: DatastoreGuard;
  access: Pick<AccessService, 'assert'>;
  backends: BackendRegistry;
  audit: Pick<AuditService, 'record'>;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
};

/**
 * The datastores themselves: create, list, delete, test their backend, storage usage, and crash recovery at start.
 * Every method that reads or changes a datastore checks the POLICY table first (through the guard or `access`).
 */
export function createDatastoreCatalogService(deps: DatastoreCatalogDeps) {
  const { store, guard, access, backends, audit, bus, clock } = deps;

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
      createdAt: d.createdAt,
      updatedAt: d.updatedAt,
    };
  }

  const changed = (d: StoredDatastore) => bus.emit('datastores:changed', { workspaceId: d.workspaceId, datastoreId: d.id });

  /**
   * Crash recovery, run at start before any upload: each backend removes its own leftovers (for the filesystem,
   * temp files and object files no row points at). Neither needs the vault: nothing is decrypted.
   */
  function recover(): { temp: number; orphans: number } {
    let temp = 0;
    let orphans = 0;
    for (const d of store.allDatastores()) {
      const r = backends.housekeeping(d).recover((locator) => store.hasLocator(d.id, locator));
      temp += r.temp;
      orphans += r.orphans;
    }
    if (temp + orphans > 0) deps.logger.log('info', 'datastores: swept crash leftovers', { temp, orphans });
    return { temp, orphans };
  }

  function create(actor: Actor, input: DatastoreCreate): Datastore {
    access.assert(actor, input.workspaceId, 'datastore.create');
    const id = randomUUID();
    const t = clock.now().toISOString();
    const d: StoredDatastore = {
      id,
      workspaceId: input.workspaceId,
      name: input.name,
      description: input.description || null,
      ...backends.configure(id, input.backend ?? { type: 'filesystem' }),
      createdAt: t,
      updatedAt: t,
    };
    store.transaction(() => {
      if (store.nameTaken(input.workspaceId, input.name)) throw conflict(`a datastore named "${input.name}" already exists in this workspace`, 'name');
      store.insertDatastore(d);
      audit.record({
        workspaceId: input.workspaceId,
        action: 'datastore.created',
        actor,
        target: { type: 'datastore', id, name: input.name },
        details: { backend: d.backendType },
      });
    });
    if (d.backendType === 'filesystem') {
      // Opening lays out its folder now, so a folder that cannot be used fails the create, not the first upload.
      try {
        backends.backendFor(d);
      } catch (e) {
        store.deleteDatastore(id);
        throw describeBackendError(e, d);
      }
    }
    changed(d);
    return toDatastore(d);
  }

  function list(actor: Actor, q: { workspaceId: string; limit?: number; cursor?: string }) {
    access.assert(actor, q.workspaceId, 'datastore.list');
    const limit = q.limit ?? 100;
    const after = q.cursor === undefined ? '' : String(decodeCursor(q.cursor));
    const rows = store.listDatastores(q.workspaceId, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toDatastore), nextCursor: rows.length > limit && last ? encodeCursor(`${last.createdAt}|${last.id}`) : null };
  }

  function get(actor: Actor, workspaceId: string, id: string): Datastore {
    return toDatastore(guard.load(actor, workspaceId, id, 'datastore.list'));
  }

  async function remove(actor: Actor, workspaceId: string, id: string, force = false) {
    const d = guard.load(actor, workspaceId, id, 'datastore.delete');
    const locators = store.objectLocators(id);
    if (locators.length > 0 && !force) {
      throw conflict(`datastore "${d.name}" still holds ${locators.length} object(s); delete them first, or delete with force to remove them too`);
    }
    const backend = locators.length > 0 ? backends.backendFor(d) : backends.opened(id);
    store.transaction(() => {
      store.deleteDatastore(id);
      audit.record({
        workspaceId,
        action: 'datastore.deleted',
        actor,
        target: { type: 'datastore', id, name: d.name },
        details: { objectsDeleted: locators.length, forced: force },
      });
    });
    // The rows are gone, so the bytes are unreachable; removing them is cleanup (a crash here is swept later).
    for (const l of locators) await backend?.remove(l).catch(() => undefined);
    backends.forget(id);
    backends.housekeeping(d).dispose();
    changed(d);
    return { deleted: true as const, objectsDeleted: locators.length };
  }

  async function test(actor: Actor, workspaceId: string, id: string) {
    const d = guard.load(actor, workspaceId, id, 'datastore.object_write');
    const t0 = performance.now();
    try {
      await backends.backendFor(d).test();
      return { ok: true, message: 'the backend is reachable and writable', latencyMs: Math.round(performance.now() - t0) };
    } catch (e) {
      return { ok: false, message: describeBackendError(e, d).message, latencyMs: Math.round(performance.now() - t0) };
    }
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

  return { recover, create, list, get, remove, test, usage };
}
export type DatastoreCatalogService = ReturnType<typeof createDatastoreCatalogService>;
