import { useEffect, useState } from 'react';
import { PROVIDER_CATALOG } from '@shared/domain/connection.catalog';
import type { OAuthApp } from '@shared/domain/oauth';
import type { IpcError } from '@shared/ipc/result';
import { useApp, useOAuth, useSession } from '../../app-context';
import { EmptyState, ErrorBanner } from '../../components/ui';
import { ConfirmDialog } from '../../components/dialog';
import { OAuthAppForm } from './oauth-app-form';
import './connections.css';

/** Settings → OAuth apps: the provider-side app each OAuth provider's consent flow uses (one per provider). */
export function OAuthAppsSection() {
  const { oauth } = useApp();
  const workspaceId = useSession((s) => s.currentWorkspaceId);
  const role = useSession((s) => s.role());
  const canWrite = role === 'admin' || role === 'editor';
  const apps = useOAuth((s) => s.apps);
  const appsError = useOAuth((s) => s.appsError);
  // The form is open for a new app (`'new'`) or for the app being edited.
  const [form, setForm] = useState<OAuthApp | 'new' | null>(null);
  const [error, setError] = useState<IpcError | null>(null);
  const [confirm, setConfirm] = useState<OAuthApp | null>(null);

  useEffect(() => {
    if (workspaceId) void oauth.getState().loadApps(workspaceId);
  }, [workspaceId, oauth]);

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
                      <button className="link" data-testid="oauth-app-edit" onClick={() => setForm(a)}>
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
        <button data-testid="oauth-app-add" onClick={() => setForm('new')}>
          Add OAuth app
        </button>
      )}
      {form && (
        <OAuthAppForm
          key={form === 'new' ? 'new' : form.id}
          editing={form === 'new' ? null : form}
          onError={setError}
          onClose={() => {
            setForm(null);
            setError(null);
          }}
        />
      )}
      {confirm && (
        <ConfirmDialog
          title={`Delete the ${PROVIDER_CATALOG[confirm.provider].label} OAuth app?`}
          confirmLabel="Delete"
          onCancel={() => setConfirm(null)}
          onConfirm={async () => {
            setError(await oauth.getState().deleteApp(confirm.id));
            setConfirm(null);
          }}
          testId="oauth-app-delete-dialog"
          confirmTestId="oauth-app-delete-confirm"
          cancelTestId="oauth-app-delete-cancel"
        >
          <p>Its client secret is destroyed. Existing {PROVIDER_CATALOG[confirm.provider].label} connections cannot refresh their tokens until an app is registered again.</p>
        </ConfirmDialog>
      )}
    </div>
  );
}
