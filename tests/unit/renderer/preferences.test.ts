import { describe, expect, it } from 'vitest';
import type { Api } from '@shared/ipc/api';
import type { UiPreferencesPatch } from '@shared/domain/preferences';
import type { Theme } from '@shared/domain/preferences.catalog';
import { createBridgePreferences, createStoragePreferences, type PreferencesBridge } from '../../../renderer/src/api/preferences-port';
import { createAppearanceStore } from '../../../renderer/src/features/settings/appearance-store';
import { createSessionStore } from '../../../renderer/src/features/session/session-store';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';

function memoryStorage(initial: Record<string, string> = {}) {
  const m = new Map(Object.entries(initial));
  return { map: m, getItem: (k: string) => m.get(k) ?? null, setItem: (k: string, v: string) => void m.set(k, v) };
}

/** window.prefs as the preload exposes it, over an in-memory file, counting the IPC calls. */
function fakeBridge(file: Record<string, unknown> = {}) {
  const calls = { get: 0, set: [] as UiPreferencesPatch[] };
  let onSet: (() => void) | null = null;
  const bridge: PreferencesBridge = {
    get: async () => (calls.get++, { ok: true, value: { ...file } }),
    set: async (patch) => {
      calls.set.push(patch);
      Object.assign(file, patch);
      onSet?.();
      return { ok: true, value: file };
    },
  };
  /** Resolves when the next prefs:set arrives (the stores write without awaiting). */
  const nextSet = () => new Promise<void>((resolve) => (onSet = resolve));
  return { bridge, calls, file, nextSet };
}

describe('preferences port: the console (localStorage)', () => {
  it('gives the defaults, then what was written, under the keys the console has always used', async () => {
    const storage = memoryStorage();
    const port = createStoragePreferences(storage);
    expect(await port.read()).toEqual({ theme: 'system' });
    await port.write({ theme: 'dark' });
    await port.write({ lastWorkspaceId: A });
    expect(await createStoragePreferences(storage).read()).toEqual({ theme: 'dark', lastWorkspaceId: A });
    expect(storage.map.get('provenance.lastWorkspace')).toBe(A);
  });

  it('reads an unknown value as the default, and survives a storage that refuses', async () => {
    expect(await createStoragePreferences(memoryStorage({ 'provenance.theme': 'neon', 'provenance.lastWorkspace': '' })).read()).toEqual({ theme: 'system' });
    const refusing = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const port = createStoragePreferences(refusing);
    await expect(port.write({ theme: 'light' })).resolves.toBeUndefined();
    expect(await port.read()).toEqual({ theme: 'system' });
  });
});

describe('preferences port: the desktop (window.prefs → electron-store)', () => {
  it('reads the file once, then answers from its copy, which each write updates', async () => {
    const { bridge, calls, file } = fakeBridge({ theme: 'light', lastWorkspaceId: A });
    const port = createBridgePreferences(bridge);
    expect(await Promise.all([port.read(), port.read()])).toEqual([
      { theme: 'light', lastWorkspaceId: A },
      { theme: 'light', lastWorkspaceId: A },
    ]);
    await port.write({ lastWorkspaceId: B });
    expect(await port.read()).toEqual({ theme: 'light', lastWorkspaceId: B });
    expect(calls).toEqual({ get: 1, set: [{ lastWorkspaceId: B }] });
    expect(file).toEqual({ theme: 'light', lastWorkspaceId: B });
  });

  it('gives the defaults when main refuses or fails, and a failed write does not throw', async () => {
    const refused: PreferencesBridge = { get: async () => ({ ok: false, error: { code: 'FORBIDDEN', message: 'untrusted sender' } }), set: async () => ({}) };
    expect(await createBridgePreferences(refused).read()).toEqual({ theme: 'system' });
    const broken: PreferencesBridge = { get: () => Promise.reject(new Error('no handler')), set: () => Promise.reject(new Error('no handler')) };
    const port = createBridgePreferences(broken);
    expect(await port.read()).toEqual({ theme: 'system' });
    await expect(port.write({ theme: 'dark' })).resolves.toBeUndefined();
    expect(await port.read()).toEqual({ theme: 'dark' });
    const odd: PreferencesBridge = { get: async () => ({ ok: true, value: { theme: 'sepia', lastWorkspaceId: 7 } }), set: async () => ({}) };
    expect(await createBridgePreferences(odd).read()).toEqual({ theme: 'system' });
  });
});

describe('appearance store (theme)', () => {
  it('applies the saved theme on load, and a new one at once, keeping it for the next start', async () => {
    const storage = memoryStorage({ 'provenance.theme': 'dark' });
    const applied: Theme[] = [];
    const store = createAppearanceStore(createStoragePreferences(storage), (t) => applied.push(t));
    expect(store.getState().theme).toBe('system');
    await store.getState().load();
    expect(store.getState().theme).toBe('dark');
    await store.getState().setTheme('light');
    expect(applied).toEqual(['dark', 'light']);
    const next = createAppearanceStore(createStoragePreferences(storage), () => {});
    await next.getState().load();
    expect(next.getState().theme).toBe('light');
  });
});

describe('session store: the last workspace', () => {
  /** A core answering session:info and workspaces:list with the workspaces given. */
  function fakeApi(workspaceIds: string[]): Api {
    const workspaces = workspaceIds.map((id, i) => ({ id, name: `W${i}`, createdAt: '', updatedAt: '' }));
    const roles = Object.fromEntries(workspaceIds.map((id) => [id, 'admin']));
    const answers: Record<string, unknown> = {
      'session:info': { actor: { kind: 'local', id: 'local:me', name: 'me', origin: 'ipc' }, roles, mode: 'desktop', version: 't' },
      'workspaces:list': workspaces,
    };
    return { invoke: (async (channel: string) => ({ ok: true, value: answers[channel] })) as Api['invoke'], on: () => () => {} };
  }

  it('restores the one chosen last, and remembers a new choice', async () => {
    const { bridge, calls, nextSet } = fakeBridge({ lastWorkspaceId: B });
    const s = createSessionStore(fakeApi([A, B]), createBridgePreferences(bridge));
    await s.getState().load();
    expect(s.getState().currentWorkspaceId).toBe(B);
    s.getState().selectWorkspace('33333333-3333-4333-8333-333333333333'); // not a workspace: ignored, not remembered
    const written = nextSet();
    s.getState().selectWorkspace(A);
    expect(s.getState().currentWorkspaceId).toBe(A);
    await written;
    expect(calls.set).toEqual([{ lastWorkspaceId: A }]);
  });

  it('falls back to the first workspace when the remembered one no longer exists', async () => {
    const port = createStoragePreferences(memoryStorage({ 'provenance.lastWorkspace': B }));
    const s = createSessionStore(fakeApi([A]), port);
    await s.getState().load();
    expect(s.getState().currentWorkspaceId).toBe(A);
  });

  it('a reload keeps the workspace on screen rather than the remembered one', async () => {
    const { bridge } = fakeBridge({ lastWorkspaceId: B });
    const s = createSessionStore(fakeApi([A, B]), createBridgePreferences(bridge));
    await s.getState().load();
    s.setState({ currentWorkspaceId: A });
    await s.getState().load();
    expect(s.getState().currentWorkspaceId).toBe(A);
  });
});
