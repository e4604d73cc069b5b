import { useState } from 'react';
import { useApp } from '../../app-context';
import { SecretValueDialog } from './secret-value-dialog';

/** New secret: name, optional description, the value (typed, JSON or generated), an optional rotation schedule. */
export function SecretCreateDialog({ onClose }: Readonly<{ onClose: () => void }>) {
  const { secrets } = useApp();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [everyDays, setEveryDays] = useState('');
  return (
    <SecretValueDialog
      title="New secret"
      testId="secret-create-dialog"
      allowGenerate
      submitLabel="Create secret"
      busyLabel="Encrypting…"
      submitTestId="secret-create-submit"
      errorTestId="secret-create-error"
      onClose={onClose}
      submit={(entered) => {
        const days = everyDays.trim() ? Number(everyDays) : undefined;
        return secrets.getState().create({
          name,
          ...(description ? { description } : {}),
          ...(entered.value !== undefined ? { value: entered.value } : { generate: entered.generate }),
          ...(days !== undefined ? { rotation: { everyDays: days } } : {}),
        });
      }}
      before={
        <>
          <label>
            Name
            <input data-testid="secret-name-input" value={name} onChange={(e) => setName(e.target.value)} autoFocus placeholder="e.g. stripe-live-key" />
          </label>
          <label>
            Description (optional)
            <input data-testid="secret-description-input" value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
        </>
      }
      after={
        <label>
          Rotate every N days (optional)
          <input type="number" min={1} data-testid="secret-rotation-input" value={everyDays} onChange={(e) => setEveryDays(e.target.value)} placeholder="no schedule" />
        </label>
      }
    />
  );
}
