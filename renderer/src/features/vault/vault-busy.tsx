import { useVault } from '../../app-context';

/**
 * The long vault action in progress (scrypt takes a moment), wherever a vault form is shown. Its class is `busy-note`,
 * not `progress`: that one is the uploads' 6 px progress bar, and sharing it squashed this sentence into the bar.
 */
export function VaultBusy() {
  const busy = useVault((s) => s.busy);
  return busy ? (
    <p className="busy-note" role="status" data-testid="vault-busy">
      {busy}
    </p>
  ) : null;
}
