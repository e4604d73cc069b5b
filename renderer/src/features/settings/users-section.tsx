import { useEffect, useState } from 'react';
import type { IpcError } from '@shared/ipc/result';
import type { Role } from '@shared/domain/common';
import { SCOPES, type Scope } from '@shared/access/policy';
import { useApp, useIdentity, useSession } from '../app-context';
import { useCan } from '../access';
import { EmptyState, ErrorBanner } from '../components/ui';
import { ConfirmDialog } from '../components/dialog';

const ROLES: Role[] = ['admin', 'editor', 'viewer'];
const when = (iso: string | null) => (iso ? iso.replace('T', ' ').slice(0, 19) : 'never');

/** Settings → Users: local users with a role in this workspace (add, change role, remove). Admins only. */
export function UsersSection() {
  const { identity } = useApp();
  const can = useCan();
  const ws = useSession((s) => s.currentWorkspaceId);
  const users = useIdentity((s) => s.users);
  const [form, setForm] = useState({ username: '', password: '', role: 'viewer' as Role });
  const [error, setError] = useState<IpcError | null>(null);
  const [busy, setBusy] = useState(false);
  const [removing, setRemoving] = useState<{ id: string; username: string } | null>(null);
  const allowed = can('user.manage');

  useEffect(() => {
    if (ws && allowed) void identity.getState().loadUsers(ws);
  }, [ws, allowed, identity]);

  if (!ws) return null;
  return (
    <div className="card" data-testid="users-section">
      <h2>Users</h2>
      <p className="muted">People who sign in to the console or the REST API with a username and password, each with a role in this workspace.</p>
      {!allowed ? (
        <p className="muted" data-testid="users-not-allowed">Only an admin of this workspace can manage users.</p>
      ) : (
        <>
          <ErrorBanner error={error} testId="users-error" />
          {users.length === 0 ? (
            <EmptyState title="No users yet" testId="users-empty">Add a user below; they sign in with "Sign in as a user" in the console or with POST /auth/login.</EmptyState>
          ) : (
            <table className="table" data-testid="users-table">
              <thead>
                <tr><th>Username</th><th>Role</th><th>Added</th><th /></tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.id} data-testid="user-row" data-username={u.username}>
                    <td>{u.username}</td>
                    <td>
                      <select
                        aria-label={`Role of ${u.username}`}
                        data-testid="user-role"
                        value={u.role}
                        onChange={async (e) => setError(await identity.getState().setRole(ws, u.id, e.target.value as Role))}
                      >
                        {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                      </select>
                    </td>
                    <td className="mono">{when(u.createdAt)}</td>
                    <td><button className="link" data-testid="user-remove" onClick={() => setRemoving({ id: u.id, username: u.username })}>Remove</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <form
            className="inline"
            onSubmit={async (e) => {
              e.preventDefault();
              setBusy(true);
              const err = await identity.getState().createUser(ws, form.username, form.password, form.role);
              setBusy(false);
              setError(err);
              if (!err) setForm({ username: '', password: '', role: 'viewer' });
            }}
          >
            <input placeholder="Username" aria-label="Username" data-testid="user-username" autoComplete="off" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} />
            <input placeholder="Password (12+ characters)" aria-label="Password" type="password" autoComplete="new-password" data-testid="user-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />
            <select aria-label="Role" data-testid="user-new-role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
            </select>
            <button type="submit" data-testid="user-add" disabled={busy}>{busy ? 'Adding…' : 'Add user'}</button>
          </form>
        </>
      )}
      {removing && (
        <ConfirmDialog
          title="Remove user"
          confirmLabel="Remove"
          testId="user-remove-dialog"
          onCancel={() => setRemoving(null)}
          onConfirm={async () => {
            if (removing) setError(await identity.getState().removeUser(ws, removing.id));
            setRemoving(null);
          }}
        >
          Remove {removing?.username} from this workspace? They can no longer sign in here; their sessions end at once.
        </ConfirmDialog>
      )}
    </div>
  );
}

/** Settings → API keys: create (shown once, with copy), list with last use, revoke with confirmation. Admins only. */
export function ApiKeysSection() {
  const { identity } = useApp();
  const can = useCan();
  const ws = useSession((s) => s.currentWorkspaceId);
  const keys = useIdentity((s) => s.apiKeys);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>([]);
  const [error, setError] = useState<IpcError | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const allowed = can('apikey.manage');

  useEffect(() => {
    if (ws && allowed) void identity.getState().loadApiKeys(ws);
  }, [ws, allowed, identity]);

  if (!ws) return null;
  return (
    <div className="card" data-testid="apikeys-section">
      <h2>API keys</h2>
      <p className="muted">For scripts calling the REST API with <span className="mono">x-api-key</span>. A key works in this workspace only, within its scopes.</p>
      {!allowed ? (
        <p className="muted" data-testid="apikeys-not-allowed">Only an admin of this workspace can manage API keys.</p>
      ) : (
        <>
          <ErrorBanner error={error} testId="apikeys-error" />
          {created && (
            <div className="secret-once" data-testid="apikey-created">
              <span>Copy this key now: it is not shown again.</span>
              <code className="mono" data-testid="apikey-value">{created}</code>
              <button
                type="button"
                className="secondary"
                data-testid="apikey-copy"
                onClick={async () => {
                  await navigator.clipboard?.writeText(created).catch(() => undefined);
                  setCopied(true);
                }}
              >
                {copied ? 'Copied' : 'Copy'}
              </button>
              <button type="button" className="link" data-testid="apikey-dismiss" onClick={() => setCreated(null)}>Done</button>
            </div>
          )}
          {keys.length === 0 ? (
            <EmptyState title="No API keys yet" testId="apikeys-empty">Create one below, choosing only the scopes your script needs.</EmptyState>
          ) : (
            <table className="table" data-testid="apikeys-table">
              <thead>
                <tr><th>Name</th><th>Scopes</th><th>Created</th><th>Last used</th><th /></tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k.id} data-testid="apikey-row" data-name={k.name}>
                    <td>{k.name}</td>
                    <td className="mono">{k.scopes.join(', ')}</td>
                    <td className="mono">{when(k.createdAt)}</td>
                    <td className="mono" data-testid="apikey-last-used">{when(k.lastUsedAt)}</td>
                    <td><button className="link" data-testid="apikey-revoke" onClick={() => setRevoking({ id: k.id, name: k.name })}>Revoke</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <form
            className="stacked"
            onSubmit={async (e) => {
              e.preventDefault();
              const r = await identity.getState().createApiKey(ws, name, scopes);
              if ('key' in r) {
                setCreated(r.key);
                setCopied(false);
                setName('');
                setScopes([]);
                setError(null);
              } else setError(r);
            }}
          >
            <label>
              Name
              <input data-testid="apikey-name" placeholder="e.g. nightly backup script" value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <div className="scopes" role="group" aria-label="Scopes">
              {SCOPES.map((s) => (
                <label key={s}>
                  <input
                    type="checkbox"
                    data-testid={`apikey-scope-${s}`}
                    checked={scopes.includes(s)}
                    onChange={(e) => setScopes(e.target.checked ? [...scopes, s] : scopes.filter((x) => x !== s))}
                  />
                  <span className="mono">{s}</span>
                </label>
              ))}
            </div>
            <div><button type="submit" data-testid="apikey-create">Create API key</button></div>
          </form>
        </>
      )}
      {revoking && (
        <ConfirmDialog
          title="Revoke API key"
          confirmLabel="Revoke"
          testId="apikey-revoke-dialog"
          onCancel={() => setRevoking(null)}
          onConfirm={async () => {
            if (revoking) setError(await identity.getState().revokeApiKey(ws, revoking.id));
            setRevoking(null);
          }}
        >
          Revoke “{revoking?.name}”? Scripts using it get 401 from their next request. This cannot be undone.
        </ConfirmDialog>
      )}
    </div>
  );
}

/** Settings → REST API: the switch (desktop; the console always serves it), the port, the copyable base URL. */
export function RestApiSection() {
  const { identity, api } = useApp();
  const can = useCan();
  const settings = useIdentity((s) => s.settings);
  const [port, setPort] = useState('');
  const [error, setError] = useState<IpcError | null>(null);
  const [copied, setCopied] = useState(false);
  const allowed = can('settings.manage');

  useEffect(() => {
    void identity.getState().loadSettings();
    return api.on('settings:changed', () => void identity.getState().loadSettings());
  }, [identity, api]);
  const savedPort = settings?.restApi.port;
  useEffect(() => {
    if (savedPort !== undefined) setPort(String(savedPort));
  }, [savedPort]);

  if (!settings) return null;
  const r = settings.restApi;
  return (
    <div className="card" data-testid="rest-section">
      <h2>REST API</h2>
      <p className="muted">The docs' REST API on this computer only (127.0.0.1), for scripts with an API key or a user's token. See /openapi.json for every endpoint.</p>
      <ErrorBanner error={error} testId="rest-error" />
      {r.alwaysOn ? (
        <p data-testid="rest-always-on">This console always serves the REST API, on its own port.</p>
      ) : (
        <form
          className="inline"
          onSubmit={async (e) => {
            e.preventDefault();
            setError(await identity.getState().updateRestApi({ port: Number(port) }));
          }}
        >
          <label className="inline">
            <input
              type="checkbox"
              data-testid="rest-enabled"
              checked={r.enabled}
              disabled={!allowed}
              onChange={async (e) => setError(await identity.getState().updateRestApi({ enabled: e.target.checked }))}
            />
            Serve the REST API
          </label>
          <label className="inline">
            Port
            <input data-testid="rest-port" inputMode="numeric" size={6} value={port} disabled={!allowed} onChange={(e) => setPort(e.target.value)} />
          </label>
          {allowed && <button type="submit" className="secondary" data-testid="rest-port-save">Save port</button>}
        </form>
      )}
      {r.problem && <div className="error-banner" data-testid="rest-problem">{r.problem}</div>}
      {r.baseUrl ? (
        <div className="secret-once">
          <span>Base URL</span>
          <code className="mono" data-testid="rest-base-url">{r.baseUrl}</code>
          <button
            type="button"
            className="secondary"
            data-testid="rest-copy"
            onClick={async () => {
              await navigator.clipboard?.writeText(r.baseUrl!).catch(() => undefined);
              setCopied(true);
            }}
          >
            {copied ? 'Copied' : 'Copy'}
          </button>
        </div>
      ) : (
        !r.problem && <p className="muted" data-testid="rest-off">Off. Turn it on to call the API from scripts on this computer.</p>
      )}
    </div>
  );
}
