import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import type { Db } from '../db/database';
import type { EventBus } from '../events/event-bus';
import type { Clock, Logger } from '../ports';
import type { VaultPort } from '../vault/vault-port';
import { createBackendRegistry, type S3Tuning } from './backend-registry';
import { createDatastoreCatalogService } from './datastore-catalog-service';
import { createDatastoreGuard } from './datastore-guard';
import { createDatastoreObjectService } from './datastore-object-service';
import { createDatastoreStore } from './datastore-store';
import { createPendingUploadSync } from './pending-upload-sync';
import { createSaveAsService, type SavePathChooser } from './save-as-service';
import { createStorageStepService } from './storage-step-service';
import { createUploadGrantService } from './upload-grant-service';

export type DatastoreServicesDeps = {
  db: Db;
  clock: Clock;
  logger: Logger;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'assert'>;
  bus: EventBus;
  vault: VaultPort;
  dataDir: string;
  s3?: S3Tuning;
  chooseSavePath?: SavePathChooser;
};

/**
 * Wires the datastores room: one store (its SQL), one backend registry (open backends, their housekeeping), and the
 * services by role. `core.datastores` is their methods side by side, so handlers, HTTP routes and tests call
 * one object; every method is one service's own (the access-gate test walks them all).
 */
export function createDatastoreServices(deps: DatastoreServicesDeps) {
  const { clock, logger, audit, access, bus, vault } = deps;
  const store = createDatastoreStore(deps.db);
  const guard = createDatastoreGuard({ store, access });
  const backends = createBackendRegistry({ vault, dataDir: deps.dataDir, s3: deps.s3 });
  const catalog = createDatastoreCatalogService({ store, guard, access, backends, audit, bus, clock, logger });
  const syncPending = createPendingUploadSync({ store, backends, audit, clock });
  const objects = createDatastoreObjectService({ store, guard, access, backends, syncPending, audit, bus, clock, logger });
  const uploadGrants = createUploadGrantService({ store, guard, backends, objects, vault, audit, clock });
  const storageStep = createStorageStepService({ objects });
  const saveAs = createSaveAsService({ objects, chooseSavePath: deps.chooseSavePath });

  return {
    ...catalog,
    ...objects,
    ...uploadGrants,
    ...storageStep,
    ...saveAs,
    /** Running uploads are aborted and every open backend closed. */
    close(): void {
      objects.close();
      backends.closeAll();
    },
  };
}
export type DatastoreServices = ReturnType<typeof createDatastoreServices>;
