import { useState } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useVault } from '../../app-context';
import { ErrorBanner, Screen } from '../../components/ui';
import { NewPassphraseFields, passphraseMismatch } from './new-passphrase-fields';
import { MasterKeyChoice, preferredMode, useKeychainUnavailable, type MasterKeyMode } from './master-key-choice';
import { RestoreBackupForm } from './restore-backup-form';
import { VaultBusy } from './vault-busy';
import { Form } from '../../components/form';

/**
 * First run: the admin chooses where the master key lives (or restores a backup). What works is pre-selected: when
 * the core found no reachable keychain, the passphrase is chosen and the keychain card says why it cannot be.
 * After a passphrase setup, RecoveryOffer (above every screen) offers the recovery sheet and a backup.
 */
export function VaultSetupScreen() {
  const { vault } = useApp();
  const busy = useVault((s) => s.busy);
  const keychainUnavailable = useKeychainUnavailable();
  // null: follow what the core says works; a choice the admin made stays (unless that option became unavailable).
  const [chosen, setChosen] = useState<MasterKeyMode | null>(null);
  const mode: MasterKeyMode = chosen === 'keychain' && keychainUnavailable ? 'passphrase' : (chosen ?? preferredMode(keychainUnavailable));
  const [pass, setPass] = useState<[string, string]>(['', '']);
  const [error, setError] = useState<IpcError | null>(null);
  const [restoring, setRestoring] = useState(false);

  return (
    <Screen testId="vault-setup-screen" gate title="Set up the vault" subtitle="Secrets and credentials are encrypted under a master key. Choose where it lives.">
      <div className="card">
        <Form
          onSubmit={async () => {
            // A retry starts clean: the last attempt's message must not sit beside this one's progress.
            setError(null);
            const mismatch = mode === 'passphrase' ? passphraseMismatch(pass, 'passphrase') : null;
            if (mismatch) return setError(mismatch);
            const err = await vault.getState().initialize(mode === 'keychain' ? { mode } : { mode, passphrase: pass[0] });
            setError(err);
            // The keychain failed now (it answered the check but refused the key): reload the status so the card
            // says why, and move to the passphrase, the way forward.
            if (err?.code === 'KEYCHAIN_UNAVAILABLE') {
              setChosen('passphrase');
              void vault.getState().load();
            }
          }}
        >
          <MasterKeyChoice
            name="vault-mode"
            ariaLabel="Master key"
            testIdPrefix="vault-setup-mode"
            value={mode}
            onChange={setChosen}
            keychainUnavailable={keychainUnavailable}
            keychain={
              <span>
                <strong>OS keychain</strong>
                {!keychainUnavailable && ' (recommended)'}
                <br />
                <span className="muted">Unlocks by itself when you log in to this computer.</span>
              </span>
            }
            passphrase={
              <span>
                <strong>Passphrase</strong>
                <br />
                <span className="muted">You type it to unlock. Nobody can recover it: you can save a recovery sheet next.</span>
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
