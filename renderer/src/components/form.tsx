import type { ReactNode } from 'react';
import { Modal } from './dialog';

/**
 * The app's form: submitting (the submit button or Enter) runs `onSubmit` instead of the browser's navigation, and
 * `onSubmit` shows its own errors (store actions return them, never throw). A column of labelled fields unless
 * `className` says otherwise (inline, filters).
 */
export function Form(props: Readonly<{ onSubmit: () => unknown; testId?: string; className?: string; children: ReactNode }>) {
  return (
    <form
      className={props.className ?? 'stack'}
      data-testid={props.testId}
      onSubmit={(e) => {
        e.preventDefault();
        void props.onSubmit();
      }}
    >
      {props.children}
    </form>
  );
}

/** A modal whose body is one form (close with Escape or the form's Cancel). */
export function FormDialog(
  props: Readonly<{ title: string; testId: string; wide?: boolean; onClose: () => void; onSubmit: () => unknown; intro?: ReactNode; formClassName?: string; children: ReactNode }>,
) {
  return (
    <Modal title={props.title} onClose={props.onClose} testId={props.testId} wide={props.wide}>
      {props.intro}
      <Form onSubmit={props.onSubmit} className={props.formClassName}>
        {props.children}
      </Form>
    </Modal>
  );
}
