import { describe, expect, it } from 'vitest';
import { createAccessService } from '@core/access/access-service';
import type { Logger } from '@core/ports';
import type { Actor } from '@shared/domain/actor';

/**
 * The access gate on its own (no database): who holds what where, what a refusal says, and that every refusal is
 * logged with who asked for what where. The integration tests reach it through the services; these pin the messages
 * and the log line, which a caller and an operator rely on, and the grants of actors nobody registered.
 */
const actor = (kind: Actor['kind'], id = `${kind}-1`): Actor => ({ kind, id, name: id, origin: '127.0.0.1' });

function gate(existing: readonly string[] = ['ws-1']) {
  const lines: { level: string; message: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = { log: (level, message, fields) => void lines.push({ level, message, fields }) };
  const access = createAccessService({ logger, workspaceExists: (id) => existing.includes(id) });
  return { access, lines };
}

function refusal(fn: () => void): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error('expected a refusal');
}

describe('access service', () => {
  it('the local OS user and the app itself are admins in any workspace; other kinds hold nothing until registered', () => {
    const { access } = gate();
    expect(access.grantFor(actor('local'), 'ws-1')).toEqual({ role: 'admin' });
    expect(access.grantFor(actor('system'), 'ws-anything')).toEqual({ role: 'admin' });
    for (const kind of ['user', 'apiKey', 'anonymous'] as const) {
      expect(access.grantFor(actor(kind), 'ws-1')).toBeNull();
      expect(access.allowed(actor(kind), 'ws-1', 'workspace.read')).toBe(false);
    }
    expect(access.allowed(actor('local'), 'ws-1', 'settings.manage')).toBe(true);
    expect(access.allowed(actor('system'), 'ws-1', 'secret.rollback')).toBe(true);
  });

  it('asks a registered resolver with the actor and the workspace, and checks a role or scopes against the table', () => {
    const { access } = gate(['ws-1', 'ws-2']);
    const asked: [string, string][] = [];
    access.registerResolver('user', (a, ws) => {
      asked.push([a.id, ws]);
      return ws === 'ws-1' ? { role: 'viewer' } : null;
    });
    access.registerResolver('apiKey', () => ({ scopes: ['secrets:read'] }));
    expect(access.allowed(actor('user', 'u-7'), 'ws-1', 'secret.list')).toBe(true);
    expect(access.allowed(actor('user', 'u-7'), 'ws-1', 'secret.write')).toBe(false);
    expect(access.allowed(actor('user', 'u-7'), 'ws-2', 'secret.list')).toBe(false);
    expect(asked).toEqual([
      ['u-7', 'ws-1'],
      ['u-7', 'ws-1'],
      ['u-7', 'ws-2'],
    ]);
    expect(access.allowed(actor('apiKey'), 'ws-1', 'secret.reveal')).toBe(true);
    expect(access.allowed(actor('apiKey'), 'ws-1', 'secret.write')).toBe(false);
  });

  it('assert passes an allowed actor in an existing workspace, and logs nothing', () => {
    const { access, lines } = gate();
    expect(() => access.assert(actor('local'), 'ws-1', 'secret.write')).not.toThrow();
    expect(lines).toEqual([]);
  });

  it('an admin everywhere gets NOT_FOUND for a workspace that does not exist (before any row is written)', () => {
    const { access } = gate();
    const e = refusal(() => access.assert(actor('local'), 'ws-gone', 'secret.write'));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toBe('workspace not found');
  });

  it('no grant in the workspace: 403 that says nothing about whether it exists, and a warn line saying who asked for what', () => {
    const { access, lines } = gate();
    const a = { ...actor('user', 'u-9'), origin: '10.0.0.5' };
    for (const ws of ['ws-1', 'ws-gone']) {
      const e = refusal(() => access.assert(a, ws, 'secret.list'));
      expect(e.code).toBe('FORBIDDEN');
      expect(e.message).toBe('you have no access to this workspace; check the workspace id and your credential');
    }
    expect(lines).toEqual([
      { level: 'warn', message: 'access denied', fields: { actorKind: 'user', actorId: 'u-9', op: 'secret.list', workspaceId: 'ws-1', origin: '10.0.0.5' } },
      { level: 'warn', message: 'access denied', fields: { actorKind: 'user', actorId: 'u-9', op: 'secret.list', workspaceId: 'ws-gone', origin: '10.0.0.5' } },
    ]);
  });

  it('a role or scopes that do not allow the operation: 403 naming the role, or the scopes, and the operation', () => {
    const { access, lines } = gate();
    access.registerResolver('user', () => ({ role: 'viewer' }));
    access.registerResolver('apiKey', () => ({ scopes: ['datastores:read'] }));
    const byRole = refusal(() => access.assert(actor('user'), 'ws-1', 'datastore.delete'));
    expect(byRole).toMatchObject({ code: 'FORBIDDEN', message: 'your role (viewer) do not allow datastore.delete' });
    const byScopes = refusal(() => access.assert(actor('apiKey'), 'ws-1', 'datastore.object_write'));
    expect(byScopes).toMatchObject({ code: 'FORBIDDEN', message: 'your API key scopes do not allow datastore.object_write' });
    expect(lines.map((l) => [l.level, l.message, l.fields?.op])).toEqual([
      ['warn', 'access denied', 'datastore.delete'],
      ['warn', 'access denied', 'datastore.object_write'],
    ]);
  });
});
