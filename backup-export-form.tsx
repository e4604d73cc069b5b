import { useState } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useVault } from '../../app-context';
import { Form } from '../../components/form';
import { downloadBase64 } from './backup-file';
import { NewPassphraseFields, passphraseMismatch } from './new-passphrase-fields';

/**
 * Export an encrypted backup of the whole vault (Settings → Vault, and the last step of a passphrase setup).
 * `onDone` gets the error, or null and the sentence saying where the file went.
 */
export function BackupExportForm(props: Readonly<{ onDone: (err: IpcError | null, notice: string) => void }>) {
  const { vault } = useApp();
  const busy = useVault((s) => s.busy);
  const [backupPass, setBackupPass] = useState<[string, string]>(['', '']);
  return (
    <Form
      onSubmit={async () => {
        const mismatch = passphraseMismatch(backupPass, 'passphrase');
        if (mismatch) return props.onDone(mismatch, '');
        const r = await vault.getState().exportBackup(backupPass[0]);
        if ('code' in r) return props.onDone(r, '');
        downloadBase64(r.fileName, r.data);
        setBackupPass(['', '']);
        props.onDone(null, `Backup saved as ${r.fileName} (${Math.ceil(r.bytes / 1024)} KiB).`);
      }}
    >
      <NewPassphraseFields value={backupPass} onChange={setBackupPass} idPrefix="vault-backup" label="Backup passphrase" />
      <div>
        <button type="submit" data-testid="vault-backup-export" disabled={busy !== null}>
          Export backup
        </button>
      </div>
    </Form>
  );
}
