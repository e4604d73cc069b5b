import type { ProviderField } from '@shared/domain/connection.catalog';
import { SelectInput } from './select-input';

export const WRITE_ONLY_NOTE = 'Stored encrypted in the vault; it can be replaced but never shown again.';

/**
 * One labelled input for a catalog field (shared/domain/connection.catalog ProviderField): settings, the credential
 * and the credential fields alike. The format picks the control: enum → select, pem → textarea, secret → password
 * input (write-only: never prefilled, never autocompleted), anything else → text input.
 */
export function FieldInput(
  props: Readonly<{
    field: ProviderField;
    value: string;
    onChange: (v: string) => void;
    error?: string;
    testId: string;
    errorTestId: string;
    /** Replaces the field's help (e.g. "one is stored: leave empty to keep it"). */
    note?: string;
  }>,
) {
  const { field, value, onChange, error } = props;
  const writeOnly = field.format === 'secret' || field.format === 'pem';
  const note = props.note ?? field.help ?? (writeOnly ? WRITE_ONLY_NOTE : undefined);
  let control;
  if (field.format === 'enum') {
    control = field.required ? (
      <SelectInput testId={props.testId} options={field.options ?? []} value={value} onChange={onChange} />
    ) : (
      <SelectInput testId={props.testId} options={field.options ?? []} emptyLabel="Default" value={value || undefined} onChange={(v) => onChange(v ?? '')} />
    );
  } else if (field.format === 'pem') {
    control = <textarea data-testid={props.testId} rows={6} value={value} onChange={(e) => onChange(e.target.value)} spellCheck={false} autoComplete="off" aria-invalid={!!error} />;
  } else {
    control = (
      <input
        data-testid={props.testId}
        type={field.format === 'secret' ? 'password' : 'text'}
        value={value}
        placeholder={field.placeholder}
        onChange={(e) => onChange(e.target.value)}
        autoComplete={writeOnly ? 'off' : undefined}
        aria-invalid={!!error}
      />
    );
  }
  return (
    <label className="field">
      <span>
        {field.label}
        {field.required ? ' *' : ''}
      </span>
      {control}
      {note && <small className="muted">{note}</small>}
      {error && (
        <small className="field-error" data-testid={props.errorTestId}>
          {error}
        </small>
      )}
    </label>
  );
}
