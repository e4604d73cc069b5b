import { useState } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { PASSPHRASE_MIN_LENGTH } from '@shared/domain/vault.catalog';
import { useApp, useVault } from '../app-context';
import { ErrorBanner, ScreenHeader } from '../components/ui';
import { fileToBase64 } from '../stores/vault-store';

const mismatch = (field: string): IpcError => ({ code: 'INVALID_INPUT', message: 'the two passphrases differ: type the same passphrase twice', field });

/** A new passphrase typed twice. */
function NewPassphraseFields(props: Readonly<{ value: [string, string]; onChange: (v: [string, string]) => void; idPrefix: string; label?: string }>) {
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

/**
 * Restore a backup file: the backup's passphrase, then how THIS machine protects the restored master key.
 * `confirm` lets Settings ask before replacing live data; the setup screen has nothing to replace.
 */
export function RestoreBackupForm(props: Readonly<{ confirm?: (run: () => void) => void; onDone?: () => void }>) {
  const { vault } = useApp();
  const busy = useVault((s) => s.busy);
  const [file, setFile] = useState<File | null>(null);
  const [passphrase, setPassphrase] = useState('');
  const [mode, setMode] = useState<'keychain' | 'passphrase'>('keychain');
  const [newPass, setNewPass] = useState<[string, string]>(['', '']);
  const [error, setError] = useState<IpcError | null>(null);

  const run = async () => {
    if (!file) return setError({ code: 'INVALID_INPUT', message: 'choose the .p1vault backup file', field: 'data' });
    if (mode === 'passphrase' && newPass[0] !== newPass[1]) return setError(mismatch('protect.passphrase'));
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
    <form
      className="stack"
      data-testid="vault-restore-form"
      onSubmit={(e) => {
        e.preventDefault();
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
      <div className="choice" role="radiogroup" aria-label="Protect the restored vault with">
        <label>
          <input type="radio" name="restore-mode" checked={mode === 'keychain'} onChange={() => setMode('keychain')} data-testid="vault-restore-mode-keychain" />
          <span>This machine's OS keychain</span>
        </label>
        <label>
          <input type="radio" name="restore-mode" checked={mode === 'passphrase'} onChange={() => setMode('passphrase')} data-testid="vault-restore-mode-passphrase" />
          <span>A new vault passphrase</span>
        </label>
      </div>
      {mode === 'passphrase' && <NewPassphraseFields value={newPass} onChange={setNewPass} idPrefix="vault-restore-new" label="New vault passphrase" />}
      <ErrorBanner error={error} testId="vault-restore-error" />
      <div>
        <button type="submit" className="danger" disabled={busy !== null} data-testid="vault-restore-submit">
          Restore backup
        </button>
      </div>
    </form>
  );
}

/** First run: the admin chooses where the master key lives (or restores a backup). */
export function VaultSetupScreen() {
  const { vault } = useApp();
  const busy = useVault((s) => s.busy);
  const [mode, setMode] = useState<'keychain' | 'passphrase'>('keychain');
  const [pass, setPass] = useState<[string, string]>(['', '']);
  const [error, setError] = useState<IpcError | null>(null);
  const [restoring, setRestoring] = useState(false);

  return (
    <section className="screen vault-gate" data-testid="vault-setup-screen">
      <ScreenHeader title="Set up the vault" subtitle="Secrets and credentials are encrypted under a master key. Choose where it lives." />
      <div className="card">
        <form
          className="stack"
          onSubmit={async (e) => {
            e.preventDefault();
            if (mode === 'passphrase' && pass[0] !== pass[1]) return setError(mismatch('passphrase'));
            const err = await vault.getState().initialize(mode === 'keychain' ? { mode } : { mode, passphrase: pass[0] });
            setError(err);
            // No reachable keychain (headless Linux, locked keyring): the passphrase is the way forward.
            if (err?.code === 'KEYCHAIN_UNAVAILABLE') setMode('passphrase');
          }}
        >
          <div className="choice" role="radiogroup" aria-label="Master key">
            <label>
              <input type="radio" name="vault-mode" checked={mode === 'keychain'} onChange={() => setMode('keychain')} data-testid="vault-setup-mode-keychain" />
              <span>
                <strong>OS keychain</strong> (recommended)
                <br />
                <span className="muted">Unlocks by itself when you log in to this computer.</span>
              </span>
            </label>
            <label>
              <input type="radio" name="vault-mode" checked={mode === 'passphrase'} onChange={() => setMode('passphrase')} data-testid="vault-setup-mode-passphrase" />
              <span>
                <strong>Passphrase</strong>
                <br />
                <span className="muted">For machines without a keychain. You type it to unlock; it cannot be recovered.</span>
              </span>
            </label>
          </div>
          {mode === 'passphrase' && <NewPassphraseFields value={pass} onChange={setPass} idPrefix="vault-setup" />}
          <ErrorBanner error={error} testId="vault-setup-error" />
          {busy && <p className="progress" data-testid="vault-busy">{busy}</p>}
          <div>
            <button type="submit" disabled={busy !== null} data-testid="vault-setup-submit">
              Set up the vault
            </button>
          </div>
        </form>
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
    </section>
  );
}

/** A locked vault: passphrase (or keychain retry). Metadata screens stay browsable without unlocking. */
export function VaultUnlockScreen(props: Readonly<{ onBrowseLocked: () => void }>) {
  const { vault } = useApp();
  const status = useVault((s) => s.status);
  const busy = useVault((s) => s.busy);
  const [passphrase, setPassphrase] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const keychain = status?.mode === 'keychain';

  return (
    <section className="screen vault-gate" data-testid="vault-unlock-screen">
      <ScreenHeader
        title="The vault is locked"
        subtitle={keychain ? 'Its master key is in the OS keychain.' : 'Enter the vault passphrase to use secrets and credentials.'}
      />
      <div className="card">
        <form
          className="stack"
          onSubmit={async (e) => {
            e.preventDefault();
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
          {busy && <p className="progress" data-testid="vault-busy">{busy}</p>}
          <div className="choice">
            <button type="submit" disabled={busy !== null} data-testid="vault-unlock-submit">
              {keychain ? 'Unlock from the OS keychain' : 'Unlock'}
            </button>
            <button type="button" className="secondary" onClick={props.onBrowseLocked} data-testid="vault-browse-locked">
              Browse without unlocking
            </button>
          </div>
        </form>
      </div>
    </section>
  );
}

/** Sidebar badge: the vault's state at a glance, with Lock now when it is open. */
export function VaultIndicator() {
  const { vault } = useApp();
  const status = useVault((s) => s.status);
  if (!status) return null;
  const label = status.state === 'unlocked' ? 'Vault unlocked' : status.state === 'locked' ? 'Vault locked' : 'Vault not set up';
  return (
    <div className="vault-indicator" data-testid="vault-indicator" data-vault-state={status.state}>
      <span className={`badge state-${status.state}`} title={status.mode ? `master key: ${status.mode === 'keychain' ? 'OS keychain' : 'passphrase'}` : undefined}>
        {label}
      </span>
      {status.state === 'unlocked' && (
        <button className="link" data-testid="vault-lock-now-sidebar" onClick={() => void vault.getState().lock()}>
          Lock now
        </button>
      )}
    </div>
  );
}
