import { ArrowLeft } from 'lucide-react';
import { lazy, Suspense, useMemo, useState } from 'react';
import type { StepStatus } from '@shared/domain/workflow.catalog';
import { useApp, useRuns, useWorkflows } from '../../app-context';
import { useCan } from '../../access';
import { ConfirmDialog } from '../../components/dialog';
import { ErrorBanner } from '../../components/ui';
import { Timestamp } from '../../components/timestamp';
import { useAction } from '../../components/use-action';
import { dagInput } from './dag-input';
import { StatusBadge, actorLabel, formatMs } from './run-badges';
import { RunStepCard } from './run-step-card';

const DagPreview = lazy(() => import('./dag-preview'));

/**
 * One run: its summary, the DAG coloured by step status, the step timeline, Cancel (while it runs) and Replay. The
 * runs store re-reads the run on each `runs:changed` push, so this view follows the run live.
 */
export function RunView() {
  const { runs } = useApp();
  const can = useCan();
  const run = useRuns((s) => s.run);
  const runError = useRuns((s) => s.runError);
  const detail = useWorkflows((s) => s.detail);
  const connections = useWorkflows((s) => s.options.connection);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const { busy, error, setError, run: act } = useAction();
  const statuses = useMemo(() => Object.fromEntries((run?.steps ?? []).map((s) => [s.stepId, s.status])) as Record<string, StepStatus>, [run]);
  // The DAG of the version the run ran, when it is the one open (the run's own steps otherwise, without edges).
  const dag = useMemo(
    () => dagInput(detail && run && detail.id === run.workflowId ? detail.definition : { steps: (run?.steps ?? []).map((s) => ({ id: s.stepId, kind: s.kind })) }, statuses),
    [detail, run, statuses],
  );

  // A step that failed before it used its connection (paused, deleted) has no connectionId in its record: the
  // definition says which one it names, so its error can still link to it.
  const named = useMemo(() => {
    const out: Record<string, string> = {};
    if (detail && run && detail.id === run.workflowId) for (const st of detail.definition.steps) if (st.kind === 'http') out[st.id] = st.config.connectionId;
    return out;
  }, [detail, run]);

  if (!run) return runError ? <ErrorBanner error={runError} testId="run-error" /> : <p className="muted">Loading the run…</p>;
  const active = run.status === 'queued' || run.status === 'running';
  const mayRun = can('workflow.run');
  const replay = (from: 'failed' | 'start') =>
    act(async () => {
      const r = await runs.getState().replay(run.id, from);
      return r.ok ? null : r.error;
    });
  const nameOf = (id: string | null) => (id ? connections.find((c) => c.id === id)?.name : undefined);

  return (
    <section className="run-view" data-testid="run-view" data-run-id={run.id} data-status={run.status} aria-label={`Run ${run.id}`}>
      <div className="run-head">
        <button className="link" data-testid="run-back" onClick={() => void runs.getState().open(undefined)}>
          <ArrowLeft size={14} aria-hidden className="icon-inline" />
          Runs
        </button>
        <h3>
          Run <span className="mono">{run.id.slice(0, 8)}</span> <StatusBadge status={run.status} testId="run-view-status" />
        </h3>
        <p className="muted">
          Version {run.version} · {run.trigger}
          {run.replayOf ? ` of ${run.replayOf.slice(0, 8)}` : ''} · started by {actorLabel(run.startedBy)} · <Timestamp iso={run.startedAt ?? run.queuedAt} /> ·{' '}
          {formatMs(run.durationMs)}
        </p>
        <div className="actions-row">
          {active && mayRun && (
            <button className="danger" data-testid="run-cancel" onClick={() => setConfirmCancel(true)}>
              Cancel run
            </button>
          )}
          {!active && mayRun && run.status !== 'succeeded' && (
            <button data-testid="run-replay-failed" disabled={busy} onClick={() => void replay('failed')}>
              Replay from the failed step
            </button>
          )}
          {!active && mayRun && (
            <button className="secondary" data-testid="run-replay-start" disabled={busy} onClick={() => void replay('start')}>
              Replay from the start
            </button>
          )}
        </div>
        <ErrorBanner error={error ?? runError} testId="run-action-error" />
        {run.error && !run.error.stepId && (
          <p className="danger-text" data-testid="run-error-message">
            {run.error.message}
          </p>
        )}
      </div>
      <div className="run-body">
        <ol className="run-steps" data-testid="run-steps">
          {run.steps.map((s) => (
            <RunStepCard key={s.stepId} step={s} namedConnectionId={named[s.stepId] ?? null} connectionName={nameOf(s.connectionId ?? named[s.stepId] ?? null)} />
          ))}
        </ol>
        <Suspense fallback={null}>
          <DagPreview input={dag} testId="run-dag" />
        </Suspense>
      </div>
      {confirmCancel && (
        <ConfirmDialog
          title="Cancel this run?"
          confirmLabel="Cancel run"
          busy={busy}
          onCancel={() => setConfirmCancel(false)}
          onConfirm={async () => {
            setError(null);
            if (!(await act(() => runs.getState().cancel(run.id)))) setConfirmCancel(false);
          }}
          testId="run-cancel-dialog"
          confirmTestId="run-cancel-confirm"
        >
          <p>Steps in progress stop; steps not started yet are skipped. You can replay the run later.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
