import { useState } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useVault } from '../../app-context';
import { ErrorBanner, Screen } from '../../components/ui';
import { VaultBusy } from './vault-busy';
import { Form } from '../../components/form';

/** A locked vault: passphrase (or keychain retry). Metadata screens stay browsable without unlocking. */
export function VaultUnlockScreen() {
  const { vault } = useApp();
  const status = useVault((s) => s.status);
  const busy = useVault((s) => s.busy);
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const keychain = status?.mode === 'keychain';

  return (
    <Screen
      testId="vault-unlock-screen"
      gate
      title="The vault is locked"
      subtitle={keychain ? 'Its master key is in the OS keychain.' : 'Enter the vault passphrase to use secrets and credentials.'}
    >
      <div className="card">
        <Form
          onSubmit={async () => {
            setError(null);
            const err = await vault.getState().unlock(keychain ? undefined : passphrase);
            setError(err);
            setPassphrase('');
          }}
        >
          {!keychain && (
            <label>
              Vault passphrase
              <input type="password" autoComplete="current-password" autoFocus data-testid="vault-unlock-passphrase" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
            </label>
          )}
          <ErrorBanner error={error} testId="vault-unlock-error" />
          <VaultBusy />
          <div className="choice">
            <button type="submit" disabled={busy !== null} data-testid="vault-unlock-submit">
              {keychain ? 'Unlock from the OS keychain' : 'Unlock'}
            </button>
            <button type="button" className="secondary" onClick={() => vault.getState().browseWithoutUnlocking()} data-testid="vault-browse-locked">
              Browse without unlocking
            </button>
          </div>
        </Form>
      </div>
    </Screen>
  );
}
