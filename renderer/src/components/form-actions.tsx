import type { ReactNode } from 'react';

/**
 * The footer of every form and form dialog, in the app's one button order (as ConfirmDialog): Cancel first, any extra
 * actions, then the submit button last (its label says what happens, and what is happening while busy). Cancel is
 * type="button", so Enter in a field still submits.
 */
export function FormActions(
  props: Readonly<{
    submitLabel: string;
    busyLabel?: string;
    busy?: boolean;
    disabled?: boolean;
    submitTestId?: string;
    danger?: boolean;
    onCancel: () => void;
    cancelLabel?: string;
    cancelTestId?: string;
    children?: ReactNode;
  }>,
) {
  return (
    <div className="actions-row form-actions">
      <button type="button" className="secondary" data-testid={props.cancelTestId} onClick={props.onCancel}>
        {props.cancelLabel ?? 'Cancel'}
      </button>
      {props.children}
      <button type="submit" className={props.danger ? 'danger' : undefined} data-testid={props.submitTestId} disabled={props.busy || props.disabled}>
        {props.busy && props.busyLabel ? props.busyLabel : props.submitLabel}
      </button>
    </div>
  );
}
