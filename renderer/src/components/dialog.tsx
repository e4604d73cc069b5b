import { useEffect, useRef, type ReactNode } from 'react';

/**
 * The app's one modal, on the native <dialog> element: showModal() gives the focus trap, the inert background and
 * Escape for free. It is open while it is mounted, so callers render it conditionally and keep "is it open" in
 * their own state; Escape and the Cancel buttons call onClose, and React unmounts it.
 */
export function Modal(
  props: Readonly<{ title: string; children: ReactNode; onClose: () => void; testId?: string; actions?: ReactNode; wide?: boolean }>,
) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => d?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className={props.wide ? 'modal wide' : 'modal'}
      data-testid={props.testId ?? 'modal'}
      aria-label={props.title}
      // The browser would close the element itself; the caller's state decides instead.
      onCancel={(e) => {
        e.preventDefault();
        props.onClose();
      }}
    >
      <h2>{props.title}</h2>
      {props.children}
      {props.actions && <div className="modal-actions">{props.actions}</div>}
    </dialog>
  );
}

/**
 * A confirmation for destructive or irreversible actions: Cancel has the focus, the action says what it does.
 * `disabled` holds the action back until the dialog's own check passes (e.g. the name typed again).
 */
export function ConfirmDialog(
  props: Readonly<{
    title: string;
    children: ReactNode;
    confirmLabel: string;
    danger?: boolean;
    busy?: boolean;
    disabled?: boolean;
    wide?: boolean;
    onConfirm: () => void;
    onCancel: () => void;
    testId?: string;
    confirmTestId?: string;
    cancelTestId?: string;
  }>,
) {
  return (
    <Modal
      title={props.title}
      onClose={props.onCancel}
      wide={props.wide}
      testId={props.testId ?? 'confirm-dialog'}
      actions={
        <>
          <button type="button" className="secondary" data-testid={props.cancelTestId ?? 'confirm-cancel'} onClick={props.onCancel} disabled={props.busy} autoFocus>
            Cancel
          </button>
          <button
            type="button"
            className={props.danger === false ? undefined : 'danger'}
            data-testid={props.confirmTestId ?? 'confirm-ok'}
            onClick={props.onConfirm}
            disabled={props.busy || props.disabled}
          >
            {props.confirmLabel}
          </button>
        </>
      }
    >
      <div>{props.children}</div>
    </Modal>
  );
}
