import { useState } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useSession } from '../../app-context';
import { useCan } from '../../access';
import { ErrorBanner } from '../../components/ui';
import { Form } from '../../components/form';

/** Settings → Workspaces: the list, rename in place, create (each where the role allows it). */
export function WorkspacesSection() {
  const { session } = useApp();
  const workspaces = useSession((s) => s.workspaces);
  const [name, setName] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const [editing, setEditing] = useState<{ id: string; name: string } | null>(null);
  const can = useCan();

  return (
    <div className="card">
      <h2>Workspaces</h2>
      <p className="muted">Every connection, secret and datastore belongs to exactly one workspace; nothing is shared across workspaces.</p>
      <ErrorBanner error={error} testId="workspace-error" />
      <ul className="list" data-testid="workspace-list">
        {workspaces.map((w) => (
          <li key={w.id} data-testid="workspace-item">
            {editing?.id === w.id ? (
              <Form
                className="inline"
                onSubmit={async () => {
                  const err = await session.getState().renameWorkspace(w.id, editing.name);
                  setError(err);
                  if (!err) setEditing(null);
                }}
              >
                <input aria-label="New name" data-testid="workspace-rename-input" value={editing.name} onChange={(e) => setEditing({ id: w.id, name: e.target.value })} autoFocus />
                <button type="submit" data-testid="workspace-rename-save">Save</button>
                <button type="button" className="secondary" onClick={() => setEditing(null)}>Cancel</button>
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
          className="inline"
          onSubmit={async () => {
            const err = await session.getState().createWorkspace(name);
            setError(err);
            if (!err) setName('');
          }}
        >
          <input placeholder="New workspace name" aria-label="New workspace name" data-testid="workspace-name-input" value={name} onChange={(e) => setName(e.target.value)} />
          <button type="submit" data-testid="workspace-create">Create workspace</button>
        </Form>
      )}
    </div>
  );
}
