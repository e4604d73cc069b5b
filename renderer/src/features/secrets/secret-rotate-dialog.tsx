import type { Secret } from '@shared/domain/secret';
import { useApp } from '../../app-context';
import { SecretValueDialog } from './secret-value-dialog';

/** Rotate: a new value becomes the next version (a generated secret is generated again by default, with its own rules). */
export function SecretRotateDialog({ secret, onClose }: Readonly<{ secret: Secret; onClose: () => void }>) {
  const { secrets } = useApp();
  return (
    <SecretValueDialog
      title={`Rotate “${secret.name}”`}
      testId="secret-rotate-dialog"
      intro={<p className="muted">The new value becomes version {secret.version + 1}. Connections and agents that reference this secret use it on their next run.</p>}
      allowGenerate={secret.generator !== null}
      fixedGenerator={secret.generator ?? undefined}
      submitLabel="Rotate"
      busyLabel="Rotating…"
      submitTestId="secret-rotate-submit"
      errorTestId="secret-rotate-error"
      onClose={onClose}
      submit={(entered) => secrets.getState().rotate(secret.id, entered.value)}
    />
  );
}
