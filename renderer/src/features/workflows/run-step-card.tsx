import type { RunStep } from '@shared/domain/workflow';
import { Timestamp } from '../../components/timestamp';
import { useOpenConnection } from './cross-links';
import { StatusBadge, formatMs } from './run-badges';
import { StepProblem } from './step-problem';

/** One step of the run's timeline: status, attempt, timing, the connection it used, its error or its (scrubbed) output. */
export function RunStepCard(props: Readonly<{ step: RunStep; connectionName?: string; namedConnectionId: string | null }>) {
  const s = props.step;
  const openConnection = useOpenConnection();
  return (
    <li className={`run-step status-${s.status}`} data-testid="run-step" data-step={s.stepId} data-status={s.status}>
      <div className="run-step-head">
        <strong className="mono">{s.stepId}</strong> <span className="muted">{s.kind}</span> <StatusBadge status={s.status} testId="run-step-status" />
        {s.attempt > 1 && <span className="muted"> attempt {s.attempt}</span>}
        <span className="muted">
          {' '}
          · <Timestamp iso={s.startedAt} none="not started" /> · {formatMs(s.durationMs)}
        </span>
      </div>
      {s.connectionId && (
        <p className="muted">
          Connection:{' '}
          <button className="link" data-testid="run-step-connection" onClick={() => void openConnection(s.connectionId!)}>
            {props.connectionName ?? s.connectionId}
          </button>
        </p>
      )}
      {s.reusedFrom && <p className="muted">Output reused from run {s.reusedFrom.slice(0, 8)} (not run again).</p>}
      {s.error && <StepProblem error={s.error} connectionId={s.connectionId ?? props.namedConnectionId} connectionName={props.connectionName} />}
      {s.output !== undefined && s.output !== null && (
        <details data-testid="run-step-output">
          <summary>Output{s.outputTruncated ? ' (truncated: too big to keep whole; this is a summary)' : ''}</summary>
          <pre className="mono output">{typeof s.output === 'string' ? s.output : JSON.stringify(s.output, null, 2)}</pre>
        </details>
      )}
    </li>
  );
}
