import { useState } from 'react';
import type { Datastore } from '@shared/domain/datastore';
import { useApp } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { ConfirmDialog } from '../../components/dialog';
import { useAction } from '../../components/use-action';

/**
 * Re-attach a datastore's folder (admin): after a restore, a move of the disk or a lost mark, the folder is marked as
 * this datastore's again and the datastore works as before. The app cannot tell a restored folder from someone
 * else's, so the admin types the datastore's name to say they checked.
 */
export function DatastoreReattachDialog(props: Readonly<{ ds: Datastore; onClose: () => void }>) {
  const { datastores: store } = useApp();
  const [confirmText, setConfirmText] = useState('');
  const { busy, error, run } = useAction();
  const folder = props.ds.backend.type === 'filesystem' ? props.ds.backend.path : '';
  return (
    <ConfirmDialog
      wide
      title={`Re-attach the folder of “${props.ds.name}”?`}
      confirmLabel="Re-attach folder"
      busy={busy}
      disabled={confirmText !== props.ds.name}
      onCancel={props.onClose}
      onConfirm={async () => {
        if (!(await run(() => store.getState().reattach(props.ds.id)))) props.onClose();
      }}
      testId="datastore-reattach-dialog"
      confirmTestId="datastore-reattach-confirm"
    >
      <div className="stack">
        <p>
          <span className="mono">{folder}</span> will be marked as this datastore's folder. Do this only for the folder that really holds this datastore's
          objects (restored from a backup, or its disk mounted again): files left there that no object points at are removed at the next start.
        </p>
        <label>
          Type the datastore's name to confirm
          <input data-testid="datastore-reattach-name" value={confirmText} onChange={(e) => setConfirmText(e.target.value)} />
        </label>
      </div>
      <ErrorBanner error={error} />
    </ConfirmDialog>
  );
}
