import { useState, type ReactNode } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useVault } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { ariaKeyShortcuts, shortcutHint } from '../../components/shortcuts';
import { Tip } from '../../components/tooltip';
import { ConfirmDialog } from '../../components/dialog';
import { useCan } from '../../access';
import { BackupExportForm } from '../vault/backup-export-form';
import { useRecoverySheet } from '../vault/recovery-offer';
import { RotateMasterKeyDialog } from '../vault/rotate-master-key-dialog';
import { RestoreBackupForm } from '../vault/restore-backup-form';
import { VaultBusy } from '../vault/vault-busy';
import { Form } from '../../components/form';
import { Timestamp } from '../../components/timestamp';

type Pending = { title: string; body: ReactNode; confirmLabel: string; run: () => void };

/** Settings → Vault: status, Lock now, auto-lock, key rotation, backup export and restore. */
export function VaultSettingsSection() {
  const { vault } = useApp();
  const status = useVault((s) => s.status);
  const busy = useVault((s) => s.busy);
  const [error, setError] = useState<IpcError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [autoLock, setAutoLock] = useState<string | null>(null);
  const [rotating, setRotating] = useState(false);
  const sheet = useRecoverySheet();
  const can = useCan();

  if (!status) return null;
  if (!can('vault.manage')) {
    return (
      <div className="card" data-testid="vault-settings">
        <h2>Vault</h2>
        <p data-testid="vault-settings-status">
          State: <strong>{status.state}</strong>. Only an administrator can lock, rotate keys or back up the vault.
        </p>
      </div>
    );
  }
  const passphraseMode = status.mode === 'passphrase';
  const unlocked = status.state === 'unlocked';
  const done = (err: IpcError | null, ok: string) => {
    setError(err);
    setNotice(err ? null : ok);
  };

  return (
    <div className="card" data-testid="vault-settings">
      <h2>Vault</h2>
      <p data-testid="vault-settings-status">
        State: <strong>{status.state}</strong>
        {status.mode && (
          <>
            {' · '}master key in <strong>{status.mode === 'keychain' ? 'the OS keychain' : 'a passphrase'}</strong>
          </>
        )}
        {status.kdf && <span className="muted"> · scrypt N=2^{Math.log2(status.kdf.N)}, r={status.kdf.r}, p={status.kdf.p}</span>}
        {status.rotatedAt && <span className="muted"> · master key last rotated <Timestamp iso={status.rotatedAt} /></span>}
      </p>
      <ErrorBanner error={error} testId="vault-settings-error" />
      {notice && (
        <p className="muted" role="status" data-testid="vault-settings-notice">
          {notice}
        </p>
      )}
      <VaultBusy />

      {status.state === 'locked' && (
        <p>
          <button data-testid="vault-settings-unlock" disabled={busy !== null} onClick={() => vault.getState().showUnlock()}>
            Unlock…
          </button>{' '}
          <span className="muted">Secret values, credentials and key actions need the vault unlocked.</span>
        </p>
      )}
      {unlocked && (
        <p>
          <Tip label="Lock the vault" shortcut={shortcutHint('lock')}>
            <button
              className="secondary"
              data-testid="vault-lock-now"
              aria-keyshortcuts={ariaKeyShortcuts('lock')}
              disabled={busy !== null}
              onClick={async () => done(await vault.getState().lock(), 'The vault is locked.')}
            >
              Lock now
            </button>
          </Tip>
        </p>
      )}

      {passphraseMode && (
        <Form
          className="inline"
          onSubmit={async () => {
            const minutes = Number(autoLock ?? status.autoLockMinutes);
            done(await vault.getState().setAutoLock(minutes), minutes === 0 ? 'Auto-lock is off.' : `The vault locks after ${minutes} idle minutes.`);
            setAutoLock(null);
          }}
        >
          <label>
            Auto-lock after{' '}
            <input
              type="number"
              min={0}
              max={1440}
              style={{ width: 80 }}
              data-testid="vault-autolock-minutes"
              value={autoLock ?? String(status.autoLockMinutes)}
              onChange={(e) => setAutoLock(e.target.value)}
            />{' '}
            idle minutes (0 = never)
          </label>
          <button type="submit" className="secondary" data-testid="vault-autolock-save" disabled={busy !== null}>
            Save
          </button>
        </Form>
      )}

      {unlocked && (
        <>
          <h3>Keys</h3>
          <p className="inline">
            <button type="button" data-testid="vault-rotate-master" disabled={busy !== null} onClick={() => setRotating(true)}>
              Rotate master key…
            </button>
            <button
              type="button"
              className="secondary"
              data-testid="vault-rotate-data"
              disabled={busy !== null}
              onClick={async () => done(await vault.getState().rotateDataKey(), 'New values now use a new data key.')}
            >
              Rotate data key
            </button>
          </p>
          {rotating && (
            <RotateMasterKeyDialog
              passphraseMode={passphraseMode}
              onClose={(notice) => {
                setRotating(false);
                if (notice) done(null, notice);
              }}
            />
          )}

          {passphraseMode && (
            <>
              <h3>Recovery sheet</h3>
              <p className="inline">
                <button type="button" className="secondary" data-testid="vault-settings-recovery-sheet" onClick={sheet.saveSheet}>
                  Save recovery sheet
                </button>
                <span className="muted">
                  {sheet.saved ? `Saved as ${sheet.saved}.` : 'A page to print or keep, with an empty box where you write the passphrase.'}
                </span>
              </p>
            </>
          )}

          <h3>Export backup</h3>
          <p className="muted">An encrypted file with the whole vault and its metadata. Its passphrase is the only way to open it: store them apart.</p>
          <BackupExportForm onDone={done} />
        </>
      )}

      <h3>Restore backup</h3>
      <p className="muted">Replaces ALL current data of this app (vault, secrets, connections, workspaces, audit log) with the backup's.</p>
      <RestoreBackupForm
        confirm={(run) =>
          setPending({
            title: 'Replace all current data?',
            body: <p>Everything in this app is replaced by the backup's contents. This cannot be undone. Export a backup of the current data first if you may need it.</p>,
            confirmLabel: 'Replace with backup',
            run,
          })
        }
        onDone={() => done(null, 'The backup was restored.')}
      />

      {pending && (
        <ConfirmDialog
          title={pending.title}
          confirmLabel={pending.confirmLabel}
          danger
          busy={busy !== null}
          onCancel={() => setPending(null)}
          onConfirm={() => {
            const p = pending;
            setPending(null);
            p.run();
          }}
        >
          {pending.body}
        </ConfirmDialog>
      )}
    </div>
  );
}
