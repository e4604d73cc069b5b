import { useApp, useSession } from '../../app-context';
import { SelectInput } from '../../components/select-input';

/** The sidebar's workspace choice; the session store remembers it for the next start (the preferences port). */
export function WorkspaceSwitcher() {
  const { session } = useApp();
  const workspaces = useSession((s) => s.workspaces);
  const current = useSession((s) => s.currentWorkspaceId);
  return (
    <label className="ws-switcher">
      <span className="muted">Workspace</span>
      <SelectInput
        testId="workspace-switcher"
        options={workspaces.map((w) => ({ value: w.id, label: w.name }))}
        value={current ?? ''}
        onChange={(id) => session.getState().selectWorkspace(id)}
      />
    </label>
  );
}
