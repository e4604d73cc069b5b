import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuditService } from '../audit/audit-service';
import type { Clock } from '../ports';
import type { BackendRegistry } from './backend-registry';
import type { DatastoreStore, StoredDatastore } from './datastore-store';
import { createMeter } from './object-meter';

/**
 * Objects written to S3 behind the app's back, through a pre-signed PUT URL it handed out: the next listing or
 * lookup of the datastore finds them and writes their rows (hashing each once, so every row carries a SHA-256),
 * audited as uploads by whoever asked for the URL. Grants that expired unused are dropped.
 *
 * What must stay true: an upload is applied once. Listings that overlap join one sync of the datastore, and a
 * pending row is claimed (deleted) in the transaction that writes the object's row, so a second applier finds it
 * gone and writes nothing. (A pre-signed PUT goes straight to S3, so a replay of the URL before it expires cannot be
 * refused: those URLs live at most an hour; see upload-grant-service.ts.)
 */
export function createPendingUploadSync(deps: {
  store: Pick<DatastoreStore, 'transaction' | 'pendingUploads' | 'deletePendingUpload' | 'claimPendingUpload' | 'findObject' | 'upsertObject'>;
  backends: Pick<BackendRegistry, 'backendFor'>;
  audit: Pick<AuditService, 'record'>;
  clock: Clock;
}) {
  const { store, audit } = deps;
  const now = () => deps.clock.now().toISOString();

  const running = new Map<string, Promise<void>>();

  return function syncPending(d: StoredDatastore): Promise<void> {
    if (d.backendType !== 's3') return Promise.resolve();
    let run = running.get(d.id);
    if (!run) {
      run = sync(d).finally(() => running.delete(d.id));
      running.set(d.id, run);
    }
    return run;
  };

  async function sync(d: StoredDatastore): Promise<void> {
    const pending = store.pendingUploads(d.id);
    if (pending.length === 0) return;
    const backend = await deps.backends.backendFor(d);
    for (const p of pending) {
      const found = await backend.head!(p.key).catch(() => null);
      if (!found) {
        if (p.expiresAt < now()) store.deletePendingUpload(d.id, p.key);
        continue;
      }
      const meter = createMeter({});
      await pipeline(await backend.get(backend.locatorFor!(p.key)), meter.stream, devNull());
      const t = now();
      store.transaction(() => {
        if (!store.claimPendingUpload(d.id, p.key)) return;
        const existing = store.findObject(d.id, p.key);
        store.upsertObject({
          datastoreId: d.id,
          workspaceId: d.workspaceId,
          key: p.key,
          locator: backend.locatorFor!(p.key),
          size: meter.bytes(),
          contentType: found.contentType ?? p.contentType,
          sha256: meter.sha256(),
          uploadedBy: p.createdBy,
          createdAt: existing?.createdAt ?? t,
          updatedAt: t,
        });
        audit.record({
          workspaceId: d.workspaceId,
          action: 'datastore.object_uploaded',
          actor: { kind: 'system', id: 'system', name: 'ProvenanceOne', origin: 'presigned-url' },
          target: { type: 'datastore', id: d.id, name: d.name },
          details: { objectKey: p.key, size: meter.bytes(), sha256: meter.sha256(), via: 'presigned-url', uploadedBy: p.createdBy },
        });
      });
    }
  }
}

function devNull(): Writable {
  return new Writable({ write: (_c, _e, cb) => cb() });
}
