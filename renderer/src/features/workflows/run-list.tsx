import type { RunSummary } from '@shared/domain/workflow';
import { useApp, useRuns, useWorkflows } from '../../app-context';
import { EmptyState, ErrorBanner } from '../../components/ui';
import { Timestamp } from '../../components/timestamp';
import { StatusBadge, actorLabel, formatMs } from './run-badges';

/** Runs, newest first: of one workflow (its Runs tab) or of the whole workspace (All runs). Live through the runs store. */
export function RunList(props: Readonly<{ showWorkflow: boolean }>) {
  const { runs } = useApp();
  const { items, status, error, nextCursor } = useRuns((s) => s);
  const names = useWorkflows((s) => s.items);
  const nameOf = (r: RunSummary) => names.find((w) => w.id === r.workflowId)?.name ?? r.workflowId.slice(0, 8);
  if (status === 'ready' && items.length === 0) {
    return (
      <EmptyState title="No runs yet" testId="runs-empty">
        Click “Run” on a workflow to start one; scheduled workflows start their own.
      </EmptyState>
    );
  }
  return (
    <div>
      <ErrorBanner error={error} testId="runs-error" />
      <table className="table" data-testid="run-list">
        <thead>
          <tr>
            <th>Status</th>
            {props.showWorkflow && <th>Workflow</th>}
            <th>Trigger</th>
            <th>Started by</th>
            <th>Started</th>
            <th>Duration</th>
          </tr>
        </thead>
        <tbody>
          {items.map((r) => (
            <tr key={r.id} className="clickable" data-testid="run-row" data-run-id={r.id} data-status={r.status} onClick={() => void runs.getState().open(r.id)}>
              <td>
                <button className="link" data-testid="run-open" aria-label={`Open run ${r.id}`}>
                  <StatusBadge status={r.status} />
                </button>
              </td>
              {props.showWorkflow && <td>{nameOf(r)}</td>}
              <td>
                {r.trigger}
                {r.replayOf && <span className="muted"> (replay)</span>}
              </td>
              <td>{actorLabel(r.startedBy)}</td>
              <td className="mono"><Timestamp iso={r.startedAt ?? r.queuedAt} /></td>
              <td>{formatMs(r.durationMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {nextCursor && (
        <button className="secondary" data-testid="runs-more" onClick={() => void runs.getState().loadMore()}>
          Load more
        </button>
      )}
    </div>
  );
}
