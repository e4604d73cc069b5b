import { Dialog } from 'radix-ui';
import { useState, type ReactNode } from 'react';

/**
 * The app's one modal, on Radix Dialog: focus trap, inert background (aria-hidden siblings), Escape, and focus back to
 * the control that had it when the dialog opened. Radix returns focus to its Trigger, and callers render none (they
 * open the dialog from their own buttons, menus or shortcuts), so the Modal remembers document.activeElement when it
 * first renders and focuses it again on close, if it is still on the page. It is open while it is mounted, so callers render it
 * conditionally and keep "is it open" in their own state; Escape and the Cancel buttons call onClose, and React
 * unmounts it. A click outside does nothing (as the native <dialog> it replaces): a half-filled form is not lost to a
 * stray click.
 */
export function Modal(
  props: Readonly<{ title: string; children: ReactNode; onClose: () => void; testId?: string; actions?: ReactNode; wide?: boolean }>,
) {
  const [opener] = useState(() => (document.activeElement instanceof HTMLElement ? document.activeElement : null));
  return (
    <Dialog.Root open onOpenChange={(open) => !open && props.onClose()}>
      <Dialog.Portal>
        <Dialog.Overlay className="modal-overlay" />
        <Dialog.Content
          className={props.wide ? 'modal wide' : 'modal'}
          data-testid={props.testId ?? 'modal'}
          // No single description element: the body is the dialog's content (forms, lists), read in order.
          aria-describedby={undefined}
          onInteractOutside={(e) => e.preventDefault()}
          onCloseAutoFocus={(e) => {
            e.preventDefault();
            if (opener?.isConnected) opener.focus();
          }}
        >
          <Dialog.Title>{props.title}</Dialog.Title>
          {props.children}
          {props.actions && <div className="modal-actions">{props.actions}</div>}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
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
