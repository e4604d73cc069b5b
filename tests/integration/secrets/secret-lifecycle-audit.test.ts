import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeReadyCore } from '../../helpers/test-core';

/**
 * Every write of a secret at the service level: the `secrets:changed` push event the windows refresh on, and what
 * the audit row of each says (target, version numbers, generated or not), since reviewers read those rows.
 */
let t: Awaited<ReturnType<typeof makeReadyCore>>;
let ws: string;
const pushed: { workspaceId: string; id: string }[] = [];

beforeAll(async () => {
  t = await makeReadyCore();
  ws = t.core.workspaces.defaultWorkspace().id;
  t.core.bus.subscribe((event, payload) => {
    if (event === 'secrets:changed') pushed.push(payload as { workspaceId: string; id: string });
  });
});
afterAll(() => t.close());

const event = (action: string, id: string) => t.core.audit.list({ workspaceId: ws, action: action as never }, t.admin).items.find((e) => e.target?.id === id);

describe('secret writes: push events and audit rows', () => {
  it('create, update, rotate, rollback, reveal and delete each push secrets:changed (reveal aside) and record what they did', () => {
    pushed.length = 0;
    const s = t.core.secrets.create({ workspaceId: ws, name: 'db-password', value: 'v1-value' }, t.admin);
    expect(pushed).toEqual([{ workspaceId: ws, id: s.id }]);
    expect(event('secret.created', s.id)).toMatchObject({
      target: { type: 'secret', id: s.id, name: 'db-password' },
      details: { version: 1, valueType: 'string', generated: false },
    });

    t.core.secrets.update({ workspaceId: ws, id: s.id, name: 'db-password-2' }, t.admin);
    expect(pushed).toHaveLength(2);
    expect(event('secret.updated', s.id)).toMatchObject({ target: { type: 'secret', id: s.id, name: 'db-password-2' } });

    t.core.secrets.rotate({ workspaceId: ws, id: s.id, value: 'v2-value' }, t.admin);
    expect(pushed).toHaveLength(3);
    expect(event('secret.rotated', s.id)).toMatchObject({
      target: { type: 'secret', id: s.id, name: 'db-password-2' },
      details: { version: 2, previousVersion: 1, generated: false },
    });

    expect(() => t.core.secrets.rollback({ workspaceId: ws, id: s.id, version: 2 }, t.admin)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'version', message: 'version 2 is already the current one' }),
    );
    t.core.secrets.rollback({ workspaceId: ws, id: s.id, version: 1 }, t.admin);
    expect(pushed).toHaveLength(4);
    expect(event('secret.rolled_back', s.id)).toMatchObject({ target: { type: 'secret', id: s.id, name: 'db-password-2' } });

    expect(t.core.secrets.reveal(ws, s.id, t.admin)).toMatchObject({ value: 'v1-value', version: 3 });
    expect(event('secret.accessed', s.id)).toMatchObject({ target: { type: 'secret', id: s.id, name: 'db-password-2' }, details: { version: 3 } });
    expect(pushed).toHaveLength(4);

    expect(t.core.secrets.remove({ workspaceId: ws, id: s.id }, t.admin)).toEqual({ id: s.id, deleted: true });
    expect(pushed).toHaveLength(5);
    expect(pushed[4]).toEqual({ workspaceId: ws, id: s.id });
    expect(event('secret.deleted', s.id)).toMatchObject({
      target: { type: 'secret', id: s.id, name: 'db-password-2' },
      details: { forced: false, clearedReferences: [] },
    });
  });

  it('a generated secret says so when created and when rotated without a value', () => {
    const s = t.core.secrets.create({ workspaceId: ws, name: 'generated-token', generate: { length: 24, alphabet: 'hex' } }, t.admin);
    expect(event('secret.created', s.id)).toMatchObject({ details: { version: 1, valueType: 'string', generated: true } });
    expect(s.generator).toEqual({ length: 24, alphabet: 'hex' });
    const v1 = t.core.secrets.reveal(ws, s.id, t.admin).value as string;
    expect(v1).toMatch(/^[0-9a-f]{24}$/);
    t.core.secrets.rotate({ workspaceId: ws, id: s.id }, t.admin);
    expect(event('secret.rotated', s.id)).toMatchObject({ details: { version: 2, previousVersion: 1, generated: true } });
    expect(t.core.secrets.reveal(ws, s.id, t.admin).value).not.toBe(v1);
  });

  it('an object value is stored as JSON and says so', () => {
    const s = t.core.secrets.create({ workspaceId: ws, name: 'json-cred', value: { user: 'u', pass: 'p' } }, t.admin);
    expect(event('secret.created', s.id)).toMatchObject({ details: { valueType: 'json', generated: false } });
    expect(t.core.secrets.reveal(ws, s.id, t.admin).value).toEqual({ user: 'u', pass: 'p' });
  });
});
