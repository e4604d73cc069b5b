import type { ReactNode } from 'react';

export type MasterKeyMode = 'keychain' | 'passphrase';

/** Where a master key lives: two radio cards, `${testIdPrefix}-keychain` and `${testIdPrefix}-passphrase`. */
export function MasterKeyChoice(
  props: Readonly<{ name: string; ariaLabel: string; testIdPrefix: string; value: MasterKeyMode; onChange: (m: MasterKeyMode) => void; keychain: ReactNode; passphrase: ReactNode }>,
) {
  return (
    <div className="choice" role="radiogroup" aria-label={props.ariaLabel}>
      {(['keychain', 'passphrase'] as const).map((m) => (
        <label key={m}>
          <input type="radio" name={props.name} checked={props.value === m} onChange={() => props.onChange(m)} data-testid={`${props.testIdPrefix}-${m}`} />
          {props[m]}
        </label>
      ))}
    </div>
  );
}
