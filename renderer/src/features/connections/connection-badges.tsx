import { CircleAlert } from 'lucide-react';
import { PROVIDER_CATALOG, type ConnectionStatus, type Provider } from '@shared/domain/connection.catalog';
import type { ConnectionTestResult } from '@shared/domain/connection';
import { Timestamp } from '../../components/timestamp';

const OUTCOME_LABEL: Record<ConnectionTestResult['outcome'], string> = {
  valid: 'Valid',
  invalid_credential: 'Invalid credential',
  insufficient_scope: 'Insufficient scope',
  rate_limited: 'Rate limited',
  provider_error: 'Provider error',
  unreachable: 'Unreachable',
};

/** Letter badge in the provider's colour: drawn locally, the app never loads remote images. */
export function ProviderIcon(props: Readonly<{ provider: Provider; size?: number }>) {
  const { icon, label } = PROVIDER_CATALOG[props.provider];
  const size = props.size ?? 28;
  return (
    <svg width={size} height={size} viewBox="0 0 32 32" role="img" aria-label={label} data-testid={`provider-icon-${props.provider}`} className="provider-icon">
      <rect width="32" height="32" rx="7" fill={icon.color} />
      <text x="16" y="21" textAnchor="middle" fontSize={icon.letter.length > 1 ? 12 : 16} fontWeight="700" fill="#fff" fontFamily="system-ui, sans-serif">
        {icon.letter}
      </text>
    </svg>
  );
}

/** The status; an OAuth connection that was never authorized is neutral (data-status keeps the core's `error`). */
export function StatusBadge(props: Readonly<{ status: ConnectionStatus; awaitingAuthorization?: boolean }>) {
  if (props.status === 'error' && props.awaitingAuthorization) {
    return (
      <span className="badge status-awaiting" data-testid="connection-status" data-status={props.status} data-awaiting-authorization="true">
        Not authorized yet
      </span>
    );
  }
  return (
    <span className={`badge status-${props.status}`} data-testid="connection-status" data-status={props.status}>
      {props.status === 'error' && <CircleAlert size={12} aria-hidden className="icon-inline" />}
      {props.status}
    </span>
  );
}

/** A test's outcome as the detail panel and the wizard show it: the verdict, the provider's answer, the timing. */
export function TestResultView(props: Readonly<{ result: ConnectionTestResult; testId: string }>) {
  const r = props.result;
  return (
    <div className={`test-result ${r.ok ? 'ok' : 'failed'}`} data-testid={props.testId} data-outcome={r.outcome} data-tested-at={r.testedAt} role="status">
      <strong>{OUTCOME_LABEL[r.outcome]}</strong> — {r.message}
      <div className="muted mono">
        {r.httpStatus !== null ? `HTTP ${r.httpStatus} · ` : ''}
        {r.latencyMs} ms · <Timestamp iso={r.testedAt} />{r.retryAfterSeconds !== null ? ` · retry after ${r.retryAfterSeconds} s` : ''}
      </div>
    </div>
  );
}
