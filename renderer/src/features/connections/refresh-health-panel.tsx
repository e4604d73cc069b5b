import { useEffect } from 'react';
import { PROVIDER_CATALOG } from '@shared/domain/connection.catalog';
import { useApp, useOAuth, useSession } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { Timestamp } from '../../components/timestamp';

/** Refresh health per provider, on the Connections screen: what the rotation service did and will do next. */
export function RefreshHealthPanel() {
  const { oauth } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const health = useOAuth((s) => s.health);
  const error = useOAuth((s) => s.healthError);
  useEffect(() => (workspaceId ? oauth.getState().listenHealth(workspaceId) : undefined), [workspaceId, oauth]);
  if (!health || health.providers.length === 0) return null;
  return (
    <div className="card" data-testid="oauth-health">
      <h2>OAuth refresh health</h2>
      <ErrorBanner error={error} testId="oauth-health-error" />
      <table className="table">
        <thead>
          <tr>
            <th>Provider</th>
            <th>Connections</th>
            <th>Refreshes ok</th>
            <th>Failed</th>
            <th>In error</th>
            <th>Offline</th>
            <th>Next refresh</th>
          </tr>
        </thead>
        <tbody>
          {health.providers.map((p) => (
            <tr key={p.provider} data-testid="oauth-health-row" data-provider={p.provider} data-in-error={p.connectionsInError}>
              <td>{PROVIDER_CATALOG[p.provider].label}</td>
              <td>{p.connections}</td>
              <td>{p.refreshesOk}</td>
              <td>{p.refreshesFailed}</td>
              <td>{p.connectionsInError > 0 ? <span className="badge status-error">{p.connectionsInError}</span> : 0}</td>
              <td>{p.offline > 0 ? `${p.offline} (offline — will retry)` : 0}</td>
              <td className="mono"><Timestamp iso={p.nextRefreshAt} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
