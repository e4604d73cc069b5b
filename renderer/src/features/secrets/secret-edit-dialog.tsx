import { useState } from 'react';
import type { Secret } from '@shared/domain/secret';
import { useApp } from '../../app-context';
import { FormDialog } from '../../components/form';
import { FormActions } from '../../components/form-actions';
import { useAction } from '../../components/use-action';
import { SecretProblem } from './secret-problem';

/**
 * Edit a secret's name and description (metadata: the vault can stay locked). A rename keeps the id, so every
 * reference (connections, workflows) keeps working; a name another secret has is refused in place.
 */
export function SecretEditDialog({ secret, onClose }: Readonly<{ secret: Secret; onClose: () => void }>) {
  const { secrets } = useApp();
  const [name, setName] = useState(secret.name);
  const [description, setDescription] = useState(secret.description);
  const { busy, error, setError, run } = useAction();
  return (
    <FormDialog
      title={`Edit “${secret.name}”`}
      testId="secret-edit-dialog"
      onClose={onClose}
      intro={<p className="muted">Its id stays the same, so connections and workflows that use this secret keep working after a rename.</p>}
      onSubmit={async () => {
        setError(null);
        if (!name.trim()) return setError({ code: 'INVALID_INPUT', message: 'Give the secret a name.', field: 'name' });
        const changes = {
          ...(name.trim() !== secret.name ? { name: name.trim() } : {}),
          ...(description.trim() !== secret.description ? { description: description.trim() } : {}),
        };
        if (Object.keys(changes).length === 0) return onClose();
        if (!(await run(() => secrets.getState().update({ id: secret.id, ...changes })))) onClose();
      }}
    >
      <label>
        Name
        <input data-testid="secret-edit-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus aria-invalid={error?.field === 'name' || undefined} />
      </label>
      <label>
        Description (optional)
        <textarea rows={3} data-testid="secret-edit-description" value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <SecretProblem error={error} testId="secret-edit-error" />
      <FormActions submitLabel="Save" busyLabel="Saving…" busy={busy} submitTestId="secret-edit-submit" cancelTestId="secret-edit-cancel" onCancel={onClose} />
    </FormDialog>
  );
}
