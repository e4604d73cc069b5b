import { useState } from 'react';
import type { Role } from '@shared/domain/common';
import { useApp, useIdentity } from '../../app-context';
import { EmptyState, ErrorBanner } from '../../components/ui';
import { ConfirmDialog } from '../../components/dialog';
import { SelectInput } from '../../components/select-input';
import { Timestamp } from '../../components/timestamp';
import { useAction } from '../../components/use-action';
import { RestrictedSection, useRestrictedList } from './restricted-section';
import { Form } from '../../components/form';
import { passwordProblem, usernameProblem } from '@shared/domain/identity.catalog';
import { FieldError, bannerError, errorFor } from '../../components/field-error';
import './identity-forms.css';

/** The add-user form's fields the server may name in an error (shown next to the field, not in the banner). */
const USER_FIELDS = ['username', 'password'] as const;

const ROLES: readonly Role[] = ['admin', 'editor', 'viewer'];

/** Settings → Users: local users with a role in this workspace (add, change role, remove). Admins only. */
export function UsersSection() {
  const { identity } = useApp();
  const { ws, allowed } = useRestrictedList('user.manage', identity.getState().loadUsers);
  const users = useIdentity((s) => s.users);
  const [form, setForm] = useState({ username: '', password: '', role: 'viewer' as Role });
  const { busy, error, setError, run } = useAction();
  const [removing, setRemoving] = useState<{ id: string; username: string } | null>(null);
  // Checked before submit: after the first try, or once the person has left a field they typed in.
  const [checked, setChecked] = useState<{ username: boolean; password: boolean }>({ username: false, password: false });
  const problems = { username: usernameProblem(form.username), password: passwordProblem(form.password) };
  const shown = (f: (typeof USER_FIELDS)[number]) => (checked[f] ? problems[f] : null) ?? errorFor(error, f);
  const edit = (f: (typeof USER_FIELDS)[number], value: string) => {
    setForm({ ...form, [f]: value });
    // A server error about this field no longer applies once it changes.
    if (error?.field === f) setError(null);
  };

  if (!ws) return null;
  return (
    <RestrictedSection
      title="Users"
      intro="People who sign in to the console or the REST API with a username and password, each with a role in this workspace."
      testId="users-section"
      allowed={allowed}
      notAllowed="Only an admin of this workspace can manage users."
      notAllowedTestId="users-not-allowed"
    >
      <ErrorBanner error={bannerError(error, USER_FIELDS)} testId="users-error" />
      {users.length === 0 ? (
        <EmptyState title="No users yet" testId="users-empty">Add a user below; they sign in with "Sign in as a user" in the console or with POST /auth/login.</EmptyState>
      ) : (
        <table className="table" data-testid="users-table">
          <thead>
            <tr><th>Username</th><th>Role</th><th>Added</th><th /></tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id} data-testid="user-row" data-username={u.username}>
                <td>{u.username}</td>
                <td>
                  <SelectInput ariaLabel={`Role of ${u.username}`} testId="user-role" options={ROLES} value={u.role} onChange={async (role) => setError(await identity.getState().setRole(ws, u.id, role))} />
                </td>
                <td className="mono"><Timestamp iso={u.createdAt} none="never" /></td>
                <td><button className="link" data-testid="user-remove" onClick={() => setRemoving({ id: u.id, username: u.username })}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Form
        className="inline with-field-errors"
        onSubmit={async () => {
          setChecked({ username: true, password: true });
          if (problems.username || problems.password) return setError(null);
          if (!(await run(() => identity.getState().createUser(ws, form.username, form.password, form.role)))) {
            setForm({ username: '', password: '', role: 'viewer' });
            setChecked({ username: false, password: false });
          }
        }}
      >
        <div className="inline-field">
          <input
            placeholder="Username"
            aria-label="Username"
            data-testid="user-username"
            autoComplete="off"
            value={form.username}
            aria-invalid={!!shown('username')}
            aria-describedby={shown('username') ? 'user-username-error' : undefined}
            onChange={(e) => edit('username', e.target.value)}
            onBlur={() => form.username && setChecked({ ...checked, username: true })}
          />
          <FieldError message={shown('username')} testId="user-username-error" id="user-username-error" />
        </div>
        <div className="inline-field">
          <input
            placeholder="Password (12+ characters)"
            aria-label="Password"
            type="password"
            autoComplete="new-password"
            data-testid="user-password"
            value={form.password}
            aria-invalid={!!shown('password')}
            aria-describedby={shown('password') ? 'user-password-error' : undefined}
            onChange={(e) => edit('password', e.target.value)}
            onBlur={() => form.password && setChecked({ ...checked, password: true })}
          />
          <FieldError message={shown('password')} testId="user-password-error" id="user-password-error" />
        </div>
        <SelectInput ariaLabel="Role" testId="user-new-role" options={ROLES} value={form.role} onChange={(role) => setForm({ ...form, role })} />
        <button type="submit" data-testid="user-add" disabled={busy}>{busy ? 'Adding…' : 'Add user'}</button>
      </Form>
      {removing && (
        <ConfirmDialog
          title="Remove user"
          confirmLabel="Remove"
          testId="user-remove-dialog"
          onCancel={() => setRemoving(null)}
          onConfirm={async () => {
            setError(await identity.getState().removeUser(ws, removing.id));
            setRemoving(null);
          }}
        >
          Remove {removing.username} from this workspace? They can no longer sign in here; their sessions end at once.
        </ConfirmDialog>
      )}
    </RestrictedSection>
  );
}
