import type { StoredDatastore } from '@core/datastores/datastore-store';

/** A datastore row as the catalog hands it to a service built by hand in a test (no backend config, no secret). */
export function storedDatastore(o: { id: string; workspaceId: string; name?: string; backendType: StoredDatastore['backendType'] }): StoredDatastore {
  return {
    id: o.id,
    workspaceId: o.workspaceId,
    name: o.name ?? o.id,
    description: null,
    backendType: o.backendType,
    backendConfig: '{}',
    sealedSecret: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
  };
}
