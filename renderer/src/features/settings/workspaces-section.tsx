import { useState } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useSession } from '../../app-context';
import { useCan } from '../../access';
import { ErrorBanner } from '../../components/ui';
import { Form } from '../../components/form';
import { FieldError, bannerError, errorFor } from '../../components/field-error';
import './identity-forms.css';

const NAME_REQUIRED = 'Enter a name for the workspace.';

/** Settings → Workspaces: the list, rename in place, create (each where the role allows it). */
export function WorkspacesSection() {
  const { session } = useApp();
  const workspaces = useSession((s) => s.workspaces);
  const [name, setName] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const [editing, setEditing] = useState<{ id: string; name: string } | null>(null);
  /** Which form the error belongs to: the new-workspace form or the rename of one workspace (its id). */
  const [errorOf, setErrorOf] = useState<'create' | string | null>(null);
  const fail = (of: 'create' | string, err: IpcError | null) => {
    setError(err);
    setErrorOf(err ? of : null);
  };
  const nameError = (of: 'create' | string) => (errorOf === of ? errorFor(error, 'name') : null);
  const can = useCan();

  return (
    <div className="card">
      <h2>Workspaces</h2>
      <p className="muted">Every connection, secret and datastore belongs to exactly one workspace; nothing is shared across workspaces.</p>
      <ErrorBanner error={bannerError(error, ['name'])} testId="workspace-error" />
      <ul className="list" data-testid="workspace-list">
        {workspaces.map((w) => (
          <li key={w.id} data-testid="workspace-item">
            {editing?.id === w.id ? (
              <Form
                className="inline with-field-errors"
                onSubmit={async () => {
                  if (!editing.name.trim()) return fail(w.id, { code: 'INVALID_INPUT', message: NAME_REQUIRED, field: 'name' });
                  const err = await session.getState().renameWorkspace(w.id, editing.name);
                  fail(w.id, err);
                  if (!err) setEditing(null);
                }}
              >
                <div className="inline-field">
                  <input
                    aria-label="New name"
                    data-testid="workspace-rename-input"
                    value={editing.name}
                    aria-invalid={!!nameError(w.id)}
                    onChange={(e) => {
                      setEditing({ id: w.id, name: e.target.value });
                      if (errorOf === w.id) fail(w.id, null);
                    }}
                    autoFocus
                  />
                  <FieldError message={nameError(w.id)} testId="workspace-rename-error" />
                </div>
                <button type="submit" data-testid="workspace-rename-save">Save</button>
                <button
                  type="button"
                  className="secondary"
                  onClick={() => {
                    setEditing(null);
                    if (errorOf === w.id) fail(w.id, null);
                  }}
                >
                  Cancel
                </button>
              </Form>
            ) : (
              <>
                <span>{w.name}</span>
                <span className="muted mono">{w.id}</span>
                {can('workspace.rename') && (
                  <button className="link" data-testid="workspace-rename" onClick={() => setEditing({ id: w.id, name: w.name })}>Rename</button>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
      {can('workspace.create') && (
        <Form
          className="inline with-field-errors"
          onSubmit={async () => {
            if (!name.trim()) return fail('create', { code: 'INVALID_INPUT', message: NAME_REQUIRED, field: 'name' });
            const err = await session.getState().createWorkspace(name);
            fail('create', err);
            if (!err) setName('');
          }}
        >
          <div className="inline-field">
            <input
              placeholder="New workspace name"
              aria-label="New workspace name"
              data-testid="workspace-name-input"
              value={name}
              aria-invalid={!!nameError('create')}
              onChange={(e) => {
                setName(e.target.value);
                if (errorOf === 'create') fail('create', null);
              }}
            />
            <FieldError message={nameError('create')} testId="workspace-error" />
          </div>
          <button type="submit" data-testid="workspace-create">Create workspace</button>
        </Form>
      )}
    </div>
  );
}
