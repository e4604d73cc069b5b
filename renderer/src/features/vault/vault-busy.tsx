import { useVault } from '../../app-context';

/** The long vault action in progress (scrypt takes a moment), wherever a vault form is shown. */
export function VaultBusy() {
  const busy = useVault((s) => s.busy);
  return busy ? (
    <p className="progress" data-testid="vault-busy">
      {busy}
    </p>
  ) : null;
}
