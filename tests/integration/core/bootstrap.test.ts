import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Actor } from '@shared/domain/actor';
import { makeTestCore, unwrap } from '../../helpers/test-core';

let t: ReturnType<typeof makeTestCore>;
beforeEach(() => (t = makeTestCore()));
afterEach(() => t.close());

/** What the three channels app:bootstrap stands in for answer the same caller. */
async function separately(actor: Actor) {
  return {
    session: unwrap(await t.invoke('session:info', undefined, actor)),
    workspaces: unwrap(await t.invoke('workspaces:list', undefined, actor)),
    vault: unwrap(await t.invoke('vault:status', undefined, actor)),
  };
}

describe('app:bootstrap (the first screen in one round trip)', () => {
  it('answers the admin exactly what session:info, workspaces:list and vault:status answer, in its contract shape', async () => {
    unwrap(await t.invoke('workspaces:create', { name: 'Ops' }));
    // t.invoke parses every successful answer with the channel's output schema.
    const boot = unwrap(await t.invoke('app:bootstrap', undefined));
    expect(boot).toEqual(await separately(t.admin));
    expect(boot.workspaces.map((w) => w.name)).toEqual(['Default', 'Ops']);
    expect(boot.vault.state).toBe('uninitialized');
  });

  it('shows a user only the workspaces they hold a grant in, with their role there', async () => {
    const ops = unwrap(await t.invoke('workspaces:create', { name: 'Ops' }));
    const user = await t.core.users.create({ workspaceId: ops.id, username: 'vera', password: 'correct horse battery staple', role: 'viewer' }, t.admin);
    const vera: Actor = { kind: 'user', id: user.id, name: user.username, origin: '127.0.0.1' };
    const boot = unwrap(await t.invoke('app:bootstrap', undefined, vera));
    expect(boot).toEqual(await separately(vera));
    expect(boot.workspaces.map((w) => w.name)).toEqual(['Ops']);
    expect(boot.session.roles).toEqual({ [ops.id]: 'viewer' });
  });

  it('refuses input like the channels it replaces', async () => {
    expect(await t.invoke('app:bootstrap', { workspaceId: 'x' } as never)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
