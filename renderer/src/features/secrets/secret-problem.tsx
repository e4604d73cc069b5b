import type { IpcError } from '@shared/ipc/result';
import { ErrorBanner } from '../../components/ui';

/** Shows an error; a locked vault gets the notice that says what to do. */
export function SecretProblem(props: Readonly<{ error?: IpcError | null; testId?: string }>) {
  if (props.error?.code !== 'VAULT_LOCKED') return <ErrorBanner error={props.error} testId={props.testId} />;
  return (
    <div className="error-banner" role="alert" data-testid="vault-locked">
      <strong>The vault is locked (VAULT_LOCKED).</strong> Secret names and metadata stay visible, but values cannot be created, rotated or
      revealed. Unlock the vault in Settings → Vault (or restart the app so it unlocks from the OS keychain), then try again.
    </div>
  );
}
