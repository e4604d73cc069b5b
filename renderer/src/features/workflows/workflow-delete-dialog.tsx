import { useState } from 'react';
import { useApp } from '../../app-context';
import { ConfirmDialog } from '../../components/dialog';
import { ErrorBanner } from '../../components/ui';
import { useAction } from '../../components/use-action';

/** Delete a workflow (admins): its versions and runs go with it, so its name must be typed again first. */
export function WorkflowDeleteDialog(props: Readonly<{ id: string; name: string; onClose: () => void }>) {
  const { workflows } = useApp();
  const [typed, setTyped] = useState('');
  const { busy, error, run } = useAction();
  return (
    <ConfirmDialog
      wide
      title={`Delete workflow “${props.name}”?`}
      confirmLabel="Delete"
      busy={busy}
      disabled={typed !== props.name}
      onCancel={props.onClose}
      onConfirm={async () => {
        if (!(await run(() => workflows.getState().remove(props.id)))) props.onClose();
      }}
      testId="workflow-delete-dialog"
      confirmTestId="workflow-delete-confirm"
    >
      <div className="stack">
        <p className="danger-text">Its versions and run history are deleted too; its schedule stops. This cannot be undone.</p>
        <label>
          Type the workflow's name to confirm
          <input data-testid="workflow-delete-name" value={typed} onChange={(e) => setTyped(e.target.value)} />
        </label>
      </div>
      <ErrorBanner error={error} testId="workflow-delete-error" />
    </ConfirmDialog>
  );
}
