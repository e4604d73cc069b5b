import { PROVIDER_CATALOG } from '@shared/domain/connection.catalog';
import type { ConnectionSummary } from '@shared/domain/connection';
import { useApp } from '../../app-context';
import { formatTimestamp } from '../../components/format';
import { ProviderIcon, StatusBadge } from './connection-badges';

/**
 * A selected row, from the list's own fields only. Reading the detail record is audited as connection.accessed
 * (high risk), so a mere selection must not fetch it: the admin opens the detail on purpose ("Open details"), and
 * each opening records exactly one access.
 */
export function ConnectionSummaryPanel(props: Readonly<{ c: ConnectionSummary }>) {
  const { connections } = useApp();
  const c = props.c;
  const entry = PROVIDER_CATALOG[c.provider];
  return (
    <aside className="card detail" data-testid="connection-summary" aria-label={`Connection ${c.name}`}>
      <div className="detail-head">
        <ProviderIcon provider={c.provider} size={36} />
        <div>
          <h2 data-testid="connection-summary-name">{c.name}</h2>
          <div className="muted">
            {entry.label} · {entry.authLabel} · <StatusBadge status={c.status} awaitingAuthorization={c.awaitingAuthorization} />
          </div>
        </div>
        <button className="link" aria-label="Close" data-testid="connection-summary-close" onClick={() => connections.getState().select(null)}>
          ✕
        </button>
      </div>
      <table className="kv">
        <tbody>
          <tr>
            <th>Status since</th>
            <td className="mono">{formatTimestamp(c.statusChangedAt)}</td>
          </tr>
          <tr>
            <th>Updated</th>
            <td className="mono">{formatTimestamp(c.updatedAt)}</td>
          </tr>
          <tr>
            <th>Created</th>
            <td className="mono">{formatTimestamp(c.createdAt)}</td>
          </tr>
        </tbody>
      </table>
      <p className="muted">Settings, the last test, the actions and the history are in the detail. Opening it is recorded in the audit log.</p>
      <div className="actions-row">
        <button data-testid="connection-open-detail" onClick={() => void connections.getState().open(c.id)}>
          Open details
        </button>
      </div>
    </aside>
  );
}
