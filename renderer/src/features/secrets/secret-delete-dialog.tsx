import { useState } from 'react';
import type { SecretDetail } from '@shared/domain/secret';
import { useApp } from '../../app-context';
import { ConfirmDialog } from '../../components/dialog';
import { useAction } from '../../components/use-action';
import { SecretProblem } from './secret-problem';
import { SecretReferences } from './secret-references';

/** Delete a secret and all its versions; one still referenced needs "Delete anyway" (force clears the references). */
export function SecretDeleteDialog({ detail, onClose }: Readonly<{ detail: SecretDetail; onClose: () => void }>) {
  const { secrets } = useApp();
  const [force, setForce] = useState(false);
  const { busy, error, run } = useAction();
  const refs = detail.references;
  return (
    <ConfirmDialog
      title={`Delete “${detail.secret.name}”?`}
      confirmLabel="Delete secret"
      busy={busy}
      disabled={refs.length > 0 && !force}
      onCancel={onClose}
      onConfirm={async () => {
        if (!(await run(() => secrets.getState().remove(detail.secret.id, force)))) onClose();
      }}
      testId="secret-delete-dialog"
      confirmTestId="secret-delete-confirm"
    >
      <p>All {detail.versions.length} kept version(s) are destroyed. This cannot be undone.</p>
      {refs.length > 0 && (
        <>
          <p>
            <strong>Still in use by:</strong>
          </p>
          <SecretReferences references={refs} testId="secret-delete-references" />
          <label>
            <input type="checkbox" data-testid="secret-delete-force" checked={force} onChange={(e) => setForce(e.target.checked)} /> Delete anyway and clear these
            references (they will stop working)
          </label>
        </>
      )}
      <SecretProblem error={error} testId="secret-delete-error" />
    </ConfirmDialog>
  );
}
