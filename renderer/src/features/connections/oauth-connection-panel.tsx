import { PROVIDER_CATALOG } from '@shared/domain/connection.catalog';
import type { ConnectionDetail } from '@shared/domain/connection';
import { useApp, useOAuth, useSession } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { formatTimestamp } from '../../components/format';
import { Timestamp } from '../../components/timestamp';

/**
 * How the consent page is shown: the console opens it in a new tab (the headless process also prints it); in the
 * desktop the core's main process has already opened the system browser, so the renderer opens nothing.
 */
function useOpener(): (url: string) => void {
  const mode = useSession((s) => s.session?.mode);
  return (url) => {
    if (mode === 'headless') window.open(url, '_blank', 'noopener');
  };
}

/** The OAuth part of a connection's detail: Authorize / Re-authorize, the flow's outcome, and the token bookkeeping. */
export function OAuthConnectionPanel(props: Readonly<{ connection: ConnectionDetail }>) {
  const { oauth, connections } = useApp();
  const c = props.connection;
  const flow = useOAuth((s) => s.flows[c.id]);
  const flowError = useOAuth((s) => s.flowErrors[c.id]);
  const open = useOpener();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const info = c.oauth ?? null;
  const pending = flow?.status.state === 'pending';
  const authorized = info !== null;

  const start = async () => {
    if (!workspaceId) return;
    await oauth.getState().authorize(workspaceId, c.id, open);
    await connections.getState().refresh(c.id);
  };

  return (
    <div className="card" data-testid="oauth-panel">
      <h3>OAuth 2.0</h3>
      <div className="actions-row">
        <button data-testid="connection-authorize" disabled={pending} onClick={() => void start()}>
          {pending ? 'Waiting for the browser…' : authorized ? 'Re-authorize' : 'Authorize'}
        </button>
      </div>
      {pending && (
        <p className="muted" data-testid="connection-authorize-pending">
          Complete the consent at {PROVIDER_CATALOG[c.provider].label} in the browser tab that opened, then return here.{' '}
          <a href={flow.authorizationUrl} target="_blank" rel="noopener noreferrer" data-testid="connection-authorize-link">
            Open the consent page again
          </a>
        </p>
      )}
      {flow?.status.state === 'completed' && (
        <p className="muted" data-testid="connection-authorize-done">
          Authorized. The refresh token is stored encrypted; access tokens are refreshed automatically.
        </p>
      )}
      {flow?.status.error && (
        <div className="error-banner" role="alert" data-testid="connection-authorize-error" data-code={flow.status.error.code}>
          {flow.status.error.message}
        </div>
      )}
      <ErrorBanner error={flowError} testId="connection-authorize-start-error" />
      {info ? (
        <table className="kv" data-testid="oauth-token-info" data-refresh-state={info.refreshState}>
          <tbody>
            <tr>
              <th>Access token expires</th>
              <td className="mono"><Timestamp iso={info.tokenExpiresAt} /></td>
            </tr>
            <tr>
              <th>Last refresh</th>
              <td className="mono"><Timestamp iso={info.lastRefreshAt} /></td>
            </tr>
            <tr>
              <th>Next refresh</th>
              <td className="mono"><Timestamp iso={info.nextRefreshAt} /></td>
            </tr>
            <tr>
              <th>Last refresh error</th>
              <td data-testid="oauth-last-refresh-error">
                {info.lastRefreshError ? `${info.lastRefreshError.message} (${formatTimestamp(info.lastRefreshError.at)})` : 'none'}
              </td>
            </tr>
          </tbody>
        </table>
      ) : (
        <p className="muted" data-testid="oauth-not-authorized">
          Not authorized yet: click Authorize and grant access at {PROVIDER_CATALOG[c.provider].label}. The OAuth app must be registered under Settings → OAuth apps.
        </p>
      )}
    </div>
  );
}
