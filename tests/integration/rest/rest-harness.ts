import type { Role } from '@shared/domain/common';
import { SCOPES, type Scope } from '@shared/access/policy';
import type { Clock } from '@core/ports';
import { startTestServer } from '../../helpers/test-server';

export const OWNER_KEY = 'owner-key-for-rest-tests';
export const PASSWORD = 'correct horse battery staple';

/** A credential the matrix runs every row with: a user's JWT (a role) or an API key (scopes). */
export type Credential = { label: string; headers: Record<string, string> } & ({ role: Role } | { scopes: readonly Scope[] });

/** A clock the tests can move (token expiry) without sleeping. */
export function movableClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return { now: () => new Date(Date.now() + offset), advance: (ms) => void (offset += ms) };
}

/**
 * A REST test bench: a real server with an unlocked vault and the owner key, plus fetch helpers. Build principals
 * with `user()` (a JWT for a user with a role in a workspace) and `key()` (an API key with scopes).
 */
export async function startRestBench() {
  const clock = movableClock();
  const s = await startTestServer({ PROVENANCE_ADMIN_API_KEY: OWNER_KEY }, { ready: true, ports: { clock } });
  const defaultWs = s.core.workspaces.defaultWorkspace().id;
  let n = 0;

  async function call(method: string, path: string, opts: { headers?: Record<string, string>; body?: unknown; raw?: string } = {}) {
    const headers: Record<string, string> = { ...opts.headers };
    let body: string | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] ??= 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const res = await fetch(`${s.url}${path}`, { method, headers, body });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = text;
    }
    return { status: res.status, json: json as Record<string, unknown> & { error?: { code: string; message: string; field?: string } }, headers: res.headers };
  }

  const owner = (extra: Record<string, string> = {}) => ({ 'x-api-key': OWNER_KEY, ...extra });

  async function login(username: string, password = PASSWORD): Promise<string> {
    const r = await call('POST', '/auth/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${JSON.stringify(r.json)}`);
    return (r.json as { token: string }).token;
  }

  /** A new user with `role` in `workspaceId`, signed in: its JWT as a credential. */
  async function user(role: Role, workspaceId = defaultWs): Promise<Credential & { id: string; username: string }> {
    const username = `u${++n}-${role}`;
    const u = await s.core.users.create({ workspaceId, username, password: PASSWORD, role }, s.admin);
    const token = await login(username);
    return { label: `${role} JWT`, role, id: u.id, username, headers: { authorization: `Bearer ${token}` } };
  }

  /** A new API key with `scopes` in `workspaceId`. */
  function key(scopes: Scope[], workspaceId = defaultWs): Credential & { id: string; key: string } {
    const k = s.core.apiKeys.create({ workspaceId, name: `key ${++n}`, scopes }, s.admin);
    return { label: `key [${scopes.join(',')}]`, scopes, id: k.id, key: k.key, headers: { 'x-api-key': k.key } };
  }

  /** Every persisted row that a request could change, as one comparable value (last-used times excluded). */
  function snapshot(): string {
    const q = (sql: string) => s.core.db.prepare(sql).all();
    return JSON.stringify({
      workspaces: q('SELECT * FROM workspaces ORDER BY id'),
      users: q('SELECT id, username, password_hash, updated_at FROM users ORDER BY id'),
      memberships: q('SELECT * FROM memberships ORDER BY user_id, workspace_id'),
      apiKeys: q('SELECT id, workspace_id, name, key_hash, scopes FROM api_keys ORDER BY id'),
      settings: q('SELECT * FROM settings ORDER BY key'),
      connections: q('SELECT * FROM connections ORDER BY id'),
      secrets: q('SELECT * FROM secrets ORDER BY id'),
      secretVersions: q('SELECT secret_id, version FROM secret_versions ORDER BY secret_id, version'),
      oauthApps: q('SELECT * FROM oauth_apps ORDER BY id'),
      datastores: q('SELECT * FROM datastores ORDER BY id'),
      objects: q('SELECT datastore_id, key, sha256 FROM datastore_objects ORDER BY datastore_id, key'),
      workflows: q('SELECT * FROM workflows ORDER BY id'),
      workflowVersions: q('SELECT workflow_id, version FROM workflow_versions ORDER BY workflow_id, version'),
      references: q('SELECT * FROM resource_references ORDER BY to_type, to_id, from_type, from_id'),
      // Refused attempts are evidence, not changes: failed logins and denied reveals are recorded on purpose.
      audit: q("SELECT COUNT(*) AS n FROM audit_events WHERE action != 'user.login_failed' AND outcome != 'denied'"),
    });
  }

  return { ...s, clock, defaultWs, call, owner, login, user, key, snapshot, nextId: () => ++n };
}
export type RestBench = Awaited<ReturnType<typeof startRestBench>>;

/** Every credential kind the matrix covers: the three roles as JWTs, and one API key per scope. */
export async function matrixCredentials(b: RestBench, workspaceId = b.defaultWs): Promise<Credential[]> {
  const creds: Credential[] = [];
  for (const role of ['admin', 'editor', 'viewer'] as const) creds.push(await b.user(role, workspaceId));
  for (const scope of SCOPES) creds.push(b.key([scope], workspaceId));
  return creds;
}
