import { useState } from 'react';
import { useApp } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { FormDialog } from '../../components/form';
import { FormActions } from '../../components/form-actions';
import { useAction } from '../../components/use-action';

/** New workflow: a name and a description; it starts with one transform step, to be edited in the editor. */
export function WorkflowCreateDialog(props: Readonly<{ onClose: () => void }>) {
  const { workflows } = useApp();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const { busy, error, run } = useAction();
  const submit = async () => {
    if (!(await run(() => workflows.getState().create({ name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) })))) props.onClose();
  };
  return (
    <FormDialog title="New workflow" testId="workflow-create-dialog" onClose={props.onClose} onSubmit={submit}>
      <label>
        Name
        <input data-testid="workflow-name-input" value={name} onChange={(e) => setName(e.target.value)} autoFocus placeholder="e.g. nightly-report" />
      </label>
      <label>
        Description (optional)
        <input data-testid="workflow-description-input" value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <ErrorBanner error={error} testId="workflow-create-error" />
      <FormActions submitLabel="Create" busyLabel="Creating…" busy={busy} disabled={!name.trim()} submitTestId="workflow-create-submit" onCancel={props.onClose} />
    </FormDialog>
  );
}
