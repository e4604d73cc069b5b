import type { Role } from '../domain/common';

/** API key scopes. `admin` grants everything. Pure data (no Node), so the renderer can ask the same table. */
export const SCOPES = [
  'secrets:read',
  'secrets:write',
  'connections:read',
  'connections:write',
  'datastores:read',
  'datastores:write',
  'audit:read',
  'workflows:read',
  'workflows:write',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

type Rule = { roles: readonly Role[]; scopes: readonly Scope[] };
const ALL: readonly Role[] = ['admin', 'editor', 'viewer'];
const WRITERS: readonly Role[] = ['admin', 'editor'];
const ADMIN: readonly Role[] = ['admin'];

/**
 * THE permission table. Rows marked "docs" mirror the permission tables of the product docs cell by cell
 * (connections.md, datastores-and-secrets.md); the rest are admin surfaces the docs leave to us.
 * `scopes` lists the API-key scopes that grant the operation (any of them); `admin` always does.
 * Every service asks `can(role, op)` / `scopeAllows(scopes, op)`; nothing re-states a role check elsewhere.
 */
export const POLICY = {
  // docs: Connections
  'connection.create': { roles: WRITERS, scopes: ['connections:write'] },
  'connection.update': { roles: WRITERS, scopes: ['connections:write'] }, // edit / re-authorize
  'connection.delete': { roles: WRITERS, scopes: ['connections:write'] },
  'connection.list': { roles: ALL, scopes: ['connections:read', 'connections:write'] }, // list and status
  'connection.test': { roles: WRITERS, scopes: ['connections:write'] },
  'connection.read_detail': { roles: WRITERS, scopes: ['connections:read', 'connections:write'] }, // emits connection.accessed
  'oauthapp.manage': { roles: WRITERS, scopes: ['connections:write'] },
  'oauthapp.list': { roles: ALL, scopes: ['connections:read', 'connections:write'] },
  // docs: Datastores
  'datastore.create': { roles: WRITERS, scopes: ['datastores:write'] },
  'datastore.delete': { roles: WRITERS, scopes: ['datastores:write'] },
  'datastore.list': { roles: ALL, scopes: ['datastores:read', 'datastores:write'] },
  'datastore.object_write': { roles: WRITERS, scopes: ['datastores:write'] }, // upload / delete objects
  'datastore.object_read': { roles: ALL, scopes: ['datastores:read', 'datastores:write'] },
  // README: a folder of the admin's choosing is a filesystem permission (the app writes wherever its OS user can), so
  // choosing one, or re-attaching a folder to its datastore after a restore, is admin only; others get the managed folder.
  'datastore.manage_folder': { roles: ADMIN, scopes: [] },
  // docs: Secrets
  'secret.write': { roles: WRITERS, scopes: ['secrets:write'] }, // create / update / delete
  'secret.reveal': { roles: ADMIN, scopes: ['secrets:read'] }, // secret.accessed
  'secret.rotate': { roles: WRITERS, scopes: ['secrets:write'] },
  'secret.list': { roles: ALL, scopes: ['secrets:read', 'secrets:write'] }, // metadata only, never values
  // README: rollback is admin only, so no scope but `admin` grants it (secrets:write rotates, it does not roll back).
  'secret.rollback': { roles: ADMIN, scopes: [] }, // back to a kept version: secret.rolled_back
  // Workflows and runs (issue: viewers see workflows and runs; editors create, edit and run them; admins delete).
  'workflow.list': { roles: ALL, scopes: ['workflows:read', 'workflows:write'] }, // workflows, versions, runs
  'workflow.write': { roles: WRITERS, scopes: ['workflows:write'] }, // create / new version
  'workflow.run': { roles: WRITERS, scopes: ['workflows:write'] }, // run, cancel, replay
  'workflow.delete': { roles: ADMIN, scopes: ['workflows:write'] },
  // What a run does with a step's data is checked as the docs' tables say for that data (datastore.object_*), plus
  // these two for the credentials a step uses: a run acts with the permissions of whoever started it.
  'connection.use': { roles: WRITERS, scopes: ['connections:read', 'connections:write'] }, // http steps: connection.used
  'secret.use': { roles: WRITERS, scopes: ['secrets:read'] }, // {"$secret"} injected into a step (never shown)
  // administration
  'workspace.read': { roles: ALL, scopes: [] },
  'workspace.create': { roles: ADMIN, scopes: [] },
  'workspace.rename': { roles: ADMIN, scopes: [] },
  'audit.read': { roles: ADMIN, scopes: ['audit:read'] },
  'user.manage': { roles: ADMIN, scopes: [] },
  'apikey.manage': { roles: ADMIN, scopes: [] },
  'vault.manage': { roles: ADMIN, scopes: [] },
  'settings.manage': { roles: ADMIN, scopes: [] },
} as const satisfies Record<string, Rule>;

export type Operation = keyof typeof POLICY;
export const OPERATIONS = Object.keys(POLICY) as Operation[];

export function roleAllows(role: Role, op: Operation): boolean {
  return (POLICY[op].roles as readonly Role[]).includes(role);
}

export function scopesAllow(scopes: readonly string[], op: Operation): boolean {
  if (scopes.includes('admin')) return true;
  return (POLICY[op].scopes as readonly string[]).some((s) => scopes.includes(s));
}
