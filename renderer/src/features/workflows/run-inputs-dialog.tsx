import { useState } from 'react';
import { FormDialog } from '../../components/form';
import { FormActions } from '../../components/form-actions';
import { ErrorBanner } from '../../components/ui';
import { useAction } from '../../components/use-action';
import type { IpcError } from '@shared/ipc/result';

type InputValue = string | number | boolean | null;

/** Run with inputs: one field per input the definition declares, filled with its default; typed like the default. */
export function RunInputsDialog(
  props: Readonly<{ declared: Record<string, InputValue>; onRun: (inputs: Record<string, InputValue>) => Promise<IpcError | null>; onClose: () => void }>,
) {
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(Object.entries(props.declared).map(([k, v]) => [k, v === null ? '' : String(v)])),
  );
  const { busy, error, run } = useAction();
  const typed = (): Record<string, InputValue> =>
    Object.fromEntries(
      Object.entries(values).map(([k, v]) => {
        const d = props.declared[k];
        if (typeof d === 'number' && v.trim() !== '' && Number.isFinite(Number(v))) return [k, Number(v)];
        if (typeof d === 'boolean') return [k, v === 'true'];
        return [k, v === '' && d === null ? null : v];
      }),
    );
  return (
    <FormDialog
      title="Run with inputs"
      testId="run-inputs-dialog"
      onClose={props.onClose}
      onSubmit={async () => {
        if (!(await run(() => props.onRun(typed())))) props.onClose();
      }}
    >
      {Object.keys(props.declared).map((k) => (
        <label key={k}>
          <span className="mono">{k}</span>
          <input data-testid={`run-input-${k}`} value={values[k] ?? ''} onChange={(e) => setValues({ ...values, [k]: e.target.value })} />
        </label>
      ))}
      <ErrorBanner error={error} testId="run-inputs-error" />
      <FormActions submitLabel="Run" busyLabel="Starting…" busy={busy} submitTestId="run-inputs-submit" onCancel={props.onClose} />
    </FormDialog>
  );
}
