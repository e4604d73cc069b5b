import { useState } from 'react';
import { useApp, useSession } from '../../app-context';
import { SignInDialog } from './sign-in-dialog';

/** Who is using the app, with which role here; in the console, "Sign in as a user" to work with that user's role. */
export function SessionMenu() {
  const { session } = useApp();
  const info = useSession((s) => s.session);
  const role = useSession((s) => s.role());
  const canSignIn = useSession((s) => s.canSignIn);
  const [open, setOpen] = useState(false);
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
      {open && <SignInDialog onClose={() => setOpen(false)} />}
    </div>
  );
}
