import type { ConnectionDetail } from '@shared/domain/connection';
import { useApp } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { ConfirmDialog } from '../../components/dialog';
import { useAction } from '../../components/use-action';

/** Delete a connection; references are listed, and deleting a referenced one needs "Delete anyway" (force). */
export function ConnectionDeleteDialog(props: Readonly<{ c: ConnectionDetail; onClose: () => void }>) {
  const { connections } = useApp();
  const { c } = props;
  const { busy, error, run } = useAction();
  const referenced = c.referencedBy.length > 0;
  return (
    <ConfirmDialog
      title={`Delete “${c.name}”?`}
      confirmLabel={referenced ? 'Delete anyway' : 'Delete'}
      busy={busy}
      onCancel={props.onClose}
      onConfirm={async () => {
        if (!(await run(() => connections.getState().remove(c.id, referenced)))) props.onClose();
      }}
      testId="connection-delete-dialog"
      confirmTestId="connection-delete-confirm"
      cancelTestId="connection-delete-cancel"
    >
      <p>The stored credential is destroyed. This cannot be undone.</p>
      {referenced ? (
        <div className="error-banner" data-testid="connection-delete-references">
          Deleting a connection does not remove references to it. These will fail with “connection not found”:
          <ul>
            {c.referencedBy.map((r) => (
              <li key={`${r.type}:${r.id}`}>
                {r.name ?? r.id} ({r.type})
              </li>
            ))}
          </ul>
          Update or remove those steps first, or delete anyway.
        </div>
      ) : (
        <p className="muted">No workflow step references it.</p>
      )}
      <ErrorBanner error={error} testId="connection-delete-error" />
    </ConfirmDialog>
  );
}
