import { parseWorkflowReferrer, useOpenWorkflow } from './cross-links';

export type Referrer = { type: string; id: string; name: string | null };

/**
 * "Used by": what references a connection, secret or datastore. Workflow entries are links to the workflow, naming
 * the step when the reference index records it; other referrers are listed by name.
 */
export function UsedByList(props: Readonly<{ referrers: readonly Referrer[]; testId: string }>) {
  const openWorkflow = useOpenWorkflow();
  return (
    <ul className="list" data-testid={props.testId}>
      {props.referrers.map((r) => {
        if (r.type !== 'workflow') {
          return (
            <li key={`${r.type}:${r.id}`}>
              {r.name ?? r.id} <span className="muted">({r.type})</span>
            </li>
          );
        }
        const { workflowId, name, stepIds } = parseWorkflowReferrer(r.id, r.name);
        return (
          <li key={`${r.type}:${r.id}`}>
            <button className="link" data-testid="used-by-workflow" data-workflow-id={workflowId} onClick={() => void openWorkflow(workflowId, stepIds[0])}>
              {name}
            </button>{' '}
            <span className="muted" data-testid="used-by-steps">
              (workflow{stepIds.length ? `, step${stepIds.length > 1 ? 's' : ''} ${stepIds.join(', ')}` : ''})
            </span>
          </li>
        );
      })}
    </ul>
  );
}
