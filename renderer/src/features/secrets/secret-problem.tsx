import type { IpcError } from '@shared/ipc/result';
import { useApp } from '../../app-context';
import { ErrorBanner } from '../../components/ui';

/** Shows an error; a locked vault gets the notice that says what to do, with the Unlock button right there. */
export function SecretProblem(props: Readonly<{ error?: IpcError | null; testId?: string }>) {
  const { vault } = useApp();
  if (props.error?.code !== 'VAULT_LOCKED') return <ErrorBanner error={props.error} testId={props.testId} />;
  return (
    <div className="error-banner" role="alert" data-testid="vault-locked">
      <strong>The vault is locked.</strong> Secret names and metadata stay visible, but values cannot be created, rotated or revealed until you
      unlock it.{' '}
      <button type="button" className="link" data-testid="vault-locked-unlock" onClick={() => vault.getState().showUnlock()}>
        Unlock the vault
      </button>
    </div>
  );
}
