import { useApp, useVault } from '../../app-context';

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
        <button className="link" data-testid="vault-lock-now-sidebar" onClick={() => void vault.getState().lock()}>
          Lock now
        </button>
      )}
    </div>
  );
}
