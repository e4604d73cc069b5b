import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Api } from '@shared/ipc/api';
import type { Channel } from '@shared/ipc/contract';
import type { Actor } from '@shared/domain/actor';
import { createConnectionsStore } from '../../../renderer/src/features/connections/connections-store';
import { makeReadyCore } from '../../helpers/test-core';
import { roleActors } from '../../helpers/actors';
import { startFakeProviders, type FakeProviders } from '../../fakes/fake-providers';

/** The connections store driven by the real core through dispatch (the path both bridges take). */
let fake: FakeProviders;
beforeAll(async () => (fake = await startFakeProviders()));
afterAll(() => fake.close());

async function setup() {
  const t = await makeReadyCore();
  const apiAs = (actor?: Actor): Api => ({
    invoke: ((ch: Channel, input: unknown) => t.invoke(ch, input as never, actor)) as Api['invoke'],
    on: () => () => {},
  });
  return { t, ws: t.core.workspaces.defaultWorkspace().id, apiAs };
}

function unwrapCreated<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('connections store', () => {
  it('creates, tests, pauses, updates credentials, tests again and deletes, keeping list and detail in step', async () => {
    const { t, ws, apiAs } = await setup();
    const s = createConnectionsStore(apiAs());
    await s.getState().load(ws);
    expect(s.getState()).toMatchObject({ status: 'ready', items: [] });

    const draft = { provider: 'datadog' as const, authType: 'apikey' as const, credential: fake.good.datadog, settings: fake.settings('datadog') };
    const pre = await s.getState().testDraft(draft);
    expect(pre).toMatchObject({ ok: true, value: { outcome: 'valid' } });
    const created = await s.getState().create({ name: 'DD', ...draft });
    if (!created.ok) throw new Error(created.error.message);
    expect(s.getState().items.map((i) => i.name)).toEqual(['DD']);

    await s.getState().open(created.value.id);
    expect(s.getState().selected).toMatchObject({ id: created.value.id, lastTest: null });
    expect((await s.getState().test(created.value.id)).ok).toBe(true);
    expect(s.getState().selected?.lastTest?.outcome).toBe('valid');
    expect(s.getState().testing[created.value.id]).toBe(false);

    expect(await s.getState().update(created.value.id, { status: 'paused' })).toBeNull();
    expect(s.getState().items[0]!.status).toBe('paused');
    expect(s.getState().selected?.status).toBe('paused');
    expect(await s.getState().update(created.value.id, { credential: fake.bad.datadog })).toBeNull();
    await s.getState().test(created.value.id);
    expect(s.getState().selected?.lastTest).toMatchObject({ outcome: 'invalid_credential', httpStatus: 403 });

    await s.getState().load(ws, { status: 'active' });
    expect(s.getState().items).toEqual([]);
    await s.getState().load(ws, {});
    expect(await s.getState().remove(created.value.id, false)).toBeNull();
    expect(s.getState()).toMatchObject({ items: [], selected: null });
    t.close();
  });

  it('selecting rows reads no detail record (no connection.accessed); each opening records exactly one', async () => {
    const { t, ws, apiAs } = await setup();
    for (const name of ['PD one', 'PD two']) {
      await t.invoke('connections:create', { workspaceId: ws, name, provider: 'pagerduty', authType: 'apikey', credential: 'k' });
    }
    const accessed = () => t.core.audit.list({ workspaceId: ws, action: 'connection.accessed' }, t.admin).items.length;
    const s = createConnectionsStore(apiAs());
    await s.getState().load(ws);
    const [one, two] = s.getState().items;
    for (const id of [one!.id, two!.id, one!.id]) s.getState().select(id);
    expect(s.getState()).toMatchObject({ selectedId: one!.id, selected: null });
    expect(accessed()).toBe(0);

    await s.getState().open(two!.id);
    expect(s.getState()).toMatchObject({ selectedId: two!.id, selected: { id: two!.id } });
    expect(accessed()).toBe(1);
    // Closing the detail keeps the row selected (its summary), and selecting another closes the detail unread.
    s.getState().close();
    expect(s.getState()).toMatchObject({ selectedId: two!.id, selected: null });
    await s.getState().open(two!.id);
    s.getState().select(one!.id);
    expect(s.getState()).toMatchObject({ selectedId: one!.id, selected: null });
    expect(accessed()).toBe(2);
    t.close();
  });

  it('reloads of one opening (test, save, refresh, a push for it) record no further connection.accessed; a new opening does', async () => {
    const { t, ws, apiAs } = await setup();
    const created = unwrapCreated(await t.invoke('connections:create', { workspaceId: ws, name: 'DD', provider: 'datadog', authType: 'apikey', credential: fake.good.datadog, settings: fake.settings('datadog') }));
    const accessed = () => t.core.audit.list({ workspaceId: ws, action: 'connection.accessed' }, t.admin).items.length;
    let push: ((p: { workspaceId: string; id: string }) => void) | undefined;
    const api: Api = { ...apiAs(), on: ((_ch: string, fn: typeof push) => ((push = fn), () => {})) as Api['on'] };
    const s = createConnectionsStore(api);
    await s.getState().load(ws);
    s.getState().listen(ws);
    await s.getState().open(created.id);
    expect(accessed()).toBe(1);
    await s.getState().test(created.id);
    expect(await s.getState().update(created.id, { name: 'DD renamed' })).toBeNull();
    expect(s.getState().selected?.name).toBe('DD renamed');
    await s.getState().refresh(created.id);
    // Another window renames it: the push reloads the open detail (same opening).
    await t.invoke('connections:update', { workspaceId: ws, id: created.id, name: 'DD elsewhere' });
    const reloaded = new Promise<void>((resolve) => {
      const off = s.subscribe((st) => {
        if (st.selected?.name !== 'DD elsewhere') return;
        off();
        resolve();
      });
    });
    push!({ workspaceId: ws, id: created.id });
    await reloaded;
    expect(accessed()).toBe(1);
    s.getState().close();
    await s.getState().open(created.id);
    expect(accessed()).toBe(2);
    t.close();
  });

  it('a viewer loads the list with statuses, and is refused the detail record', async () => {
    const { t, ws, apiAs } = await setup();
    await t.invoke('connections:create', { workspaceId: ws, name: 'PD', provider: 'pagerduty', authType: 'apikey', credential: 'k' });
    const viewer = roleActors(t.core)('viewer', ws);
    const s = createConnectionsStore(apiAs(viewer));
    await s.getState().load(ws);
    expect(s.getState().items.map((i) => [i.name, i.status])).toEqual([['PD', 'active']]);
    await s.getState().open(s.getState().items[0]!.id);
    expect(s.getState()).toMatchObject({ selected: null, selectedError: { code: 'FORBIDDEN' } });
    t.close();
  });
});
