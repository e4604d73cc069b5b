import { ArrowLeft } from 'lucide-react';
import { useEffect, useMemo, useState } from 'react';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useRuns, useSession, useWorkflows } from '../../app-context';
import { useCan } from '../../access';
import { ErrorBanner } from '../../components/ui';
import { formatTimestamp } from '../../components/format';
import { Timestamp } from '../../components/timestamp';
import { useAction } from '../../components/use-action';
import { RunInputsDialog } from './run-inputs-dialog';
import { RunList } from './run-list';
import { RunView } from './run-view';
import { WorkflowDeleteDialog } from './workflow-delete-dialog';
import { WorkflowEditorPane } from './workflow-editor-pane';
import { downloadText } from '../../components/download-file';
import { exportFileName, exportText } from './workflow-file';
import { parseDefinition } from './workflow-references';

type Tab = 'definition' | 'runs';
type InputValue = string | number | boolean | null;

/** The open workflow (or an unsaved one): Save, Run, Export, Delete, the version picker, and its Definition / Runs tabs. */
export function WorkflowDetail() {
  const { workflows, runs } = useApp();
  const can = useCan();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const draft = useWorkflows((s) => s.draft)!;
  const detail = useWorkflows((s) => s.detail);
  const versions = useWorkflows((s) => s.versions);
  const conflict = useWorkflows((s) => s.conflict);
  const openRunId = useRuns((s) => s.openRunId);
  const [tab, setTab] = useState<Tab>('definition');
  const [deleting, setDeleting] = useState(false);
  const [askInputs, setAskInputs] = useState<Record<string, InputValue> | null>(null);
  const { busy, error, setError, run } = useAction();
  const canWrite = can('workflow.write');
  const parsed = useMemo(() => parseDefinition(draft.text), [draft.text]);
  const def = parsed.ok && typeof parsed.value === 'object' && parsed.value ? (parsed.value as { name?: unknown; inputs?: unknown }) : {};
  const name = typeof def.name === 'string' && def.name ? def.name : (detail?.name ?? 'Untitled workflow');
  const saved = draft.workflowId !== null;

  // The Runs tab lists this workflow's runs (live); another workflow opened starts on its definition again.
  useEffect(() => {
    if (!workspaceId || !draft.workflowId) return;
    void runs.getState().load(workspaceId, draft.workflowId);
  }, [workspaceId, draft.workflowId, runs]);
  useEffect(() => setTab(runs.getState().openRunId ? 'runs' : 'definition'), [draft.workflowId, runs]);
  useEffect(() => {
    if (openRunId) setTab('runs');
  }, [openRunId]);

  const start = async (inputs?: Record<string, InputValue>): Promise<IpcError | null> => {
    const r = await runs.getState().start(draft.workflowId!, inputs);
    if (!r.ok) return r.error;
    setTab('runs');
    return null;
  };
  const onRun = () => {
    const declared = def.inputs && typeof def.inputs === 'object' ? (def.inputs as Record<string, InputValue>) : null;
    if (declared && Object.keys(declared).length) setAskInputs(declared);
    else void run(() => start());
  };

  return (
    <section className="wf-detail" data-testid="workflow-detail" aria-label={`Workflow ${name}`} data-workflow-id={draft.workflowId ?? ''} data-dirty={draft.dirty ? 'true' : 'false'}>
      <div className="detail-head">
        <button
          className="link"
          data-testid="workflow-back"
          onClick={() => {
            void runs.getState().open(undefined);
            void workflows.getState().select(undefined);
          }}
        >
          <ArrowLeft size={14} aria-hidden className="icon-inline" />
          Workflows
        </button>
        <div>
          <h2 data-testid="workflow-detail-name">{name}</h2>
          <p className="muted">
            {saved ? `Version ${draft.viewingVersion ?? draft.baseVersion}` : 'Not saved yet'}
            {draft.dirty && saved ? ' · unsaved changes' : ''}
            {detail && ` · updated ${formatTimestamp(detail.updatedAt)}`}
            {detail?.schedule && ` · schedule ${detail.schedule} (${detail.timezone}), next ${formatTimestamp(detail.nextRunAt, 'none')}`}
          </p>
        </div>
      </div>
      <div className="actions-row">
        {canWrite && (
          <button
            data-testid="workflow-save"
            disabled={busy || draft.viewingVersion !== null || (saved && !draft.dirty)}
            onClick={() => void run(() => workflows.getState().save())}
          >
            {busy ? 'Saving…' : saved ? 'Save new version' : 'Save'}
          </button>
        )}
        {can('workflow.run') && saved && (
          <button className="secondary" data-testid="workflow-run" disabled={busy || draft.dirty} title={draft.dirty ? 'Save first: a run runs a saved version' : undefined} onClick={onRun}>
            Run
          </button>
        )}
        <button className="secondary" data-testid="workflow-export" onClick={() => downloadText(exportFileName(name), exportText(draft.text), 'application/json')}>
          Export
        </button>
        {saved && versions.length > 0 && (
          <label className="inline">
            Version
            <select
              data-testid="workflow-version"
              value={draft.viewingVersion ?? versions[0]!.version}
              onChange={(e) => void run(() => workflows.getState().viewVersion(Number(e.target.value) === versions[0]!.version ? null : Number(e.target.value)))}
            >
              {versions.map((v, i) => (
                <option key={v.version} value={v.version}>
                  v{v.version} · <Timestamp iso={v.createdAt} />
                  {i === 0 ? ' (latest)' : ''}
                </option>
              ))}
            </select>
          </label>
        )}
        {can('workflow.delete') && saved && (
          <button className="danger" data-testid="workflow-delete" onClick={() => setDeleting(true)}>
            Delete
          </button>
        )}
      </div>
      {draft.viewingVersion !== null && (
        <p className="notice" data-testid="workflow-old-version">
          Version {draft.viewingVersion} is shown read-only. Choose the latest version to edit.
        </p>
      )}
      {conflict ? (
        <div className="error-banner" role="alert" data-testid="workflow-conflict">
          Someone else saved a newer version of this workflow while you were editing. Reload it to see their changes (yours are discarded), or copy your
          changes out first.{' '}
          <button
            className="link"
            data-testid="workflow-conflict-reload"
            onClick={() => {
              setError(null);
              void workflows.getState().select(draft.workflowId!);
            }}
          >
            Reload the latest version
          </button>
        </div>
      ) : (
        <ErrorBanner error={error} testId="workflow-action-error" />
      )}
      {saved && (
        <div role="tablist" className="tabs" aria-label="Workflow">
          <button role="tab" aria-selected={tab === 'definition'} className={tab === 'definition' ? 'tab active' : 'tab'} data-testid="workflow-tab-definition" onClick={() => setTab('definition')}>
            Definition
          </button>
          <button role="tab" aria-selected={tab === 'runs'} className={tab === 'runs' ? 'tab active' : 'tab'} data-testid="workflow-tab-runs" onClick={() => setTab('runs')}>
            Runs
          </button>
        </div>
      )}
      {tab === 'definition' || !saved ? <WorkflowEditorPane canWrite={canWrite} /> : openRunId ? <RunView /> : <RunList showWorkflow={false} />}
      {deleting && detail && <WorkflowDeleteDialog id={detail.id} name={detail.name} onClose={() => setDeleting(false)} />}
      {askInputs && <RunInputsDialog declared={askInputs} onRun={start} onClose={() => setAskInputs(null)} />}
    </section>
  );
}
