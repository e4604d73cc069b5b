import fs from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../helpers/test-core';

// electron-store imports electron's default export; the prefs IPC registers through ipcMain (recorded here).
const ipcHandlers = new Map<string, (event: unknown, raw: unknown) => unknown>();
vi.mock('electron', () => ({
  default: {},
  ipcMain: { handle: (ch: string, fn: (event: unknown, raw: unknown) => unknown) => ipcHandlers.set(ch, fn), removeHandler: (ch: string) => ipcHandlers.delete(ch) },
}));
const { createPreferencesStore } = await import('../../../electron/main/preferences-store');
const { registerPreferencesIpc } = await import('../../../electron/main/ipc/preferences-ipc');
const { applyNativeTheme } = await import('../../../electron/main/theme');

const WS = '11111111-1111-4111-8111-111111111111';

describe('preferences (electron-store)', () => {
  it('defaults, persists a patch, and ignores an invalid file instead of crashing', () => {
    const dir = tempDir();
    const p = createPreferencesStore(dir);
    expect(p.read()).toEqual({ theme: 'system' });
    p.update({ theme: 'dark', windowBounds: { width: 1000, height: 700 } });
    expect(createPreferencesStore(dir).read()).toMatchObject({ theme: 'dark', windowBounds: { width: 1000, height: 700 } });
    fs.writeFileSync(p.path, '{"theme": 42}');
    expect(createPreferencesStore(dir).read().theme).toBe('system');
    expect(() => p.update({ theme: 'neon' as never })).toThrow();
  });

  it('keeps only what it declares: a REST toggle left by an older version is dropped at the next write', () => {
    const dir = tempDir();
    const p = createPreferencesStore(dir);
    fs.writeFileSync(p.path, JSON.stringify({ theme: 'light', restApi: { enabled: true, port: 4171 } }));
    expect(p.read()).toEqual({ theme: 'light' });
    p.update({ lastWorkspaceId: WS });
    expect(JSON.parse(fs.readFileSync(p.path, 'utf8'))).toEqual({ theme: 'light', lastWorkspaceId: WS });
  });

  it("shows the renderer the theme and the last workspace, never main's window bounds", () => {
    const p = createPreferencesStore(tempDir());
    p.update({ windowBounds: { x: 1, y: 2, width: 900, height: 600 } });
    expect(p.readUi()).toEqual({ theme: 'system' });
    expect(p.updateUi({ theme: 'dark', lastWorkspaceId: WS })).toEqual({ theme: 'dark', lastWorkspaceId: WS });
    expect(p.read().windowBounds).toEqual({ x: 1, y: 2, width: 900, height: 600 });
  });
});

describe('preferences IPC (prefs:get / prefs:set)', () => {
  const origin = { kind: 'file' as const, indexPath: '/app/out/renderer/index.html' };
  const ours = { senderFrame: { url: 'file:///app/out/renderer/index.html', parent: null } };
  const evil = { senderFrame: { url: 'https://evil.example/', parent: null } };

  function setup() {
    const prefs = createPreferencesStore(tempDir());
    const changes: unknown[] = [];
    const off = registerPreferencesIpc({ prefs, origin, logger: { log: () => {} }, onChange: (next) => changes.push(next) });
    const call = (channel: string, event: unknown, raw?: unknown) => ipcHandlers.get(channel)!(event, raw);
    return { prefs, changes, off, call };
  }

  it('answers our window, saves a checked patch and tells main about it', async () => {
    const { prefs, changes, off, call } = setup();
    expect(await call('prefs:get', ours)).toEqual({ ok: true, value: { theme: 'system' } });
    expect(await call('prefs:set', ours, { theme: 'dark' })).toEqual({ ok: true, value: { theme: 'dark' } });
    expect(await call('prefs:set', ours, { lastWorkspaceId: WS })).toEqual({ ok: true, value: { theme: 'dark', lastWorkspaceId: WS } });
    expect(prefs.read()).toMatchObject({ theme: 'dark', lastWorkspaceId: WS });
    expect(changes).toEqual([{ theme: 'dark' }, { theme: 'dark', lastWorkspaceId: WS }]);
    off();
    expect(ipcHandlers.has('prefs:get')).toBe(false);
  });

  it('refuses other senders, unknown keys and values outside the schema, writing nothing', async () => {
    const { prefs, changes, off, call } = setup();
    expect(await call('prefs:get', evil)).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(await call('prefs:set', evil, { theme: 'dark' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    for (const bad of [{ theme: 'neon' }, { lastWorkspaceId: '../x' }, { windowBounds: { width: 1 } }, { restApi: { enabled: true } }, 'dark', null]) {
      expect(await call('prefs:set', ours, bad)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    }
    expect(prefs.read()).toEqual({ theme: 'system' });
    expect(changes).toEqual([]);
    off();
  });
});

describe('native theme', () => {
  it('sets the theme source and gives the window the background of the scheme in use', () => {
    const native = { themeSource: 'system' as 'system' | 'light' | 'dark', get shouldUseDarkColors() { return this.themeSource === 'dark'; } };
    expect(applyNativeTheme(native, 'dark')).toBe('#111418');
    expect(native.themeSource).toBe('dark');
    expect(applyNativeTheme(native, 'light')).toBe('#f6f7f9');
    expect(native.themeSource).toBe('light');
  });
});
