import type { Actor } from '@shared/domain/actor';
import type { AccessService } from '../access/access-service';
import type { Operation } from '../access/policy';
import { forbidden, notFound } from '../errors';
import type { DatastoreStore, StoredDatastore } from './datastore-store';

export type DatastoreGuard = ReturnType<typeof createDatastoreGuard>;

/**
 * The access check every datastore service method starts with (handlers never check: every transport reaches the
 * same services). What must stay true: the POLICY check runs before anything is read, and a datastore of another
 * workspace is refused even when the actor may do `op` in the workspace they named.
 */
export function createDatastoreGuard(deps: { store: Pick<DatastoreStore, 'findDatastore'>; access: Pick<AccessService, 'assert'> }) {
  return {
    /** The datastore, if the actor may do `op` in the workspace and the datastore is in it. */
    load(actor: Actor, workspaceId: string, datastoreId: string, op: Operation): StoredDatastore {
      deps.access.assert(actor, workspaceId, op);
      const d = deps.store.findDatastore(datastoreId);
      if (!d) throw notFound('datastore');
      // The docs' troubleshooting: a datastore of another workspace is a 403, not a 404.
      if (d.workspaceId !== workspaceId) throw forbidden('this datastore belongs to another workspace; check the datastore id and x-workspace-id');
      return d;
    },
  };
}
