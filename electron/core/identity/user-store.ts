import type { Role } from '@shared/domain/common';
import type { User } from '@shared/domain/identity';
import type { Db } from '../db/database';
import { createTransactor } from '../db/transactor';

/** A user's account: one per username, whatever workspaces they belong to. */
export type Account = { id: string; username: string; passwordHash: string };
/** A user as seen through one workspace (their role there), with the keyset position of the account. */
export type MemberRecord = { seq: number; user: User };

type MemberRow = { seq: number; id: string; username: string; role: Role; created_at: string; updated_at: string };
const toMember = (r: MemberRow): MemberRecord => ({
  seq: r.seq,
  user: { id: r.id, username: r.username, role: r.role, createdAt: r.created_at, updatedAt: r.updated_at },
});
type AccountRow = { id: string; username: string; password_hash: string };
const toAccount = (r: AccountRow | undefined): Account | undefined => r && { id: r.id, username: r.username, passwordHash: r.password_hash };

/**
 * All SQL of local users (`users`) and their roles per workspace (`memberships`). Usernames are unique ignoring case.
 * `roleIn` runs on every access check of a signed-in user: it stays one prepared primary-key lookup.
 */
export function createUserStore(db: Db) {
  const MEMBER = `SELECT u.rowid AS seq, u.id, u.username, m.role, u.created_at, u.updated_at FROM users u JOIN memberships m ON m.user_id = u.id`;
  const member = db.prepare(`${MEMBER} WHERE m.workspace_id = ? AND u.id = ?`);
  const members = db.prepare(`${MEMBER} WHERE m.workspace_id = ? AND u.rowid > ? ORDER BY u.rowid LIMIT ?`);
  const byUsername = db.prepare('SELECT id, username, password_hash FROM users WHERE username = ? COLLATE NOCASE');
  const byId = db.prepare('SELECT id, username, password_hash FROM users WHERE id = ?');
  const role = db.prepare('SELECT role FROM memberships WHERE user_id = ? AND workspace_id = ?');
  const workspacesOf = db.prepare('SELECT workspace_id FROM memberships WHERE user_id = ?');
  const insertAccount = db.prepare('INSERT INTO users (id, username, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?)');
  const insertMembership = db.prepare('INSERT INTO memberships (user_id, workspace_id, role, created_at) VALUES (?, ?, ?, ?)');
  const setRole = db.prepare('UPDATE memberships SET role = ? WHERE user_id = ? AND workspace_id = ?');
  const setPassword = db.prepare('UPDATE users SET password_hash = ? WHERE id = ?');
  const touch = db.prepare('UPDATE users SET updated_at = ? WHERE id = ?');
  const deleteMembership = db.prepare('DELETE FROM memberships WHERE user_id = ? AND workspace_id = ?');
  const deleteAccount = db.prepare('DELETE FROM users WHERE id = ?');

  return {
    ...createTransactor(db),
    member(workspaceId: string, userId: string): MemberRecord | undefined {
      const r = member.get(workspaceId, userId) as MemberRow | undefined;
      return r && toMember(r);
    },
    /** Members of a workspace after keyset position `afterSeq`, in account order. */
    members: (workspaceId: string, afterSeq: number, limit: number): MemberRecord[] => (members.all(workspaceId, afterSeq, limit) as MemberRow[]).map(toMember),
    accountByUsername: (username: string): Account | undefined => toAccount(byUsername.get(username) as AccountRow | undefined),
    accountById: (id: string): Account | undefined => toAccount(byId.get(id) as AccountRow | undefined),
    roleIn: (userId: string, workspaceId: string): Role | undefined => (role.get(userId, workspaceId) as { role: Role } | undefined)?.role,
    workspacesOf: (userId: string): string[] => (workspacesOf.all(userId) as { workspace_id: string }[]).map((m) => m.workspace_id),
    insertAccount: (a: Account, at: string): void => void insertAccount.run(a.id, a.username, a.passwordHash, at, at),
    addMembership: (userId: string, workspaceId: string, r: Role, at: string): void => void insertMembership.run(userId, workspaceId, r, at),
    setRole: (userId: string, workspaceId: string, r: Role): void => void setRole.run(r, userId, workspaceId),
    setPasswordHash: (userId: string, hash: string): void => void setPassword.run(hash, userId),
    touch: (userId: string, at: string): void => void touch.run(at, userId),
    removeMembership: (userId: string, workspaceId: string): void => void deleteMembership.run(userId, workspaceId),
    deleteAccount: (userId: string): void => void deleteAccount.run(userId),
  };
}
export type UserStore = ReturnType<typeof createUserStore>;
