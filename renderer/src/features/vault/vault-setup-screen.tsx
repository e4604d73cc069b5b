import { useState } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useVault } from '../../app-context';
import { ErrorBanner, Screen } from '../../components/ui';
import { NewPassphraseFields, passphraseMismatch } from './new-passphrase-fields';
import { MasterKeyChoice, type MasterKeyMode } from './master-key-choice';
import { RestoreBackupForm } from './restore-backup-form';
import { VaultBusy } from './vault-busy';
import { Form } from '../../components/form';

/** First run: the admin chooses where the master key lives (or restores a backup). */
export function VaultSetupScreen() {
  const { vault } = useApp();
  const busy = useVault((s) => s.busy);
  const [mode, setMode] = useState<MasterKeyMode>('keychain');
  const [pass, setPass] = useState<[string, string]>(['', '']);
  const [error, setError] = useState<IpcError | null>(null);
  const [restoring, setRestoring] = useState(false);

  return (
    <Screen testId="vault-setup-screen" gate title="Set up the vault" subtitle="Secrets and credentials are encrypted under a master key. Choose where it lives.">
      <div className="card">
        <Form
          onSubmit={async () => {
            const mismatch = mode === 'passphrase' ? passphraseMismatch(pass, 'passphrase') : null;
            if (mismatch) return setError(mismatch);
            const err = await vault.getState().initialize(mode === 'keychain' ? { mode } : { mode, passphrase: pass[0] });
            setError(err);
            // No reachable keychain (headless Linux, locked keyring): the passphrase is the way forward.
            if (err?.code === 'KEYCHAIN_UNAVAILABLE') setMode('passphrase');
          }}
        >
          <MasterKeyChoice
            name="vault-mode"
            ariaLabel="Master key"
            testIdPrefix="vault-setup-mode"
            value={mode}
            onChange={setMode}
            keychain={
              <span>
                <strong>OS keychain</strong> (recommended)
                <br />
                <span className="muted">Unlocks by itself when you log in to this computer.</span>
              </span>
            }
            passphrase={
              <span>
                <strong>Passphrase</strong>
                <br />
                <span className="muted">For machines without a keychain. You type it to unlock; it cannot be recovered.</span>
              </span>
            }
          />
          {mode === 'passphrase' && <NewPassphraseFields value={pass} onChange={setPass} idPrefix="vault-setup" />}
          <ErrorBanner error={error} testId="vault-setup-error" />
          <VaultBusy />
          <div>
            <button type="submit" disabled={busy !== null} data-testid="vault-setup-submit">
              Set up the vault
            </button>
          </div>
        </Form>
      </div>
      <div className="card">
        <h2>Moving from another machine?</h2>
        {restoring ? (
          <RestoreBackupForm />
        ) : (
          <button className="secondary" onClick={() => setRestoring(true)} data-testid="vault-setup-restore">
            Restore a vault backup instead
          </button>
        )}
      </div>
    </Screen>
  );
}
