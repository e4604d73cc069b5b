import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import type { Db } from '../db/database';
import type { EventBus } from '../events/event-bus';
import type { Clock, Logger } from '../ports';
import type { VaultPort } from '../vault/vault-port';
import { createBackendRegistry, type S3Tuning } from './backend-registry';
import { createDatastoreCatalogService } from './datastore-catalog-service';
import { createFolderGuard } from './datastore-folder-guard';
import { createDatastoreGuard } from './datastore-guard';
import { createDatastoreObjectService } from './datastore-object-service';
import { createDatastoreStore, type DatastoreStore } from './datastore-store';
import type { ReferenceIndex } from '../references/reference-index';
import { createPendingUploadSync } from './pending-upload-sync';
import { createResumableUploadService } from './resumable-upload-service';
import { createResumableUploadStore } from './resumable-upload-store';
import { createSaveAsService, type SavePathChooser } from './save-as-service';
import { createStorageStepService } from './storage-step-service';
import { createUploadGrantService } from './upload-grant-service';

export type DatastoreServicesDeps = {
  db: Db;
  /** The room's store when the composition root shares it (workflow definitions look datastore ids up); else built here. */
  store?: DatastoreStore;
  /** Who references a datastore (workflow steps): "Used by" on its detail, and delete needs force while any do. */
  references: Pick<ReferenceIndex, 'referencesTo' | 'clearTo'>;
  clock: Clock;
  logger: Logger;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'assert' | 'allowed'>;
  bus: EventBus;
  vault: VaultPort;
  dataDir: string;
  s3?: S3Tuning;
  chooseSavePath?: SavePathChooser;
  /** False in a guest process (the CLI's --data-dir mode): crash leftovers are left to the app (backend-registry.ts). */
  sweep?: boolean;
};

/**
 * Wires the datastores room: one store (its SQL), one backend registry (open backends, their housekeeping), the
 * folder guard, and the services by role. `core.datastores` is their methods side by side, so handlers, HTTP routes
 * and tests call one object; every method is one service's own (the access-gate test walks them all).
 *
 * Crash recovery runs when the vault is first unlocked (a folder is verified by its mark, whose key derives from the
 * datastore's data key), and before any backend of a datastore is handed out (backend-registry.ts).
 */
export function createDatastoreServices(deps: DatastoreServicesDeps) {
  const { clock, logger, audit, access, bus, vault } = deps;
  const store = deps.store ?? createDatastoreStore(deps.db);
  const guard = createDatastoreGuard({ store, access });
  const backends = createBackendRegistry({ vault, store, logger, s3: deps.s3, sweep: deps.sweep });
  const folders = createFolderGuard({
    dataDir: deps.dataDir,
    folders: () =>
      store.allDatastores().flatMap((d) => {
        const f = backends.folderOf(d);
        return f ? [{ id: d.id, path: f.path }] : [];
      }),
  });
  const catalog = createDatastoreCatalogService({ store, guard, folders, access, backends, audit, bus, clock, logger, references: deps.references });
  const syncPending = createPendingUploadSync({ store, backends, audit, clock });
  const objects = createDatastoreObjectService({ store, guard, access, backends, syncPending, audit, bus, clock, logger });
  const uploadGrants = createUploadGrantService({ store, guard, access, backends, objects, vault, audit, clock });
  const resumable = createResumableUploadService({ store: createResumableUploadStore(deps.db), datastores: store, guard, backends, objects, clock, logger });
  const storageStep = createStorageStepService({ objects });
  const saveAs = createSaveAsService({ objects, chooseSavePath: deps.chooseSavePath });
  const stopRecovering = bus.subscribe((event, payload) => {
    // Failures are per datastore (each shows its problem); a closing core's late errors are nobody's to handle.
    if (event === 'vault:changed' && (payload as { state: string }).state === 'unlocked') {
      catalog.recover().catch(() => undefined);
      // Interrupted uploads nobody came back for: their S3 parts are discarded (S3 bills them until then).
      resumable.sweepResumableUploads().catch(() => undefined);
    }
  });

  return {
    ...catalog,
    ...objects,
    ...uploadGrants,
    ...resumable,
    ...storageStep,
    ...saveAs,
    /** Running uploads are aborted and every open backend closed. */
    close(): void {
      stopRecovering();
      objects.close();
      backends.closeAll();
    },
  };
}
export type DatastoreServices = ReturnType<typeof createDatastoreServices>;
