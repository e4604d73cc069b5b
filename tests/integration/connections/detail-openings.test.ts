import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Actor } from '@shared/domain/actor';
import type { Clock } from '@core/ports';
import { OPENING_MEMO_TTL_MS } from '@core/connections/detail-opening-memo';
import { makeReadyCore, unwrap } from '../../helpers/test-core';
import { roleActors } from '../../helpers/actors';

/**
 * "Record one access per opening" (issue #17): connections:get with an openingId records connection.accessed once
 * per opening and actor; without one, every read is recorded. The first read of an opening is always recorded.
 */
let now = Date.parse('2026-12-01T09:00:00Z');
const clock: Clock = { now: () => new Date(now) };
let t: Awaited<ReturnType<typeof makeReadyCore>>;
afterEach(() => t.close());

async function setup() {
  t = await makeReadyCore({ clock });
  const ws = t.core.workspaces.defaultWorkspace().id;
  const c = unwrap(await t.invoke('connections:create', { workspaceId: ws, name: 'PD', provider: 'pagerduty', authType: 'apikey', credential: 'k' }));
  const get = (openingId?: string, actor?: Actor) => t.invoke('connections:get', { workspaceId: ws, id: c.id, ...(openingId ? { openingId } : {}) }, actor);
  const accessed = () => t.core.audit.list({ workspaceId: ws, action: 'connection.accessed' }, t.admin).items;
  return { ws, c, get, accessed };
}

describe('connection.accessed once per opening', () => {
  it('the same openingId twice records one row; a new openingId records another', async () => {
    const { get, accessed } = await setup();
    const opening = randomUUID();
    unwrap(await get(opening));
    unwrap(await get(opening));
    expect(accessed()).toHaveLength(1);
    unwrap(await get(randomUUID()));
    expect(accessed()).toHaveLength(2);
  });

  it('without an openingId every read is recorded', async () => {
    const { get, accessed } = await setup();
    for (let i = 0; i < 3; i++) unwrap(await get());
    expect(accessed()).toHaveLength(3);
  });

  it('another person with the same openingId is recorded on their own', async () => {
    const { ws, get, accessed } = await setup();
    const editor = roleActors(t.core)('editor', ws);
    const opening = randomUUID();
    unwrap(await get(opening));
    unwrap(await get(opening, editor));
    unwrap(await get(opening, editor));
    expect(accessed().map((e) => e.actor.id).sort()).toEqual([t.admin.id, editor.id].sort());
  });

  it('a refused read records nothing and does not count as the opening’s access', async () => {
    const { ws, get, accessed } = await setup();
    const viewer = roleActors(t.core)('viewer', ws);
    const opening = randomUUID();
    expect(await get(opening, viewer)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(accessed()).toHaveLength(0);
    unwrap(await get(opening));
    expect(accessed()).toHaveLength(1);
  });

  it('an opening is remembered for 30 minutes from its recorded access, then recorded again', async () => {
    const { get, accessed } = await setup();
    const opening = randomUUID();
    unwrap(await get(opening));
    now += OPENING_MEMO_TTL_MS - 1;
    unwrap(await get(opening));
    expect(accessed()).toHaveLength(1);
    now += 1;
    unwrap(await get(opening));
    expect(accessed()).toHaveLength(2);
    unwrap(await get(opening));
    expect(accessed()).toHaveLength(2);
  });

  it('an opening of a connection that does not exist records nothing; an openingId that is not a UUID is refused', async () => {
    const { ws, accessed } = await setup();
    expect(await t.invoke('connections:get', { workspaceId: ws, id: randomUUID(), openingId: randomUUID() })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(accessed()).toHaveLength(0);
    expect(await t.invoke('connections:get', { workspaceId: ws, id: randomUUID(), openingId: 'not-a-uuid' } as never)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});
