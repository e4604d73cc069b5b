import { createHash, randomUUID } from 'node:crypto';
import type { Actor } from '@shared/domain/actor';
import type { Role } from '@shared/domain/common';
import type { User } from '@shared/domain/identity';
import type { Db } from '../db/database';
import type { AuditService } from '../audit/audit-service';
import type { WorkspaceService } from '../workspaces/workspace-service';
import type { Clock } from '../ports';
import { decodeCursor, encodeCursor } from '../db/cursor';
import { AppError, conflict, notFound } from '../errors';
import { dummyHash, hashPassword, verifyPassword } from './password-hasher';
import type { LoginThrottle } from './login-throttle';
import type { TokenService } from './token-service';

type Row = { seq: number; id: string; username: string; password_hash: string; role: Role; created_at: string; updated_at: string };
const toUser = (r: Row): User => ({ id: r.id, username: r.username, role: r.role, createdAt: r.created_at, updatedAt: r.updated_at });

/** Binds a JWT to the password it was issued under: changing the password ends every session of that user. */
const passwordTag = (hash: string) => createHash('sha256').update(hash).digest('base64url').slice(0, 16);

/**
 * Local users with a role per workspace (memberships). A user is seen through a workspace: list/update/delete act
 * on the membership there; the user row goes when its last membership does. Passwords are scrypt hashes only.
 */
export function createUserService(deps: {
  db: Db;
  clock: Clock;
  audit: Pick<AuditService, 'record'>;
  workspaces: Pick<WorkspaceService, 'defaultWorkspace'>;
  tokens: TokenService;
  throttle: LoginThrottle;
}) {
  const { db, clock, audit } = deps;
  const SELECT = `SELECT u.rowid AS seq, u.id, u.username, u.password_hash, m.role, u.created_at, u.updated_at
    FROM users u JOIN memberships m ON m.user_id = u.id`;
  const inWorkspace = db.prepare(`${SELECT} WHERE m.workspace_id = ? AND u.id = ?`);
  const byUsername = db.prepare('SELECT * FROM users WHERE username = ? COLLATE NOCASE');
  const roleStmt = db.prepare('SELECT role FROM memberships WHERE user_id = ? AND workspace_id = ?');
  const userById = db.prepare('SELECT id, username, password_hash FROM users WHERE id = ?');
  const membershipsOf = db.prepare('SELECT workspace_id FROM memberships WHERE user_id = ?');

  function get(workspaceId: string, id: string): User {
    const row = inWorkspace.get(workspaceId, id) as Row | undefined;
    if (!row) throw notFound('user');
    return toUser(row);
  }

  function list(q: { workspaceId: string; limit?: number; cursor?: string }): { items: User[]; nextCursor: string | null } {
    const limit = q.limit ?? 100;
    const after = q.cursor === undefined ? 0 : Number(decodeCursor(q.cursor));
    const rows = db.prepare(`${SELECT} WHERE m.workspace_id = ? AND u.rowid > ? ORDER BY u.rowid LIMIT ?`).all(q.workspaceId, after, limit + 1) as Row[];
    const page = rows.slice(0, limit);
    return { items: page.map(toUser), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!.seq) : null };
  }

  /**
   * A new user with a role here. A username that already exists elsewhere joins this workspace instead, but only
   * with that user's current password: an admin of one workspace cannot pull someone else's account into theirs.
   */
  async function create(input: { workspaceId: string; username: string; password: string; role: Role }, actor: Actor): Promise<User> {
    const existing = byUsername.get(input.username) as { id: string; username: string; password_hash: string } | undefined;
    if (existing) {
      if (roleIn(existing.id, input.workspaceId)) throw conflict(`"${existing.username}" already has a role in this workspace; change it instead`, 'username');
      if (!(await verifyPassword(input.password, existing.password_hash))) {
        throw conflict(`a user named "${input.username}" already exists; to give them a role here too, enter their current password, or choose another username`, 'username');
      }
      return db.transaction(() => {
        if (roleIn(existing.id, input.workspaceId)) throw conflict(`"${existing.username}" already has a role in this workspace; change it instead`, 'username');
        db.prepare('INSERT INTO memberships (user_id, workspace_id, role, created_at) VALUES (?, ?, ?, ?)').run(existing.id, input.workspaceId, input.role, clock.now().toISOString());
        audit.record({
          workspaceId: input.workspaceId,
          action: 'user.created',
          actor,
          target: { type: 'user', id: existing.id, name: existing.username },
          details: { role: input.role, existingAccount: true },
        });
        return get(input.workspaceId, existing.id);
      })();
    }
    // Hash before the transaction: better-sqlite3 transactions are synchronous and must not await.
    const hash = await hashPassword(input.password);
    return db.transaction(() => {
      if (byUsername.get(input.username)) throw conflict(`a user named "${input.username}" already exists; choose another username`, 'username');
      const now = clock.now().toISOString();
      const id = randomUUID();
      db.prepare('INSERT INTO users (id, username, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, input.username, hash, now, now);
      db.prepare('INSERT INTO memberships (user_id, workspace_id, role, created_at) VALUES (?, ?, ?, ?)').run(id, input.workspaceId, input.role, now);
      audit.record({
        workspaceId: input.workspaceId,
        action: 'user.created',
        actor,
        target: { type: 'user', id, name: input.username },
        details: { role: input.role },
      });
      return get(input.workspaceId, id);
    })();
  }

  /** Every workspace the user has a role in (a password change must be allowed in all of them). */
  const workspacesOf = (userId: string): string[] => (membershipsOf.all(userId) as { workspace_id: string }[]).map((m) => m.workspace_id);

  async function update(input: { workspaceId: string; id: string; role?: Role; password?: string }, actor: Actor): Promise<User> {
    get(input.workspaceId, input.id); // 404 before spending a hash on a user that is not here
    const hash = input.password === undefined ? undefined : await hashPassword(input.password);
    return db.transaction(() => {
      const before = get(input.workspaceId, input.id);
      const now = clock.now().toISOString();
      if (input.role !== undefined) db.prepare('UPDATE memberships SET role = ? WHERE user_id = ? AND workspace_id = ?').run(input.role, input.id, input.workspaceId);
      if (hash !== undefined) db.prepare('UPDATE users SET password_hash = ? WHERE id = ?').run(hash, input.id);
      db.prepare('UPDATE users SET updated_at = ? WHERE id = ?').run(now, input.id);
      // Names what changed; a key called "password…" would be redacted by the audit service, so it is a list value.
      const details: Record<string, unknown> = { changed: [...(input.role !== undefined ? ['role'] : []), ...(hash !== undefined ? ['password'] : [])] };
      if (input.role !== undefined) details.role = { from: before.role, to: input.role };
      audit.record({ workspaceId: input.workspaceId, action: 'user.updated', actor, target: { type: 'user', id: input.id, name: before.username }, details });
      return get(input.workspaceId, input.id);
    })();
  }

  function remove(input: { workspaceId: string; id: string }, actor: Actor): { id: string } {
    return db.transaction(() => {
      const before = get(input.workspaceId, input.id);
      db.prepare('DELETE FROM memberships WHERE user_id = ? AND workspace_id = ?').run(input.id, input.workspaceId);
      const left = (membershipsOf.all(input.id) as unknown[]).length;
      if (left === 0) db.prepare('DELETE FROM users WHERE id = ?').run(input.id);
      audit.record({
        workspaceId: input.workspaceId,
        action: 'user.deleted',
        actor,
        target: { type: 'user', id: input.id, name: before.username },
        details: { role: before.role, accountDeleted: left === 0 },
      });
      return { id: input.id };
    })();
  }

  /** The user's role in a workspace; null = no membership there (workspace isolation). */
  function roleIn(userId: string, workspaceId: string): Role | null {
    const r = roleStmt.get(userId, workspaceId) as { role: Role } | undefined;
    return r?.role ?? null;
  }

  function recordFailure(username: string, origin: string, userId: string | null, reason: string): void {
    const actor: Actor = userId ? { kind: 'user', id: userId, name: username, origin } : { kind: 'anonymous', id: 'anonymous', name: username, origin };
    const workspaces = userId ? (membershipsOf.all(userId) as { workspace_id: string }[]).map((m) => m.workspace_id) : [];
    if (workspaces.length === 0) workspaces.push(deps.workspaces.defaultWorkspace().id);
    db.transaction(() => {
      for (const ws of workspaces) {
        audit.record({ workspaceId: ws, action: 'user.login_failed', actor, target: { type: 'user', id: userId ?? 'unknown', name: username }, outcome: reason === 'rate_limited' ? 'denied' : 'failure', details: { reason } });
      }
    })();
  }

  /**
   * Username + password → a short-lived JWT. Wrong username and wrong password look the same (message and timing).
   * Failures are counted per (username, client IP); past the limit the answer is RATE_LIMITED with retryAfter.
   */
  async function login(username: string, password: string, origin: string): Promise<{ token: string; expiresAt: string }> {
    const key = `${username.toLowerCase()}\u0000${origin}`;
    const row = byUsername.get(username) as { id: string; username: string; password_hash: string } | undefined;
    const wait = deps.throttle.retryAfter(key);
    if (wait > 0) {
      recordFailure(username, origin, row?.id ?? null, 'rate_limited');
      throw new AppError('RATE_LIMITED', `too many failed sign-ins for this username; try again in ${wait} seconds`, undefined, wait);
    }
    const ok = await verifyPassword(password, row?.password_hash ?? (await dummyHash()));
    if (!row || !ok) {
      deps.throttle.failed(key);
      recordFailure(username, origin, row?.id ?? null, row ? 'wrong_password' : 'unknown_user');
      throw new AppError('UNAUTHENTICATED', 'the username or password is wrong');
    }
    deps.throttle.succeeded(key);
    return deps.tokens.issue({ sub: row.id, name: row.username, pwh: passwordTag(row.password_hash) });
  }

  /** A bearer token → the user it names, if that user still exists with the same password. */
  async function authenticate(token: string): Promise<{ id: string; username: string }> {
    const claims = await deps.tokens.verify(token);
    const row = userById.get(claims.sub) as { id: string; username: string; password_hash: string } | undefined;
    if (!row || passwordTag(row.password_hash) !== claims.pwh) {
      throw new AppError('UNAUTHENTICATED', 'the token is no longer valid (user removed or password changed); sign in again');
    }
    return { id: row.id, username: row.username };
  }

  return { list, get, create, update, remove, roleIn, workspacesOf, login, authenticate };
}
export type UserService = ReturnType<typeof createUserService>;
