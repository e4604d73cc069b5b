import { describe, expect, it } from 'vitest';
import type { Api } from '@shared/ipc/api';
import type { Secret } from '@shared/domain/secret';
import { REVEAL_MS, createSecretsStore, type ClipboardLike } from '../../../renderer/src/features/secrets/secrets-store';

const WS = '11111111-1111-4111-8111-111111111111';
const secret = (i: number): Secret => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  workspaceId: WS,
  name: `s-${String(i).padStart(5, '0')}`,
  description: '',
  valueType: 'string',
  version: 1,
  generator: null,
  rotation: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  lastRotatedAt: null,
});

/** A fake Api over an in-memory list of N secrets, paging like the real keyset endpoint. */
function fakeApi(n: number) {
  const all = Array.from({ length: n }, (_, i) => secret(i));
  const calls: Array<{ channel: string; input: unknown }> = [];
  const api: Api = {
    on: () => () => {},
    invoke: (async (channel: string, input: Record<string, unknown>) => {
      calls.push({ channel, input });
      if (channel === 'secrets:list') {
        const start = input.cursor ? Number(input.cursor) : 0;
        const limit = input.limit as number;
        const items = all.slice(start, start + limit);
        return { ok: true, value: { items, nextCursor: start + limit < all.length ? String(start + limit) : null } };
      }
      if (channel === 'secrets:reveal') return { ok: true, value: { value: 'the-value', valueType: 'string', version: 1 } };
      if (channel === 'secrets:get') return { ok: true, value: { secret: all[0], versions: [], references: [], lastAccess: null } };
      return { ok: false, error: { code: 'NOT_FOUND', message: 'no' } };
    }) as Api['invoke'],
  };
  return { api, calls };
}

function fakeTimers() {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let seq = 0;
  return {
    now: () => now,
    setTimer: (fn: () => void, ms: number) => {
      const id = ++seq;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimer: (id: unknown) => {
      const i = timers.findIndex((t) => t.id === id);
      if (i >= 0) timers.splice(i, 1);
    },
    advance(ms: number) {
      now += ms;
      for (const t of timers.filter((x) => x.at <= now)) {
        timers.splice(timers.indexOf(t), 1);
        t.fn();
      }
    },
  };
}

function fakeClipboard(): ClipboardLike & { text: string } {
  const cb = {
    text: '',
    readText: async () => cb.text,
    writeText: async (t: string) => void (cb.text = t),
  };
  return cb;
}

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('secrets store', () => {
  it('pages through 10 000 secrets a keyset page at a time', async () => {
    const { api, calls } = fakeApi(10_000);
    const store = createSecretsStore(api);
    await store.getState().load(WS, '');
    expect(store.getState().items).toHaveLength(500);
    while (store.getState().nextCursor) await store.getState().loadMore();
    expect(store.getState().items).toHaveLength(10_000);
    expect(new Set(store.getState().items.map((s) => s.id)).size).toBe(10_000);
    expect(calls.filter((c) => c.channel === 'secrets:list')).toHaveLength(20);
  });

  it('a revealed value hides itself after 30 s', async () => {
    const t = fakeTimers();
    const { api } = fakeApi(1);
    const store = createSecretsStore(api, t);
    await store.getState().load(WS, '');
    expect(await store.getState().reveal(secret(0).id)).toBeNull();
    expect(store.getState().revealed).toMatchObject({ text: 'the-value', hidesAt: REVEAL_MS });
    t.advance(REVEAL_MS - 1);
    expect(store.getState().revealed).toBeDefined();
    t.advance(1);
    expect(store.getState().revealed).toBeUndefined();
  });

  it('a copied value is cleared from the clipboard after 30 s, unless something else was copied since', async () => {
    const t = fakeTimers();
    const cb = fakeClipboard();
    const { api } = fakeApi(1);
    const store = createSecretsStore(api, { ...t, clipboard: cb });
    await store.getState().load(WS, '');
    await store.getState().reveal(secret(0).id);
    expect(await store.getState().copy()).toBeNull();
    expect(cb.text).toBe('the-value');
    // The countdown's end: when the clipboard clears, then nothing pending.
    expect(store.getState().clipboardClearsAt).toBe(REVEAL_MS);
    t.advance(REVEAL_MS);
    await flush();
    expect(cb.text).toBe('');
    expect(store.getState().clipboardClearsAt).toBeNull();

    await store.getState().reveal(secret(0).id);
    await store.getState().copy();
    cb.text = 'something the admin copied later';
    t.advance(REVEAL_MS);
    await flush();
    expect(cb.text).toBe('something the admin copied later');
  });

  it('switching workspace hides a revealed value', async () => {
    const t = fakeTimers();
    const { api } = fakeApi(1);
    const store = createSecretsStore(api, t);
    await store.getState().load(WS, '');
    await store.getState().reveal(secret(0).id);
    await store.getState().load('22222222-2222-4222-8222-222222222222', '');
    expect(store.getState().revealed).toBeUndefined();
  });
});
