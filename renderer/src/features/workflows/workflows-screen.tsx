import { Tabs } from 'radix-ui';
import { useEffect, useRef, useState } from 'react';
import { useApp, useRuns, useSession, useWorkflows } from '../../app-context';
import { useCan } from '../../access';
import { EmptyState, ErrorBanner, Screen } from '../../components/ui';
import { shortcutAttributes } from '../../components/shortcuts';
import { RunList } from './run-list';
import { RunView } from './run-view';
import { WorkflowCreateDialog } from './workflow-create-dialog';
import { WorkflowDetail } from './workflow-detail';
import { MAX_IMPORT_BYTES } from './workflow-file';
import { WorkflowList } from './workflow-list';

/** Debounce of the search box. */
const SEARCH_DELAY_MS = 200;

/**
 * Workflows: the list (or every run of the workspace), New / Import, and the open workflow with its editor and runs.
 * Live: definitions follow `workflows:changed`, runs follow `runs:changed` (the existing push channel; no polling).
 */
export function WorkflowsScreen() {
  const { workflows, runs } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const can = useCan();
  const { items, status, error, search, draft, detailError } = useWorkflows((s) => s);
  const openRunId = useRuns((s) => s.openRunId);
  const [draftSearch, setDraftSearch] = useState(search);
  const [creating, setCreating] = useState(false);
  const [view, setView] = useState<'workflows' | 'runs'>('workflows');
  const [importError, setImportError] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const canWrite = can('workflow.write');

  useEffect(() => {
    if (!workspaceId) return;
    void workflows.getState().load(workspaceId);
    const offWorkflows = workflows.getState().listen(workspaceId);
    const offRuns = runs.getState().listen(workspaceId);
    return () => {
      offWorkflows();
      offRuns();
    };
  }, [workspaceId, workflows, runs]);

  useEffect(() => {
    if (!workspaceId || draftSearch === workflows.getState().search) return;
    const h = setTimeout(() => void workflows.getState().load(workspaceId, draftSearch), SEARCH_DELAY_MS);
    return () => clearTimeout(h);
  }, [draftSearch, workspaceId, workflows]);

  useEffect(() => {
    if (view === 'runs' && workspaceId) void runs.getState().load(workspaceId, undefined);
  }, [view, workspaceId, runs]);

  const importFile = async (file: File | undefined) => {
    setImportError(null);
    if (!file) return;
    if (file.size > MAX_IMPORT_BYTES) return setImportError(`${file.name} is too big for a workflow definition (at most 5 MiB).`);
    workflows.getState().openUnsaved(await file.text());
  };

  if (draft) {
    return (
      <Screen testId="screen-workflows" title="Workflows">
        <WorkflowDetail />
      </Screen>
    );
  }
  return (
    <Screen
      testId="screen-workflows"
      title="Workflows"
      subtitle="Steps that use your connections, secrets and datastores: read a file, transform it, call a provider, write the result."
      primary={canWrite && { label: 'New workflow', testId: 'workflow-new', onClick: () => setCreating(true) }}
    >
      {/* Radix Tabs: arrow keys between the tabs, each tab wired to its panel (aria-controls). */}
      <Tabs.Root className="screen-body" value={view} onValueChange={(v) => setView(v === 'runs' ? 'runs' : 'workflows')}>
        <div className="actions-row">
          {canWrite && (
            <>
              <button className="secondary" data-testid="workflow-import" onClick={() => fileInput.current?.click()}>
                Import…
              </button>
              <input
                ref={fileInput}
                type="file"
                accept=".json,application/json"
                hidden
                aria-label="Import a workflow file"
                data-testid="workflow-import-file"
                onChange={(e) => {
                  void importFile(e.target.files?.[0]);
                  e.target.value = '';
                }}
              />
            </>
          )}
          <Tabs.List className="tabs" aria-label="Show">
            <Tabs.Trigger value="workflows" className="tab" data-testid="workflows-tab-list">
              Workflows
            </Tabs.Trigger>
            <Tabs.Trigger value="runs" className="tab" data-testid="workflows-tab-runs">
              All runs
            </Tabs.Trigger>
          </Tabs.List>
        </div>
        {importError && (
          <p className="danger-text" role="alert" data-testid="workflow-import-error">
            {importError}
          </p>
        )}
        <ErrorBanner error={error ?? detailError} testId="workflows-error" />
        <Tabs.Content value="runs" className="screen-body">
          {openRunId ? <RunView /> : <RunList showWorkflow />}
        </Tabs.Content>
        <Tabs.Content value="workflows" className="screen-body">
          <input type="search" placeholder="Search by name" aria-label="Search workflows" data-testid="workflow-search" {...shortcutAttributes('search')} value={draftSearch} onChange={(e) => setDraftSearch(e.target.value)} />
          {status === 'ready' && items.length === 0 ? (
            <EmptyState title={search ? 'No workflow matches' : 'No workflows yet'} testId="workflows-empty">
              {search
                ? `No workflow name contains “${search}”.`
                : canWrite
                  ? 'Create one with “New workflow”, or import a .workflow.json file (examples/ has one that reads a CSV, calls a provider and writes the result back).'
                  : 'An admin or editor can create workflows in this workspace.'}
            </EmptyState>
          ) : (
            <WorkflowList />
          )}
        </Tabs.Content>
      </Tabs.Root>
      {creating && <WorkflowCreateDialog onClose={() => setCreating(false)} />}
    </Screen>
  );
}
