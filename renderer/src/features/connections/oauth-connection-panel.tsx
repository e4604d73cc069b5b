import { useState } from 'react';
import { PROVIDER_CATALOG } from '@shared/domain/connection.catalog';
import type { ConnectionDetail } from '@shared/domain/connection';
import type { OAuthProvider } from '@shared/domain/oauth.catalog';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useOAuth, useSession } from '../../app-context';
import { ErrorBanner } from '../../components/ui';
import { Form } from '../../components/form';
import { formatTimestamp } from '../../components/format';
import { EMPTY_OAUTH_APP, OAuthAppFields, oauthAppIssueKey, oauthAppPayload, oauthAppProblems, type OAuthAppValues } from './oauth-app-fields';
import { Timestamp } from '../../components/timestamp';
import { useOAuthApps } from './use-oauth-apps';

/**
 * How the consent page is shown: the console opens it in a new tab (the headless process also prints it); in the
 * desktop the core's main process has already opened the system browser, so the renderer opens nothing.
 */
export function useConsentOpener(): (url: string) => void {
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
  const open = useConsentOpener();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const info = c.oauth ?? null;
  const pending = flow?.status.state === 'pending';
  const authorized = info !== null;
  // Without the provider's OAuth app there is nothing to authorize with: collect it here rather than fail.
  const { apps, loaded: appsLoaded } = useOAuthApps();
  const needsApp = appsLoaded && !apps.some((a) => a.provider === c.provider);

  const start = async () => {
    if (!workspaceId) return;
    await oauth.getState().authorize(workspaceId, c.id, open);
    await connections.getState().refresh(c.id);
  };

  return (
    <div className="card" data-testid="oauth-panel">
      <h3>OAuth 2.0</h3>
      {needsApp ? (
        <MissingAppForm provider={c.provider as OAuthProvider} onRegistered={start} />
      ) : (
        <div className="actions-row">
          <button data-testid="connection-authorize" disabled={pending} onClick={() => void start()}>
            {pending ? 'Waiting for the browser…' : authorized ? 'Re-authorize' : 'Authorize'}
          </button>
        </div>
      )}
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
          Not authorized yet: {needsApp ? 'enter the OAuth app above, then' : 'click Authorize and'} grant access at {PROVIDER_CATALOG[c.provider].label}.
        </p>
      )}
    </div>
  );
}

/** The provider's OAuth app, entered where it is missing; once registered, consent starts at once. */
function MissingAppForm(props: Readonly<{ provider: OAuthProvider; onRegistered: () => Promise<void> }>) {
  const { oauth } = useApp();
  const label = PROVIDER_CATALOG[props.provider].label;
  const [values, setValues] = useState<OAuthAppValues>(EMPTY_OAUTH_APP);
  const [issues, setIssues] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<IpcError | null>(null);
  const submit = async () => {
    const found = oauthAppProblems(props.provider, values);
    setIssues(found);
    setError(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    const err = await oauth.getState().createApp({ provider: props.provider, ...oauthAppPayload(values) });
    setBusy(false);
    if (!err) return props.onRegistered();
    const key = err.field ? oauthAppIssueKey(err.field) : '';
    if (key in values) setIssues({ [key]: err.message });
    else setError(err);
  };
  return (
    <Form testId="oauth-missing-app" onSubmit={submit}>
      <p className="muted">This workspace has no {label} OAuth app. Create one at {label} with this redirect URI, then enter its client id and secret.</p>
      <OAuthAppFields
        provider={props.provider}
        values={values}
        onChange={(v) => {
          setValues(v);
          setIssues({});
        }}
        issues={issues}
        idPrefix="missing-app"
        showRedirect
        foldAdvanced
      />
      <ErrorBanner error={error} testId="missing-app-error" />
      <div className="actions-row">
        <button type="submit" data-testid="missing-app-save" disabled={busy}>
          {busy ? 'Saving…' : 'Save the app and authorize'}
        </button>
      </div>
    </Form>
  );
}
