import './vault.css';
import type { ReactNode } from 'react';
import { useVault } from '../../app-context';

export type MasterKeyMode = 'keychain' | 'passphrase';

/**
 * Why the OS keychain cannot be chosen here, in plain words, or null when it can (or the core has not asked it yet).
 * The core asks the keychain on every status read before setup (vault:status), so a started keyring shows on reload.
 */
export function useKeychainUnavailable(): string | null {
  const check = useVault((s) => s.status?.keychain);
  return check && !check.available ? (check.reason ?? 'The OS keychain did not answer.') : null;
}

/** What to pre-select: the keychain where it works, else the passphrase. */
export function preferredMode(keychainUnavailable: string | null): MasterKeyMode {
  return keychainUnavailable ? 'passphrase' : 'keychain';
}

/**
 * Where a master key lives: two radio cards, `${testIdPrefix}-keychain` and `${testIdPrefix}-passphrase`.
 * `keychainUnavailable`: the keychain card is disabled and says why (`${testIdPrefix}-keychain-reason`).
 */
export function MasterKeyChoice(
  props: Readonly<{
    name: string;
    ariaLabel: string;
    testIdPrefix: string;
    value: MasterKeyMode;
    onChange: (m: MasterKeyMode) => void;
    keychain: ReactNode;
    passphrase: ReactNode;
    keychainUnavailable?: string | null;
  }>,
) {
  const reasonId = `${props.testIdPrefix}-keychain-reason`;
  return (
    <div className="choice" role="radiogroup" aria-label={props.ariaLabel}>
      {(['keychain', 'passphrase'] as const).map((m) => {
        const off = m === 'keychain' && Boolean(props.keychainUnavailable);
        return (
          <label key={m} className={off ? 'unavailable' : undefined}>
            <input
              type="radio"
              name={props.name}
              checked={props.value === m}
              disabled={off}
              aria-describedby={off ? reasonId : undefined}
              onChange={() => props.onChange(m)}
              data-testid={`${props.testIdPrefix}-${m}`}
            />
            <span>
              {props[m]}
              {off && (
                <>
                  <br />
                  <span className="unavailable-reason" id={reasonId} data-testid={reasonId}>
                    Not available here: {props.keychainUnavailable}
                  </span>
                </>
              )}
            </span>
          </label>
        );
      })}
    </div>
  );
}
