import { describe, expect, it } from 'vitest';
import { OPERATIONS, POLICY, SCOPES, roleAllows, scopesAllow, type Operation } from '@core/access/policy';
import type { Role } from '@shared/domain/common';

/**
 * The docs' permission tables, cell by cell, written out independently of POLICY so a wrong edit to the
 * table is caught. Y = allowed.
 */
const DOCS: Record<string, Record<Role, boolean>> = {
  // connections.md: Create / Edit, re-authorize / Delete / View list and status / Test
  'connection.create': { admin: true, editor: true, viewer: false },
  'connection.update': { admin: true, editor: true, viewer: false },
  'connection.delete': { admin: true, editor: true, viewer: false },
  'connection.list': { admin: true, editor: true, viewer: true },
  'connection.test': { admin: true, editor: true, viewer: false },
  // datastores-and-secrets.md
  'datastore.create': { admin: true, editor: true, viewer: false },
  'datastore.delete': { admin: true, editor: true, viewer: false },
  'datastore.object_write': { admin: true, editor: true, viewer: false },
  'datastore.object_read': { admin: true, editor: true, viewer: true },
  'secret.write': { admin: true, editor: true, viewer: false },
  'secret.reveal': { admin: true, editor: false, viewer: false },
  'secret.rotate': { admin: true, editor: true, viewer: false },
};

/**
 * The scope cells the docs and README state, written out the same way: which single scope (besides `admin`) allows
 * the operation. Rollback is admin only (README), so no scope but `admin` may do it.
 */
const DOCS_SCOPES: Partial<Record<Operation, readonly string[]>> = {
  // datastores-and-secrets.md: reveal "requires the secrets:read scope on your API key, or a JWT from an admin account"
  'secret.reveal': ['secrets:read'],
  // README: POST /secrets/{id}/rollback {version} (admin)
  'secret.rollback': [],
  // README: GET /audit-events (audit:read or admin)
  'audit.read': ['audit:read'],
  // datastores-and-secrets.md: upload-url 403 → "confirm your API key includes the relevant write scope"
  'datastore.object_write': ['datastores:write'],
  // README: users and API keys are admin only
  'user.manage': [],
  // README (issue 14): a folder of one's choosing is a filesystem permission; choosing one or re-attaching one is admin only
  'datastore.manage_folder': [],
  'apikey.manage': [],
};

describe('policy table', () => {
  for (const [op, allowed] of Object.entries(DOCS_SCOPES)) {
    it(`${op} is allowed by ${allowed.length ? allowed.join(', ') + ' and ' : ''}the admin scope only (docs/README)`, () => {
      for (const s of SCOPES) expect(scopesAllow([s], op as Operation), s).toBe(s === 'admin' || allowed.includes(s));
    });
  }

  it('rollback is admin only (README): the admin role or the admin scope, never secrets:write', () => {
    expect(roleAllows('admin', 'secret.rollback')).toBe(true);
    expect(roleAllows('editor', 'secret.rollback')).toBe(false);
    expect(scopesAllow(['secrets:write'], 'secret.rollback')).toBe(false);
    expect(scopesAllow(['secrets:read', 'secrets:write'], 'secret.rollback')).toBe(false);
    expect(scopesAllow(['admin'], 'secret.rollback')).toBe(true);
  });

  for (const [op, cells] of Object.entries(DOCS)) {
    for (const role of ['admin', 'editor', 'viewer'] as const) {
      it(`${role} ${cells[role] ? 'may' : 'may not'} ${op} (docs)`, () => {
        expect(roleAllows(role, op as Operation)).toBe(cells[role]);
      });
    }
  }

  it('every operation allows admin', () => {
    for (const op of OPERATIONS) expect(roleAllows('admin', op)).toBe(true);
  });

  it('the admin scope allows everything; a scope allows only its operations', () => {
    for (const op of OPERATIONS) expect(scopesAllow(['admin'], op)).toBe(true);
    expect(scopesAllow(['secrets:read'], 'secret.reveal')).toBe(true);
    expect(scopesAllow(['secrets:write'], 'secret.reveal')).toBe(false);
    expect(scopesAllow(['datastores:read'], 'datastore.object_write')).toBe(false);
    expect(scopesAllow(['datastores:write'], 'datastore.object_write')).toBe(true);
    expect(scopesAllow([], 'connection.list')).toBe(false);
  });

  it('no operation grants a scope it does not declare', () => {
    for (const op of OPERATIONS) {
      for (const s of ['secrets:read', 'connections:write', 'audit:read']) {
        expect(scopesAllow([s], op)).toBe((POLICY[op].scopes as readonly string[]).includes(s));
      }
    }
  });
});
