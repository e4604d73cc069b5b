import type { Role } from '@shared/domain/common';
import type { Scope } from '@shared/access/policy';

/**
 * Who may call each REST route, written out by hand from the product docs (../shared/seeds: the "Security and
 * permissions" tables of connections.md and datastores-and-secrets.md, and their troubleshooting notes) and from the
 * README's REST section. It is an INDEPENDENT copy: nothing here is read from POLICY, so a wrong cell in POLICY (or a
 * service guarding a route with the wrong operation) makes the generated matrix fail instead of agreeing with itself.
 *
 * Rules the cells follow, each from the docs or the README:
 * - Roles: the docs' tables cell by cell (admin / editor / viewer). The README's "admin only" surfaces (users, API
 *   keys, settings changes, workspaces, secret rollback, the audit log) allow the admin role only.
 * - Scopes: an API key holds exactly the scopes listed; the `admin` scope allows every route (README: the owner key
 *   holds all scopes; `admin` is the administrator's scope). A `:read` scope allows reading its resource and a
 *   `:write` scope allows reading and writing it, like the roles (every role that may write may read). Exceptions the
 *   docs make: reveal needs `secrets:read` ("requires the secrets:read scope on your API key, or a JWT from an admin
 *   account"), and writing needs the write scope ("confirm your API key includes the relevant write scope").
 * - Where the docs and README are silent, the cell records the app's design, marked `design:` in `source`, so a change
 *   to it is a visible decision in this file rather than a silent edit of the policy.
 *
 * Keys are `METHOD path` in the router's syntax, exactly as REST_ROUTES / STREAM_ROUTES declare them; the matrix
 * test fails when a route has no cell here, or a cell no route.
 */
export type Expected =
  /** Any authenticated caller (the answer shows only what the caller itself holds). */
  | { any: true; source: string }
  /** No credential at all (sign-in). */
  | { public: true; source: string }
  | { roles: Readonly<Record<Role, boolean>>; scopes: readonly Exclude<Scope, 'admin'>[]; source: string };

const Y = true;
const N = false;
const EVERYONE = { admin: Y, editor: Y, viewer: Y } as const;
const WRITERS = { admin: Y, editor: Y, viewer: N } as const;
const ADMIN = { admin: Y, editor: N, viewer: N } as const;

export const EXPECTED: Readonly<Record<string, Expected>> = {
  // README "Users, API keys and the REST API"
  'POST /auth/login': { public: true, source: 'README: POST /auth/login {username,password} (no credential yet)' },
  'GET /me': { any: true, source: 'README: GET /me shows who you are and what you hold' },
  'GET /users': { roles: ADMIN, scopes: [], source: 'README: Users … admin only' },
  'POST /users': { roles: ADMIN, scopes: [], source: 'README: Users … admin only' },
  'PATCH /users/:id': { roles: ADMIN, scopes: [], source: 'README: Users … admin only' },
  'DELETE /users/:id': { roles: ADMIN, scopes: [], source: 'README: Users … admin only' },
  'GET /api-keys': { roles: ADMIN, scopes: [], source: 'README: API keys … admin only' },
  'POST /api-keys': { roles: ADMIN, scopes: [], source: 'README: API keys … admin only' },
  'DELETE /api-keys/:id': { roles: ADMIN, scopes: [], source: 'README: API keys … admin only' },
  'GET /settings': { any: true, source: 'design: the REST switch and port are no secret; every caller may read them' },
  'PATCH /settings': { roles: ADMIN, scopes: [], source: 'README: the REST API is on when an admin turns it on in Settings' },
  'GET /workspaces': { any: true, source: 'design: each caller sees the workspaces it holds a grant in' },
  'POST /workspaces': { roles: ADMIN, scopes: [], source: 'README/route: Create a workspace (admin)' },
  'GET /audit-events': { roles: ADMIN, scopes: ['audit:read'], source: 'README: GET /audit-events (audit:read or admin)' },
  'GET /audit-events/export': { roles: ADMIN, scopes: ['audit:read'], source: 'design: an export holds what paging through GET /audit-events gives, so it needs the same' },

  // connections.md "Security and permissions"
  'GET /connections': { roles: EVERYONE, scopes: ['connections:read', 'connections:write'], source: 'docs: View connection list and status Y/Y/Y' },
  'POST /connections': { roles: WRITERS, scopes: ['connections:write'], source: 'docs: Create connection Y/Y/N' },
  'GET /connections/:id': {
    roles: WRITERS,
    scopes: ['connections:read', 'connections:write'],
    source: 'design: the detail record (audited as connection.accessed, high) is beyond "list and status"; viewers read the list',
  },
  'PATCH /connections/:id': { roles: WRITERS, scopes: ['connections:write'], source: 'docs: Edit / re-authorize connection Y/Y/N' },
  'DELETE /connections/:id': { roles: WRITERS, scopes: ['connections:write'], source: 'docs: Delete connection Y/Y/N' },
  'POST /connections/:id/credential': { roles: WRITERS, scopes: ['connections:read', 'connections:write'], source: 'issue #16: the CLI exec uses a connection (POLICY connection.use)' },
  'POST /connections/:id/test': { roles: WRITERS, scopes: ['connections:write'], source: 'docs: Test connection Y/Y/N' },
  // OAuth: consent creates or re-authorizes a connection; the apps are the connections' client credentials.
  'POST /connections/authorize': { roles: WRITERS, scopes: ['connections:write'], source: 'docs: Create connection Y/Y/N (consent creates it)' },
  'GET /connections/authorize/:flowId': { roles: EVERYONE, scopes: ['connections:read', 'connections:write'], source: 'docs: View connection … status Y/Y/Y' },
  'POST /connections/:id/authorize': { roles: WRITERS, scopes: ['connections:write'], source: 'docs: Edit / re-authorize connection Y/Y/N' },
  'GET /connections/oauth-health': { roles: EVERYONE, scopes: ['connections:read', 'connections:write'], source: 'docs: View connection … status Y/Y/Y' },
  'GET /oauth-apps': { roles: EVERYONE, scopes: ['connections:read', 'connections:write'], source: 'design: listed like connections (no client secret)' },
  'POST /oauth-apps': { roles: WRITERS, scopes: ['connections:write'], source: 'design: managed by whoever may create connections' },
  'PATCH /oauth-apps/:id': { roles: WRITERS, scopes: ['connections:write'], source: 'design: managed by whoever may create connections' },
  'DELETE /oauth-apps/:id': { roles: WRITERS, scopes: ['connections:write'], source: 'design: managed by whoever may create connections' },

  // datastores-and-secrets.md "Security and permissions": Secrets
  'POST /secrets': { roles: WRITERS, scopes: ['secrets:write'], source: 'docs: Create / update / delete secret Y/Y/N' },
  'GET /secrets': { roles: EVERYONE, scopes: ['secrets:read', 'secrets:write'], source: 'design: metadata only (the value is never listed), like the other lists' },
  'GET /secrets/:id': { roles: EVERYONE, scopes: ['secrets:read', 'secrets:write'], source: 'docs: the value is never returned in get; metadata like the list' },
  'PATCH /secrets/:id': { roles: WRITERS, scopes: ['secrets:write'], source: 'docs: Create / update / delete secret Y/Y/N' },
  'POST /secrets/:id/rotate': { roles: WRITERS, scopes: ['secrets:write'], source: 'docs: Rotate secret Y/Y/N' },
  'POST /secrets/:id/rollback': { roles: ADMIN, scopes: [], source: 'README: POST /secrets/{id}/rollback {version} (admin); an admin can roll back' },
  'POST /secrets/:id/reveal': { roles: ADMIN, scopes: ['secrets:read'], source: 'docs: Reveal Y/N/N; requires the secrets:read scope or an admin JWT' },
  'DELETE /secrets/:id': { roles: WRITERS, scopes: ['secrets:write'], source: 'docs: Create / update / delete secret Y/Y/N' },

  // datastores-and-secrets.md "Security and permissions": Datastores
  'GET /datastores': { roles: EVERYONE, scopes: ['datastores:read', 'datastores:write'], source: 'docs: Read objects Y/Y/Y (the datastores they live in)' },
  'POST /datastores': { roles: WRITERS, scopes: ['datastores:write'], source: 'docs: Create / delete datastore Y/Y/N' },
  'GET /datastores/:id': { roles: EVERYONE, scopes: ['datastores:read', 'datastores:write'], source: 'docs: Read objects Y/Y/Y' },
  'DELETE /datastores/:id': { roles: WRITERS, scopes: ['datastores:write'], source: 'docs: Create / delete datastore Y/Y/N' },
  'POST /datastores/:id/test': { roles: WRITERS, scopes: ['datastores:write'], source: 'design: the test writes and removes a probe, like an upload' },
  'POST /datastores/:id/reattach': {
    roles: ADMIN,
    scopes: [],
    source: 'README (issue 14): a folder is a filesystem permission; re-attaching one after a restore is an explicit admin action',
  },
  'GET /datastores/:id/objects': { roles: EVERYONE, scopes: ['datastores:read', 'datastores:write'], source: 'docs: Read objects Y/Y/Y' },
  'GET /datastores/:id/objects/*': { roles: EVERYONE, scopes: ['datastores:read', 'datastores:write'], source: 'docs: Read objects Y/Y/Y (GET /datastores/{id}/objects/{key+})' },
  'DELETE /datastores/:id/objects/*': { roles: WRITERS, scopes: ['datastores:write'], source: 'docs: Upload / delete objects Y/Y/N' },
  'PUT /datastores/:id/objects/*': { roles: WRITERS, scopes: ['datastores:write'], source: 'docs: Upload / delete objects Y/Y/N (issue 16: the CLI uploads here, resumably on S3)' },
  'GET /datastores/:id/uploads': {
    roles: WRITERS,
    scopes: ['datastores:write'],
    source: 'design (issue 16): how much of your own interrupted upload is stored is part of uploading: Upload objects Y/Y/N',
  },
  'POST /datastores/:id/upload-url': {
    roles: WRITERS,
    scopes: ['datastores:write'],
    source: 'docs: Upload / delete objects Y/Y/N; upload-url 403 → "confirm your API key includes the relevant write scope"',
  },
  'GET /storage/usage': { roles: EVERYONE, scopes: ['datastores:read', 'datastores:write'], source: 'design: totals of what every role may read' },

  // Issue 15 "Access": viewers see workflows and runs; editors create, edit and run them; admins delete. API keys:
  // workflows:read and workflows:write.
  'GET /workflows': { roles: EVERYONE, scopes: ['workflows:read', 'workflows:write'], source: 'issue 15: viewers see workflows' },
  'POST /workflows': { roles: WRITERS, scopes: ['workflows:write'], source: 'issue 15: editors create workflows (import is a create)' },
  'GET /workflows/schema': { roles: EVERYONE, scopes: ['workflows:read', 'workflows:write'], source: 'issue 15: viewers see workflows (the file format they are written in)' },
  'POST /workflows/validate': { roles: WRITERS, scopes: ['workflows:write'], source: 'design: checking a draft is part of editing (editors), nothing is saved' },
  'GET /workflows/:id': { roles: EVERYONE, scopes: ['workflows:read', 'workflows:write'], source: 'issue 15: viewers see workflows' },
  'GET /workflows/:id/versions': { roles: EVERYONE, scopes: ['workflows:read', 'workflows:write'], source: 'issue 15: viewers see workflows' },
  'GET /workflows/:id/export': { roles: EVERYONE, scopes: ['workflows:read', 'workflows:write'], source: 'issue 15: viewers see workflows (export is the definition)' },
  'PUT /workflows/:id': { roles: WRITERS, scopes: ['workflows:write'], source: 'issue 15: editors edit workflows' },
  'DELETE /workflows/:id': {
    roles: ADMIN,
    scopes: ['workflows:write'],
    source: 'issue 15: admins delete; design: the workflows:write scope deletes too (like connections:write and secrets:write do)',
  },
  'POST /workflows/:id/runs': { roles: WRITERS, scopes: ['workflows:write'], source: 'issue 15: editors … run them; workflows:write' },
  'GET /workflows/:id/runs': { roles: EVERYONE, scopes: ['workflows:read', 'workflows:write'], source: 'issue 15: viewers see workflows and runs' },
  'GET /runs': { roles: EVERYONE, scopes: ['workflows:read', 'workflows:write'], source: 'issue 15: viewers see workflows and runs' },
  'GET /runs/:id': { roles: EVERYONE, scopes: ['workflows:read', 'workflows:write'], source: 'issue 15: viewers see workflows and runs' },
  'POST /runs/:id/cancel': { roles: WRITERS, scopes: ['workflows:write'], source: 'design: cancelling a run is part of running it (editors run them)' },
  'POST /runs/:id/replay': { roles: WRITERS, scopes: ['workflows:write'], source: 'issue 15: replay starts a new run; editors run them' },
};

/** Whether a credential (a role's JWT, or an API key with these scopes) may call a route, by the table above. */
export function expectedAllowed(e: Expected, cred: { role: Role } | { scopes: readonly Scope[] }): boolean {
  if ('any' in e || 'public' in e) return true;
  if ('role' in cred) return e.roles[cred.role];
  return cred.scopes.some((s) => s === 'admin' || (e.scopes as readonly string[]).includes(s));
}
