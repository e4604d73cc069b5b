import { useEffect, useState } from 'react';
import { PROVIDER_CATALOG } from '@shared/domain/connection.catalog';
import type { ConnectionDetail } from '@shared/domain/connection';
import { OAUTH_PROVIDERS, type OAuthProvider } from '@shared/domain/oauth.catalog';
import type { OAuthApp } from '@shared/domain/oauth';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useOAuth, useSession } from '../app-context';
import { EmptyState, ErrorBanner } from '../components/ui';
import { Modal } from '../components/dialog';

const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 19) : '—');

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
    if (workspaceId) oauth.setState({ workspaceId });
    await oauth.getState().authorize(c.id, open);
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
              <td className="mono">{when(info.tokenExpiresAt)}</td>
            </tr>
            <tr>
              <th>Last refresh</th>
              <td className="mono">{when(info.lastRefreshAt)}</td>
            </tr>
            <tr>
              <th>Next refresh</th>
              <td className="mono">{when(info.nextRefreshAt)}</td>
            </tr>
            <tr>
              <th>Last refresh error</th>
              <td data-testid="oauth-last-refresh-error">
                {info.lastRefreshError ? `${info.lastRefreshError.message} (${when(info.lastRefreshError.at)})` : 'none'}
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

/** Refresh health per provider, on the Connections screen: what the rotation service did and will do next. */
export function RefreshHealthPanel() {
  const { oauth, api } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const health = useOAuth((s) => s.health);
  const error = useOAuth((s) => s.healthError);
  useEffect(() => {
    if (!workspaceId) return;
    void oauth.getState().loadHealth(workspaceId);
    const reload = (p: { workspaceId: string }) => p.workspaceId === workspaceId && void oauth.getState().loadHealth(workspaceId);
    const off1 = api.on('oauth:health-changed', reload);
    const off2 = api.on('connections:changed', reload);
    return () => {
      off1();
      off2();
    };
  }, [workspaceId, oauth, api]);
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
              <td className="mono">{when(p.nextRefreshAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type AppForm = { provider: OAuthProvider; clientId: string; clientSecret: string; scopes: string; baseUrl: string };
const emptyForm: AppForm = { provider: 'okta', clientId: '', clientSecret: '', scopes: '', baseUrl: '' };

/** Settings → OAuth apps: the provider-side app each OAuth provider's consent flow uses (one per provider). */
export function OAuthAppsSection() {
  const { oauth } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const role = useSession((s) => (s.currentWorkspaceId ? s.session?.roles[s.currentWorkspaceId] : undefined));
  const canWrite = role === 'admin' || role === 'editor';
  const apps = useOAuth((s) => s.apps);
  const appsError = useOAuth((s) => s.appsError);
  const [form, setForm] = useState<AppForm | null>(null);
  const [editing, setEditing] = useState<OAuthApp | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [confirm, setConfirm] = useState<OAuthApp | null>(null);

  useEffect(() => {
    if (workspaceId) void oauth.getState().loadApps(workspaceId);
  }, [workspaceId, oauth]);

  const save = async () => {
    if (!form) return;
    const scopes = form.scopes.split(/[\s,]+/).filter(Boolean);
    const settings = form.baseUrl.trim() ? { baseUrl: form.baseUrl.trim() } : {};
    const err = editing
      ? await oauth.getState().updateApp(editing.id, {
          clientId: form.clientId,
          scopes,
          settings,
          ...(form.clientSecret ? { clientSecret: form.clientSecret } : {}),
        })
      : await oauth.getState().createApp({ provider: form.provider, clientId: form.clientId, scopes, settings, ...(form.clientSecret ? { clientSecret: form.clientSecret } : {}) });
    setError(err);
    if (!err) {
      setForm(null);
      setEditing(null);
    }
  };

  return (
    <div className="card" data-testid="oauth-apps">
      <h2>OAuth apps</h2>
      <p className="muted">
        Register each OAuth provider&apos;s app (client id, client secret, scopes). Its allowed redirect URIs must include the loopback redirect{' '}
        <span className="mono">http://127.0.0.1/callback</span> (any port). The client secret is stored in the vault and cannot be shown again.
      </p>
      <ErrorBanner error={appsError ?? error} testId="oauth-app-error" />
      {apps.length === 0 ? (
        <EmptyState title="No OAuth apps" testId="oauth-apps-empty">
          {canWrite ? 'Click "Add OAuth app" and enter the client id and secret from the provider.' : 'Ask an admin or editor to register the OAuth apps.'}
        </EmptyState>
      ) : (
        <table className="table" data-testid="oauth-apps-table">
          <thead>
            <tr>
              <th>Provider</th>
              <th>Client id</th>
              <th>Secret</th>
              <th>Scopes</th>
              <th>Base URL</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {apps.map((a) => (
              <tr key={a.id} data-testid="oauth-app-row" data-provider={a.provider}>
                <td>{PROVIDER_CATALOG[a.provider].label}</td>
                <td className="mono">{a.clientId}</td>
                <td>{a.hasClientSecret ? 'stored (write-only)' : 'none (public client)'}</td>
                <td className="mono">{a.scopes.join(' ') || 'provider default'}</td>
                <td className="mono">{a.settings.baseUrl ?? 'provider default'}</td>
                <td>
                  {canWrite && (
                    <>
                      <button
                        className="link"
                        data-testid="oauth-app-edit"
                        onClick={() => {
                          setEditing(a);
                          setForm({ provider: a.provider, clientId: a.clientId, clientSecret: '', scopes: a.scopes.join(' '), baseUrl: a.settings.baseUrl ?? '' });
                        }}
                      >
                        Edit
                      </button>
                      <button className="link" data-testid="oauth-app-delete" onClick={() => setConfirm(a)}>
                        Delete
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canWrite && !form && (
        <button data-testid="oauth-app-add" onClick={() => setForm(emptyForm)}>
          Add OAuth app
        </button>
      )}
      {form && (
        <form
          className="stack"
          data-testid="oauth-app-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <label>
            Provider
            <select data-testid="oauth-app-provider" value={form.provider} disabled={!!editing} onChange={(e) => setForm({ ...form, provider: e.target.value as OAuthProvider })}>
              {OAUTH_PROVIDERS.map((p) => (
                <option key={p} value={p}>
                  {PROVIDER_CATALOG[p].label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Client id
            <input data-testid="oauth-app-client-id" value={form.clientId} onChange={(e) => setForm({ ...form, clientId: e.target.value })} autoComplete="off" />
          </label>
          <label>
            Client secret <span className="muted">{editing?.hasClientSecret ? '(leave empty to keep the stored one)' : '(empty for a public PKCE client)'}</span>
            <input type="password" data-testid="oauth-app-client-secret" value={form.clientSecret} onChange={(e) => setForm({ ...form, clientSecret: e.target.value })} autoComplete="off" />
          </label>
          <label>
            Scopes <span className="muted">(space-separated; empty = the provider&apos;s defaults)</span>
            <input data-testid="oauth-app-scopes" value={form.scopes} onChange={(e) => setForm({ ...form, scopes: e.target.value })} placeholder={PROVIDER_CATALOG[form.provider].oauth?.defaultScopes} />
          </label>
          <label>
            Base URL override <span className="muted">{form.provider === 'okta' ? '(the authorization server, e.g. https://your-org.okta.com/oauth2/default)' : '(optional, e.g. an enterprise host)'}</span>
            <input data-testid="oauth-app-base-url" value={form.baseUrl} onChange={(e) => setForm({ ...form, baseUrl: e.target.value })} placeholder="https://" />
          </label>
          <div className="actions-row">
            <button type="submit" data-testid="oauth-app-save">
              {editing ? 'Save changes' : 'Add'}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setForm(null);
                setEditing(null);
                setError(null);
              }}
            >
              Cancel
            </button>
          </div>
        </form>
      )}
      {confirm && (
        <Modal
          title={`Delete the ${PROVIDER_CATALOG[confirm.provider].label} OAuth app?`}
          onClose={() => setConfirm(null)}
          testId="oauth-app-delete-dialog"
          actions={
            <>
              <button className="secondary" data-testid="oauth-app-delete-cancel" onClick={() => setConfirm(null)} autoFocus>
                Cancel
              </button>
              <button
                className="danger"
                data-testid="oauth-app-delete-confirm"
                onClick={async () => {
                  const err = await oauth.getState().deleteApp(confirm.id);
                  setError(err);
                  setConfirm(null);
                }}
              >
                Delete
              </button>
            </>
          }
        >
          <p>Its client secret is destroyed. Existing {PROVIDER_CATALOG[confirm.provider].label} connections cannot refresh their tokens until an app is registered again.</p>
        </Modal>
      )}
    </div>
  );
}
