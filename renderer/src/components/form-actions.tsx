import type { ReactNode } from 'react';

/**
 * The footer of every form and form dialog: the submit button (its label says what happens, and what is happening
 * while busy), any extra actions, then Cancel.
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
    <div className="actions-row">
      <button type="submit" className={props.danger ? 'danger' : undefined} data-testid={props.submitTestId} disabled={props.busy || props.disabled}>
        {props.busy && props.busyLabel ? props.busyLabel : props.submitLabel}
      </button>
      {props.children}
      <button type="button" className="secondary" data-testid={props.cancelTestId} onClick={props.onCancel}>
        {props.cancelLabel ?? 'Cancel'}
      </button>
    </div>
  );
}
