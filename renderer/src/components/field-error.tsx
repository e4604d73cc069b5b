import type { IpcError } from '@shared/ipc/result';

/**
 * Errors next to their fields. The API names the field in its sentence ("password: Use at least 12 characters.")
 * and in `field`; a form shows the sentence without the name under the field it belongs to, and only errors of no
 * field of the form in its banner, so no message shows twice.
 */

/** An error's sentence as a form shows it: without the API's "field: " prefix, starting with a capital, ending with a stop. */
export function plainMessage(error: IpcError): string {
  let m = error.message;
  if (error.field && m.startsWith(`${error.field}: `)) m = m.slice(error.field.length + 2);
  m = m.charAt(0).toUpperCase() + m.slice(1);
  return /[.!?]$/.test(m) ? m : `${m}.`;
}

/** The sentence for `field` when the error is about it, else null. */
export function errorFor(error: IpcError | null | undefined, field: string): string | null {
  return error && error.field === field ? plainMessage(error) : null;
}

/** The error for the banner: one about none of `fields` (those show next to their field), else null. */
export function bannerError(error: IpcError | null | undefined, fields: readonly string[]): IpcError | null {
  return error && !(error.field && fields.includes(error.field)) ? error : null;
}

/** A field's error under it, announced when it appears. */
export function FieldError(props: Readonly<{ message: string | null | undefined; testId: string; id?: string }>) {
  if (!props.message) return null;
  return (
    <small className="field-error" role="alert" id={props.id} data-testid={props.testId}>
      {props.message}
    </small>
  );
}
