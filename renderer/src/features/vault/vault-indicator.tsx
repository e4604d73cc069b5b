import { useApp, useVault } from '../../app-context';
import { ariaKeyShortcuts, shortcutHint } from '../../components/shortcuts';
import { Tip } from '../../components/tooltip';

/** Sidebar badge: the vault's state at a glance, with Lock now when it is open and Unlock when it is locked. */
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
      {status.state === 'locked' && (
        <button className="link" data-testid="vault-unlock-sidebar" onClick={() => vault.getState().showUnlock()}>
          Unlock
        </button>
      )}
      {status.state === 'unlocked' && (
        <Tip label="Lock the vault" shortcut={shortcutHint('lock')} side="right">
          <button className="link" data-testid="vault-lock-now-sidebar" aria-keyshortcuts={ariaKeyShortcuts('lock')} onClick={() => void vault.getState().lock()}>
            Lock now
          </button>
        </Tip>
      )}
    </div>
  );
}
