import type { IpcError } from '@shared/ipc/result';
import { PASSPHRASE_MIN_LENGTH } from '@shared/domain/vault.catalog';

/** A new passphrase typed twice: `${idPrefix}-passphrase` and `${idPrefix}-passphrase-confirm`. */
export function NewPassphraseFields(props: Readonly<{ value: [string, string]; onChange: (v: [string, string]) => void; idPrefix: string; label?: string }>) {
  const [a, b] = props.value;
  return (
    <>
      <label>
        {props.label ?? 'Passphrase'} (at least {PASSPHRASE_MIN_LENGTH} characters)
        <input type="password" autoComplete="new-password" data-testid={`${props.idPrefix}-passphrase`} value={a} onChange={(e) => props.onChange([e.target.value, b])} />
      </label>
      <label>
        Type it again
        <input type="password" autoComplete="new-password" data-testid={`${props.idPrefix}-passphrase-confirm`} value={b} onChange={(e) => props.onChange([a, e.target.value])} />
      </label>
    </>
  );
}

/** The error for two typings that differ (checked here: the core only ever sees one). */
export function passphraseMismatch(value: [string, string], field: string): IpcError | null {
  return value[0] === value[1] ? null : { code: 'INVALID_INPUT', message: 'the two passphrases differ: type the same passphrase twice', field };
}
