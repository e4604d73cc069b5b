import { useState } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useSession } from '../app-context';
import { ErrorBanner } from './ui';
import { Modal } from './dialog';

/** Who is using the app, with which role here; in the console, "Sign in as a user" to work with that user's role. */
export function SessionMenu() {
  const { session } = useApp();
  const info = useSession((s) => s.session);
  const role = useSession((s) => (s.currentWorkspaceId ? s.session?.roles[s.currentWorkspaceId] : undefined));
  const canSignIn = useSession((s) => s.canSignIn);
  const [open, setOpen] = useState(false);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  if (!info) return null;
  const isUser = info.actor.kind === 'user';

  return (
    <div className="session-menu" data-testid="session-menu">
      <div>
        <span className="muted">Signed in as </span>
        <strong data-testid="session-user">{info.actor.name}</strong>
        {!isUser && <span className="muted"> (this computer's admin)</span>}
      </div>
      <div>
        <span className="muted">Role here: </span>
        <span className="badge" data-testid="session-role">{role ?? 'none'}</span>
      </div>
      {canSignIn &&
        (isUser ? (
          <button className="secondary" data-testid="sign-out" onClick={() => void session.getState().signOut()}>
            Sign out
          </button>
        ) : (
          <button className="secondary" data-testid="sign-in-open" onClick={() => setOpen(true)}>
            Sign in as a user
          </button>
        ))}
      {open && (
      <Modal title="Sign in as a user" onClose={() => setOpen(false)} testId="sign-in-dialog">
        <form
          className="stacked"
          onSubmit={async (e) => {
            e.preventDefault();
            setBusy(true);
            const err = await session.getState().signIn(username, password);
            setBusy(false);
            setError(err);
            if (!err) {
              setPassword('');
              setOpen(false);
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
          <div className="modal-actions">
            <button type="button" className="secondary" onClick={() => setOpen(false)}>Cancel</button>
            <button type="submit" data-testid="sign-in-submit" disabled={busy || !username || !password}>{busy ? 'Signing in…' : 'Sign in'}</button>
          </div>
        </form>
      </Modal>
      )}
    </div>
  );
}
