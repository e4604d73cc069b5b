import { useState } from 'react';
import { useApp } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { FormDialog } from '../../components/form';
import { FormActions } from '../../components/form-actions';
import { useAction } from '../../components/use-action';

/** Console only: work with a local user's role (their JWT rides along on every call until sign-out or expiry). */
export function SignInDialog(props: Readonly<{ onClose: () => void }>) {
  const { session } = useApp();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  return (
    <FormDialog
      title="Sign in as a user"
      testId="sign-in-dialog"
      formClassName="stacked"
      onClose={props.onClose}
      onSubmit={async () => {
        if (!(await run(() => session.getState().signIn(username, password)))) {
          setPassword('');
          props.onClose();
        }
      }}
    >
      <p className="muted">Work in this console with a local user's role instead of as this computer's admin.</p>
      <ErrorBanner error={error} testId="sign-in-error" />
      <label>
        Username
        <input data-testid="sign-in-username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
      </label>
      <label>
        Password
        <input data-testid="sign-in-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      <FormActions submitLabel="Sign in" busyLabel="Signing in…" busy={busy} disabled={!username || !password} submitTestId="sign-in-submit" onCancel={props.onClose} />
    </FormDialog>
  );
}
