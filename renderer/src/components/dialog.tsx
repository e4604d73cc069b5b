import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal dialog on the native <dialog> element (focus trap, Escape to cancel, inert background for free).
 * Destructive actions confirm through it.
 */
export function Modal(props: Readonly<{ open: boolean; title: string; onClose: () => void; children: ReactNode; testId?: string }>) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (props.open && !d.open) d.showModal();
    if (!props.open && d.open) d.close();
  }, [props.open]);
  return (
    <dialog ref={ref} className="modal" data-testid={props.testId} onClose={props.onClose} aria-label={props.title}>
      {props.open && (
        <>
          <h2>{props.title}</h2>
          {props.children}
        </>
      )}
    </dialog>
  );
}

export function ConfirmDialog(
  props: Readonly<{ open: boolean; title: string; children: ReactNode; confirmLabel: string; onConfirm: () => void; onCancel: () => void; testId?: string }>,
) {
  return (
    <Modal open={props.open} title={props.title} onClose={props.onCancel} testId={props.testId ?? 'confirm-dialog'}>
      <p>{props.children}</p>
      <div className="dialog-actions">
        <button type="button" className="secondary" data-testid="confirm-cancel" onClick={props.onCancel}>Cancel</button>
        <button type="button" className="danger" data-testid="confirm-ok" onClick={props.onConfirm}>{props.confirmLabel}</button>
      </div>
    </Modal>
  );
}
