import { useState } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useVault } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { fileToBase64 } from './backup-file';
import { NewPassphraseFields, passphraseMismatch } from './new-passphrase-fields';
import { MasterKeyChoice, preferredMode, useKeychainUnavailable, type MasterKeyMode } from './master-key-choice';
import { Form } from '../../components/form';

/**
 * Restore a backup file: the backup's passphrase, then how THIS machine protects the restored master key.
 * `confirm` lets Settings ask before replacing live data; the setup screen has nothing to replace.
 */
export function RestoreBackupForm(props: Readonly<{ confirm?: (run: () => void) => void; onDone?: () => void }>) {
  const { vault } = useApp();
  const busy = useVault((s) => s.busy);
  const [file, setFile] = useState<File | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const keychainUnavailable = useKeychainUnavailable();
  const [chosen, setMode] = useState<MasterKeyMode | null>(null);
  const mode: MasterKeyMode = chosen === 'keychain' && keychainUnavailable ? 'passphrase' : (chosen ?? preferredMode(keychainUnavailable));
  const [newPass, setNewPass] = useState<[string, string]>(['', '']);
  const [error, setError] = useState<IpcError | null>(null);

  const run = async () => {
    setError(null);
    if (!file) return setError({ code: 'INVALID_INPUT', message: 'choose the .p1vault backup file', field: 'data' });
    const mismatch = mode === 'passphrase' ? passphraseMismatch(newPass, 'protect.passphrase') : null;
    if (mismatch) return setError(mismatch);
    const data = await fileToBase64(file);
    const err = await vault
      .getState()
      .restoreBackup({ data, passphrase, protect: mode === 'keychain' ? { mode } : { mode, passphrase: newPass[0] } });
    setError(err);
    if (!err) {
      setPassphrase('');
      setNewPass(['', '']);
      props.onDone?.();
    }
  };

  return (
    <Form
      testId="vault-restore-form"
      onSubmit={() => {
        if (props.confirm) props.confirm(() => void run());
        else void run();
      }}
    >
      <label>
        Backup file
        <input type="file" accept=".p1vault,application/octet-stream" data-testid="vault-restore-file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </label>
      <label>
        Backup passphrase
        <input type="password" autoComplete="off" data-testid="vault-restore-passphrase" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
      </label>
      <MasterKeyChoice
        name="restore-mode"
        ariaLabel="Protect the restored vault with"
        testIdPrefix="vault-restore-mode"
        value={mode}
        onChange={setMode}
        keychainUnavailable={keychainUnavailable}
        keychain={<span>This machine's OS keychain</span>}
        passphrase={<span>A new vault passphrase</span>}
      />
      {mode === 'passphrase' && <NewPassphraseFields value={newPass} onChange={setNewPass} idPrefix="vault-restore-new" label="New vault passphrase" />}
      <ErrorBanner error={error} testId="vault-restore-error" />
      <div>
        <button type="submit" className="danger" disabled={busy !== null} data-testid="vault-restore-submit">
          Restore backup
        </button>
      </div>
    </Form>
  );
}
