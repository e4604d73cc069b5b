import { useState } from 'react';
import type { Datastore } from '@shared/domain/datastore';
import { useApp } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { ConfirmDialog } from '../../components/dialog';
import { formatBytes } from '../../components/format';
import { useAction } from '../../components/use-action';

/** Delete a datastore; a non-empty one takes its objects with it, so its name must be typed again first. */
export function DatastoreDeleteDialog(props: Readonly<{ ds: Datastore; onClose: () => void }>) {
  const { datastores: store } = useApp();
  const [confirmText, setConfirmText] = useState('');
  const { busy, error, run } = useAction();
  const nonEmpty = props.ds.objectCount > 0;
  return (
    <ConfirmDialog
      wide
      title={`Delete datastore “${props.ds.name}”?`}
      confirmLabel="Delete"
      busy={busy}
      disabled={nonEmpty && confirmText !== props.ds.name}
      onCancel={props.onClose}
      onConfirm={async () => {
        if (!(await run(() => store.getState().remove(props.ds.id, nonEmpty)))) props.onClose();
      }}
      testId="datastore-delete-dialog"
      confirmTestId="datastore-delete-confirm"
    >
      {nonEmpty ? (
        <div className="stack">
          <p className="danger-text">
            It still holds {props.ds.objectCount} object(s), {formatBytes(props.ds.bytesUsed)}. They will be deleted too, and this cannot be undone.
          </p>
          <label>
            Type the datastore's name to confirm
            <input data-testid="datastore-delete-name" value={confirmText} onChange={(e) => setConfirmText(e.target.value)} />
          </label>
        </div>
      ) : (
        <p>The datastore is empty. Workflows that use it will fail until they point at another one.</p>
      )}
      <ErrorBanner error={error} />
    </ConfirmDialog>
  );
}
