import type { ReactNode } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { FormDialog } from '../../components/form';
import { FormActions } from '../../components/form-actions';
import { useAction } from '../../components/use-action';
import { SecretProblem } from './secret-problem';
import { useValueEditor, type EnteredValue, type ValueGenerator } from './secret-value-editor';

/**
 * A dialog that stores a new value (create, rotate): the value editor between the dialog's own fields, the value
 * checked before anything is sent, the store's error shown in place, closed on success.
 */
export function SecretValueDialog(
  props: Readonly<{
    title: string;
    testId: string;
    intro?: ReactNode;
    before?: ReactNode;
    after?: ReactNode;
    allowGenerate: boolean;
    /** A generated secret's rules: Generate is pre-selected and uses them (rotate). */
    fixedGenerator?: ValueGenerator;
    submitLabel: string;
    busyLabel: string;
    submitTestId: string;
    errorTestId: string;
    submit: (entered: EnteredValue) => Promise<IpcError | null>;
    onClose: () => void;
  }>,
) {
  const v = useValueEditor(props.allowGenerate, props.fixedGenerator);
  const { busy, error, setError, run } = useAction();
  return (
    <FormDialog
      title={props.title}
      testId={props.testId}
      intro={props.intro}
      onClose={props.onClose}
      onSubmit={async () => {
        const entered = v.value();
        if (entered.error) return setError({ code: 'INVALID_INPUT', message: entered.error, field: 'value' });
        if (!(await run(() => props.submit(entered)))) props.onClose();
      }}
    >
      {props.before}
      {v.editor}
      {props.after}
      <SecretProblem error={error} testId={props.errorTestId} />
      <FormActions submitLabel={props.submitLabel} busyLabel={props.busyLabel} busy={busy} submitTestId={props.submitTestId} onCancel={props.onClose} />
    </FormDialog>
  );
}
