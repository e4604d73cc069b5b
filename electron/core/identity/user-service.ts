import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '@shared/domain/actor';
import type { Role } from '@shared/domain/common';
import type { User } from '@shared/domain/identity';
import type { AccessService } from '../access/access-service';
import type { AuditService } from '../audit/audit-service';
import type { WorkspaceService } from '../workspaces/workspace-service';
import type { Clock } from '../ports';
import { pageCursor } from '../db/cursor';
import { AppError, conflict, forbidden, notFound } from '../errors';
import { scryptPasswordHasher, type PasswordHasher } from './password-hasher';
import type { LoginThrottle } from './login-throttle';
import type { TokenService } from './token-service';
import type { UserStore } from './user-store';

/** The users list's cursor: the keyset position of the last account shown. */
const cursor = pageCursor('users', z.number().int().positive());

/** Binds a JWT to the password it was issued under: changing the password ends every session of that user. */
const passwordTag = (hash: string) => createHash('sha256').update(hash).digest('base64url').slice(0, 16);

/**
 * Local users with a role per workspace (memberships). A user is seen through a workspace: list/update/delete act
 * on the membership there; the user row goes when its last membership does. Passwords are scrypt hashes only.
 *
 * Who may call what: `list`, `create`, `update` and `remove` take the actor and need `user.manage` in the workspace
 * (a password change, in every workspace of the user). `login` is public: its caller has no credential yet.
 * `roleIn` (the access service's grant resolver) and `authenticate` (a bearer token → its user, for the REST edge)
 * are internal: they run before or inside an access check, never with a caller's input unchecked.
 */
export function createUserService(deps: {
  store: UserStore;
  clock: Clock;
  audit: Pick<AuditService, 'record'>;
  access: Pick<AccessService, 'assert' | 'allowed'>;
  workspaces: Pick<WorkspaceService, 'defaultWorkspace'>;
  tokens: TokenService;
  throttle: LoginThrottle;
  /** scrypt by default; a port so tests can count how many passwords are checked. */
  passwords?: PasswordHasher;
}) {
  const { store, clock, audit, access } = deps;
  const passwords = deps.passwords ?? scryptPasswordHasher;

  function get(workspaceId: string, id: string): User {
    const m = store.member(workspaceId, id);
    if (!m) throw notFound('user');
    return m.user;
  }

  function list(q: { workspaceId: string; limit?: number; cursor?: string }, actor: Actor): { items: User[]; nextCursor: string | null } {
    access.assert(actor, q.workspaceId, 'user.manage');
    const limit = q.limit ?? 100;
    const after = q.cursor === undefined ? 0 : cursor.decode(q.workspaceId, q.cursor);
    const rows = store.members(q.workspaceId, after, limit + 1);
    const page = rows.slice(0, limit);
    return { items: page.map((r) => r.user), nextCursor: rows.length > limit ? cursor.encode(q.workspaceId, page[page.length - 1]!.seq) : null };
  }

  /**
   * A new user with a role here. A username that already exists elsewhere joins this workspace instead, but only
   * with that user's current password: an admin of one workspace cannot pull someone else's account into theirs.
   */
  async function create(input: { workspaceId: string; username: string; password: string; role: Role }, actor: Actor): Promise<User> {
    access.assert(actor, input.workspaceId, 'user.manage');
    const existing = store.accountByUsername(input.username);
    if (existing) {
      if (store.roleIn(existing.id, input.workspaceId)) throw conflict(`"${existing.username}" already has a role in this workspace; change it instead`, 'username');
      if (!(await passwords.verify(input.password, existing.passwordHash))) {
        throw conflict(`a user named "${input.username}" already exists; to give them a role here too, enter their current password, or choose another username`, 'username');
      }
      return store.transaction(() => {
        if (store.roleIn(existing.id, input.workspaceId)) throw conflict(`"${existing.username}" already has a role in this workspace; change it instead`, 'username');
        store.addMembership(existing.id, input.workspaceId, input.role, clock.now().toISOString());
        audit.record({
          workspaceId: input.workspaceId,
          action: 'user.created',
          actor,
          target: { type: 'user', id: existing.id, name: existing.username },
          details: { role: input.role, existingAccount: true },
        });
        return get(input.workspaceId, existing.id);
      });
    }
    // Hash before the transaction: better-sqlite3 transactions are synchronous and must not await.
    const hash = await passwords.hash(input.password);
    return store.transaction(() => {
      if (store.accountByUsername(input.username)) throw conflict(`a user named "${input.username}" already exists; choose another username`, 'username');
      const now = clock.now().toISOString();
      const id = randomUUID();
      store.insertAccount({ id, username: input.username, passwordHash: hash }, now);
      store.addMembership(id, input.workspaceId, input.role, now);
      audit.record({
        workspaceId: input.workspaceId,
        action: 'user.created',
        actor,
        target: { type: 'user', id, name: input.username },
        details: { role: input.role },
      });
      return get(input.workspaceId, id);
    });
  }

  async function update(input: { workspaceId: string; id: string; role?: Role; password?: string }, actor: Actor): Promise<User> {
    access.assert(actor, input.workspaceId, 'user.manage');
    get(input.workspaceId, input.id); // 404 here before anything is said about other workspaces, or a hash is spent
    if (input.password !== undefined) {
      // A password opens every workspace the user belongs to, so changing it takes user.manage in all of them.
      for (const ws of store.workspacesOf(input.id)) {
        if (!access.allowed(actor, ws, 'user.manage')) {
          throw forbidden('this user also has a role in a workspace you do not administer; only an admin of all their workspaces can change their password');
        }
      }
    }
    const hash = input.password === undefined ? undefined : await passwords.hash(input.password);
    return store.transaction(() => {
      const before = get(input.workspaceId, input.id);
      if (input.role !== undefined) store.setRole(input.id, input.workspaceId, input.role);
      if (hash !== undefined) store.setPasswordHash(input.id, hash);
      store.touch(input.id, clock.now().toISOString());
      // Names what changed; a key called "password…" would be redacted by the audit service, so it is a list value.
      const details: Record<string, unknown> = { changed: [...(input.role !== undefined ? ['role'] : []), ...(hash !== undefined ? ['password'] : [])] };
      if (input.role !== undefined) details.role = { from: before.role, to: input.role };
      audit.record({ workspaceId: input.workspaceId, action: 'user.updated', actor, target: { type: 'user', id: input.id, name: before.username }, details });
      return get(input.workspaceId, input.id);
    });
  }

  function remove(input: { workspaceId: string; id: string }, actor: Actor): { id: string } {
    access.assert(actor, input.workspaceId, 'user.manage');
    return store.transaction(() => {
      const before = get(input.workspaceId, input.id);
      store.removeMembership(input.id, input.workspaceId);
      const left = store.workspacesOf(input.id).length;
      if (left === 0) store.deleteAccount(input.id);
      audit.record({
        workspaceId: input.workspaceId,
        action: 'user.deleted',
        actor,
        target: { type: 'user', id: input.id, name: before.username },
        details: { role: before.role, accountDeleted: left === 0 },
      });
      return { id: input.id };
    });
  }

  /** Internal (the grant resolver): the user's role in a workspace; null = no membership there (workspace isolation). */
  function roleIn(userId: string, workspaceId: string): Role | null {
    return store.roleIn(userId, workspaceId) ?? null;
  }

  function recordFailure(username: string, origin: string, userId: string | null, reason: string): void {
    const actor: Actor = userId ? { kind: 'user', id: userId, name: username, origin } : { kind: 'anonymous', id: 'anonymous', name: username, origin };
    const workspaces = userId ? store.workspacesOf(userId) : [];
    if (workspaces.length === 0) workspaces.push(deps.workspaces.defaultWorkspace().id);
    store.transaction(() => {
      for (const ws of workspaces) {
        audit.record({ workspaceId: ws, action: 'user.login_failed', actor, target: { type: 'user', id: userId ?? 'unknown', name: username }, outcome: reason === 'rate_limited' ? 'denied' : 'failure', details: { reason } });
      }
    });
  }

  /**
   * Public (no credential yet): username + password → a short-lived JWT. Wrong username and wrong password look the
   * same (message and timing). Attempts are counted per (username, client IP) before the password is checked; past
   * the limit the answer is RATE_LIMITED with retryAfter, and the password is not checked at all.
   */
  async function login(username: string, password: string, origin: string): Promise<{ token: string; expiresAt: string }> {
    const key = `${username.toLowerCase()}\u0000${origin}`;
    const account = store.accountByUsername(username);
    // Reserved before the asynchronous check, so parallel attempts cannot all pass a lock read before any failed.
    const wait = deps.throttle.reserve(key);
    if (wait > 0) {
      recordFailure(username, origin, account?.id ?? null, 'rate_limited');
      throw new AppError('RATE_LIMITED', `too many failed sign-ins for this username; try again in ${wait} seconds`, undefined, wait);
    }
    const ok = await passwords.verify(password, account?.passwordHash ?? (await passwords.dummyHash()));
    if (!account || !ok) {
      recordFailure(username, origin, account?.id ?? null, account ? 'wrong_password' : 'unknown_user');
      throw new AppError('UNAUTHENTICATED', 'the username or password is wrong');
    }
    deps.throttle.succeeded(key);
    return deps.tokens.issue({ sub: account.id, name: account.username, pwh: passwordTag(account.passwordHash) });
  }

  /** Internal (the REST edge): a bearer token → the user it names, if that user still exists with the same password. */
  async function authenticate(token: string): Promise<{ id: string; username: string }> {
    const claims = await deps.tokens.verify(token);
    const account = store.accountById(claims.sub);
    if (!account || passwordTag(account.passwordHash) !== claims.pwh) {
      throw new AppError('UNAUTHENTICATED', 'the token is no longer valid (user removed or password changed); sign in again');
    }
    return { id: account.id, username: account.username };
  }

  return {
    // User-facing: each checks `user.manage`.
    list,
    create,
    update,
    remove,
    // Public: the caller has no credential yet.
    login,
    // Internal (see above).
    roleIn,
    authenticate,
  };
}
export type UserService = ReturnType<typeof createUserService>;
