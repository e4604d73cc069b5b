import type { WorkflowSummary } from '@shared/domain/workflow';
import { useApp, useWorkflows } from '../../app-context';
import { Timestamp } from '../../components/timestamp';
import { StatusBadge } from './run-badges';
import { useRovingList } from '../../components/use-roving-list';

/** The workspace's workflows: name, steps, schedule and next run, last run, last update. A row opens the workflow. */
export function WorkflowList() {
  const { workflows } = useApp();
  const { items, nextCursor } = useWorkflows((s) => s);
  const rowsRef = useRovingList<HTMLTableElement>('button[data-testid="workflow-open"]');
  return (
    <div>
      <table className="table" data-testid="workflow-list" ref={rowsRef}>
        <thead>
          <tr>
            <th>Name</th>
            <th>Steps</th>
            <th>Schedule</th>
            <th>Last run</th>
            <th>Updated</th>
          </tr>
        </thead>
        <tbody>
          {items.map((w) => (
            <Row key={w.id} w={w} open={() => void workflows.getState().select(w.id)} />
          ))}
        </tbody>
      </table>
      {nextCursor && (
        <button className="secondary" data-testid="workflows-more" onClick={() => void workflows.getState().loadMore()}>
          Load more
        </button>
      )}
    </div>
  );
}

function Row(props: Readonly<{ w: WorkflowSummary; open: () => void }>) {
  const { w } = props;
  return (
    <tr className="clickable" data-testid="workflow-row" data-name={w.name} onClick={props.open}>
      <td>
        <button className="link" data-testid="workflow-open">
          {w.name}
        </button>
        {w.description && <div className="muted clamp-2">{w.description}</div>}
      </td>
      <td>{w.stepCount}</td>
      <td>
        {w.schedule ? (
          <>
            <span className="mono">{w.schedule}</span>
            <div className="muted">next <Timestamp iso={w.nextRunAt} none="none" /></div>
          </>
        ) : (
          <span className="muted">manual</span>
        )}
      </td>
      <td>{w.lastRun ? <StatusBadge status={w.lastRun.status} testId="workflow-last-run" /> : <span className="muted">never</span>}</td>
      <td className="mono"><Timestamp iso={w.updatedAt} /></td>
    </tr>
  );
}
