import { describe, expect, it } from 'vitest';
import { OPERATIONS, POLICY, roleAllows, scopesAllow, type Operation } from '@core/access/policy';
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

describe('policy table', () => {
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
