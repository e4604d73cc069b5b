import type { Secret } from '@shared/domain/secret';
import { useApp } from '../../app-context';
import { ConfirmDialog } from '../../components/dialog';
import { useAction } from '../../components/use-action';
import { SecretProblem } from './secret-problem';

/**
 * Rollback asks first: the value of an older version becomes a new version (nothing is deleted), which the history
 * then shows as "rolled back from vN". Connections and workflows using the secret get that value on their next use.
 */
export function SecretRollbackDialog({ secret, version, onClose }: Readonly<{ secret: Secret; version: number; onClose: () => void }>) {
  const { secrets } = useApp();
  const { busy, error, run } = useAction();
  return (
    <ConfirmDialog
      title={`Roll back “${secret.name}” to version ${version}?`}
      confirmLabel={`Roll back to v${version}`}
      danger={false}
      busy={busy}
      testId="secret-rollback-dialog"
      confirmTestId="secret-rollback-confirm"
      cancelTestId="secret-rollback-cancel"
      onCancel={onClose}
      onConfirm={async () => {
        if (!(await run(() => secrets.getState().rollback(secret.id, version)))) onClose();
      }}
    >
      <p>
        The value of version {version} becomes the current value as a new version, v{secret.version + 1} (“rolled back from v{version}”). The current
        version v{secret.version} stays in the history. Connections and workflows that use this secret get the restored value on their next use.
      </p>
      <SecretProblem error={error} testId="secret-rollback-error" />
    </ConfirmDialog>
  );
}
