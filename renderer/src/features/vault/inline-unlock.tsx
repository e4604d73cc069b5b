import { useApp, useVault } from '../../app-context';

/** True while the vault is locked: value actions (reveal, rotate, new secret, credential entry) are disabled then. */
export function useVaultLocked(): boolean {
  return useVault((s) => s.status?.state === 'locked');
}

/**
 * The way out of a disabled value action: an "Unlock" link beside it that brings the unlock screen back.
 * Renders nothing unless the vault is locked, so callers can place it unconditionally.
 */
export function InlineUnlock(props: Readonly<{ testId?: string; label?: string }>) {
  const { vault } = useApp();
  const locked = useVaultLocked();
  if (!locked) return null;
  return (
    <span className="inline-unlock muted">
      {props.label ?? 'The vault is locked.'}{' '}
      <button type="button" className="link" data-testid={props.testId ?? 'vault-inline-unlock'} onClick={() => vault.getState().showUnlock()}>
        Unlock
      </button>
    </span>
  );
}
