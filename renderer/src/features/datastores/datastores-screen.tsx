import { useEffect, useState } from 'react';
import type { Datastore } from '@shared/domain/datastore';
import { useApp, useDatastores, useSession } from '../../app-context';
import { useCan } from '../../access';
import { EmptyState, ErrorBanner, Screen } from '../../components/ui';
import { formatBytes } from '../../components/format';
import { DatastoreCreateDialog } from './datastore-create-dialog';
import { DatastoreDeleteDialog } from './datastore-delete-dialog';
import { DatastoreReattachDialog } from './datastore-reattach-dialog';
import { ObjectBrowser } from './object-browser';
import { UsedByList } from '../workflows/used-by-list';
import { InlineUnlock, useVaultLocked } from '../vault/inline-unlock';
import { useRovingList } from '../../components/use-roving-list';

/** Datastores: list / create / delete, and the object browser of the selected one with drag-and-drop uploads. */
export function DatastoresScreen() {
  const { datastores: store } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const can = useCan();
  const { datastores, usage, status, error, notice, selectedId, usedBy } = useDatastores((s) => s);
  const [creating, setCreating] = useState(false);
  // Every datastore gets a data key from the vault (and S3 its secret key): creating one needs it unlocked.
  const locked = useVaultLocked();
  const listRef = useRovingList<HTMLDivElement>('.ds-item');
  const [deleting, setDeleting] = useState<Datastore | null>(null);
  const [reattaching, setReattaching] = useState<Datastore | null>(null);
  // Hidden, not just refused: the core checks every call anyway, from the same POLICY table.
  const canWrite = can('datastore.object_write');
  const canCreate = can('datastore.create');

  useEffect(() => {
    if (!workspaceId) return;
    void store.getState().load(workspaceId);
    return store.getState().listen(workspaceId);
  }, [workspaceId, store]);

  const selected = datastores.find((d) => d.id === selectedId);
  return (
    <Screen
      testId="screen-datastores"
      title="Datastores"
      subtitle={
        usage
          ? `${usage.objectCount} object${usage.objectCount === 1 ? '' : 's'} · ${formatBytes(usage.bytesUsed)} used in this workspace`
          : 'Object stores on this machine or in S3.'
      }
      primary={canCreate && { label: 'New datastore', testId: 'datastore-new', onClick: () => setCreating(true), disabled: locked, aside: <InlineUnlock testId="datastore-new-unlock" /> }}
    >
      <ErrorBanner error={error} />
      {notice && (
        <p className="danger-text" data-testid="datastores-notice">
          {notice}
        </p>
      )}
      {status === 'ready' && datastores.length === 0 ? (
        <EmptyState title="No datastores yet" testId="datastores-empty">
          Create one with “New datastore”: files you drop on it are encrypted at rest in a folder on this machine, or kept in an S3 bucket.
        </EmptyState>
      ) : (
        <div className="ds-layout">
          <div className="ds-list" data-testid="datastore-list" ref={listRef}>
            {datastores.map((d) => (
              <button key={d.id} className={d.id === selectedId ? 'ds-item active' : 'ds-item'} data-testid="datastore-item" onClick={() => store.getState().select(d.id)}>
                <strong>{d.name}</strong>
                <span className="muted">
                  {d.backend.type === 's3' ? `S3 · ${d.backend.bucket}` : 'This machine (encrypted)'} · {d.objectCount} objects · {formatBytes(d.bytesUsed)}
                </span>
              </button>
            ))}
          </div>
          {selected ? (
            <div>
              <ObjectBrowser
                key={selected.id}
                ds={selected}
                canWrite={canWrite}
                onDelete={can('datastore.delete') ? () => setDeleting(selected) : undefined}
                onReattach={can('datastore.manage_folder') ? () => setReattaching(selected) : undefined}
              />
              {usedBy?.datastoreId === selected.id && (
                <section className="card ds-used-by" aria-label="Used by">
                  <h3>Used by</h3>
                  {usedBy.referrers.length === 0 ? (
                    <p className="muted" data-testid="datastore-references-none">
                      No workflow step uses this datastore.
                    </p>
                  ) : (
                    <UsedByList referrers={usedBy.referrers} testId="datastore-references" />
                  )}
                </section>
              )}
            </div>
          ) : (
            <EmptyState title="Pick a datastore">Choose a datastore on the left to browse its objects and drop files on it.</EmptyState>
          )}
        </div>
      )}
      {creating && !locked && <DatastoreCreateDialog onClose={() => setCreating(false)} />}
      {deleting && <DatastoreDeleteDialog ds={deleting} onClose={() => setDeleting(null)} />}
      {reattaching && <DatastoreReattachDialog ds={reattaching} onClose={() => setReattaching(null)} />}
    </Screen>
  );
}
