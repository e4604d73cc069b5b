import { useState } from 'react';
import { useApp, useVault } from '../../app-context';
import { FormDialog } from '../../components/form';
import { FormActions } from '../../components/form-actions';
import { ErrorBanner } from '../../components/ui';
import { useAction } from '../../components/use-action';

/**
 * Rotate the master key, in its own dialog: what happens, then (passphrase mode) the passphrase that proves it is the
 * admin, asked here and nowhere else. A wrong passphrase keeps the dialog open with the reason; success closes it.
 */
export function RotateMasterKeyDialog(props: Readonly<{ passphraseMode: boolean; onClose: (notice?: string) => void }>) {
  const { vault } = useApp();
  const vaultBusy = useVault((s) => s.busy);
  const { busy, error, setError, run } = useAction();
  const [passphrase, setPassphrase] = useState('');
  return (
    <FormDialog
      title="Rotate the master key"
      testId="vault-rotate-dialog"
      onClose={() => props.onClose()}
      intro={
        <p>
          A new master key is made and every data key is re-encrypted under it in one step. Secret values do not change.
          Backups made before still open with their own backup passphrase.
        </p>
      }
      onSubmit={async () => {
        setError(null);
        if (props.passphraseMode && !passphrase) return setError({ code: 'INVALID_INPUT', message: 'Type the vault passphrase to rotate the master key.', field: 'passphrase' });
        const err = await run(() => vault.getState().rotateMasterKey(props.passphraseMode ? passphrase : undefined));
        setPassphrase('');
        if (!err) props.onClose('The master key was rotated.');
      }}
    >
      {props.passphraseMode && (
        <label>
          Vault passphrase
          <input type="password" autoComplete="current-password" autoFocus data-testid="vault-rotate-passphrase" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
        </label>
      )}
      <ErrorBanner error={error} testId="vault-rotate-error" />
      <FormActions
        submitLabel="Rotate master key"
        busyLabel="Rotating…"
        busy={busy || vaultBusy !== null}
        submitTestId="vault-rotate-submit"
        cancelTestId="vault-rotate-cancel"
        onCancel={() => props.onClose()}
      />
    </FormDialog>
  );
}
