import { useOpenConnection } from './cross-links';
import { adviceFor, type StepError } from './step-advice';

/** A failed step's error: code and message as the core gave them (scrubbed), what to do, and a link to the fix. */
export function StepProblem(props: Readonly<{ error: StepError; connectionId: string | null; connectionName?: string }>) {
  const openConnection = useOpenConnection();
  const { advice, fix } = adviceFor(props.error, props.connectionId !== null);
  return (
    <div className="step-problem" role="alert" data-testid="step-error" data-code={props.error.code}>
      <p>
        <strong data-testid="step-error-message">{props.error.message}</strong> <span className="muted mono">({props.error.code})</span>
      </p>
      <p data-testid="step-error-advice">{advice}</p>
      {fix === 'connection' && props.connectionId && (
        <button className="link" data-testid="step-fix-connection" onClick={() => void openConnection(props.connectionId!)}>
          Open {props.connectionName ? `“${props.connectionName}”` : 'the connection'} in Connections
        </button>
      )}
    </div>
  );
}
