import { beforeEach, describe, expect, it, vi } from 'vitest';

// The Electron binary is not installed here: stand in for the few APIs the shell touches, and record what it does.
const created: Array<{ options: Record<string, unknown>; handlers: Record<string, (...a: unknown[]) => unknown>; openHandler?: (d: { url: string }) => unknown }> = [];
const openExternal = vi.fn();
const ipcHandlers = new Map<string, (event: unknown, raw: unknown) => unknown>();

vi.mock('electron', () => {
  class BrowserWindow {
    webContents: Record<string, unknown>;
    constructor(options: Record<string, unknown>) {
      const rec: (typeof created)[number] = { options, handlers: {} };
      created.push(rec);
      this.webContents = {
        on: (ev: string, fn: (...a: unknown[]) => unknown) => void (rec.handlers[ev] = fn),
        setWindowOpenHandler: (fn: (d: { url: string }) => unknown) => void (rec.openHandler = fn),
        session: {
          webRequest: { onHeadersReceived: vi.fn() },
          setPermissionRequestHandler: (fn: (...a: unknown[]) => unknown) => void (rec.handlers.permission = fn),
        },
      };
    }
    once() {}
    loadFile() {
      return Promise.resolve();
    }
    loadURL() {
      return Promise.resolve();
    }
  }
  return {
    BrowserWindow,
    shell: { openExternal },
    ipcMain: { handle: (ch: string, fn: (event: unknown, raw: unknown) => unknown) => ipcHandlers.set(ch, fn), removeHandler: vi.fn() },
  };
});

const { createMainWindow } = await import('../../../electron/main/window');
const { isTrustedSender, secureWebPreferences } = await import('../../../electron/main/security');
const { registerIpc } = await import('../../../electron/main/ipc/handle');

beforeEach(() => {
  created.length = 0;
  openExternal.mockReset();
});

describe('main window security', () => {
  it('creates the window with isolation, sandbox and no Node in the renderer', () => {
    createMainWindow({ preloadPath: '/app/out/preload/index.cjs', origin: { kind: 'file', indexPath: '/app/out/renderer/index.html' } });
    const prefs = created[0]!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/index.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
    expect(prefs).toEqual(secureWebPreferences('/app/out/preload/index.cjs'));
  });

  it('denies navigation, redirects, webviews and permission requests', () => {
    createMainWindow({ preloadPath: 'p', origin: { kind: 'file', indexPath: '/i.html' } });
    const h = created[0]!.handlers;
    for (const ev of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const e = { preventDefault: vi.fn() };
      h[ev]!(e);
      expect(e.preventDefault).toHaveBeenCalled();
    }
    const cb = vi.fn();
    h.permission!({}, 'media', cb);
    expect(cb).toHaveBeenCalledWith(false);
  });

  it('denies window.open, and opens only https links in the system browser', () => {
    createMainWindow({ preloadPath: 'p', origin: { kind: 'file', indexPath: '/i.html' } });
    const open = created[0]!.openHandler!;
    expect(open({ url: 'https://docs.example.com' })).toEqual({ action: 'deny' });
    expect(open({ url: 'http://evil.example' })).toEqual({ action: 'deny' });
    expect(open({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(openExternal.mock.calls).toEqual([['https://docs.example.com']]);
  });
});

describe('IPC sender check', () => {
  const origin = { kind: 'file' as const, indexPath: '/app/out/renderer/index.html' };

  it('trusts only our own top-level document', () => {
    expect(isTrustedSender({ url: 'file:///app/out/renderer/index.html', parent: null }, origin)).toBe(true);
    expect(isTrustedSender({ url: 'file:///app/out/renderer/index.html', parent: {} }, origin)).toBe(false); // sub-frame
    expect(isTrustedSender({ url: 'file:///tmp/evil.html', parent: null }, origin)).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null }, origin)).toBe(false);
    expect(isTrustedSender(null, origin)).toBe(false);
    const dev = { kind: 'dev' as const, url: 'http://localhost:5173' };
    expect(isTrustedSender({ url: 'http://localhost:5173/#x', parent: null }, dev)).toBe(true);
    expect(isTrustedSender({ url: 'http://localhost:5174/', parent: null }, dev)).toBe(false);
  });

  it('refuses an untrusted sender before the handler runs', async () => {
    const handler = vi.fn(() => []);
    registerIpc({
      handlers: { 'workspaces:list': handler } as never,
      origin,
      actor: { kind: 'local', id: 'l', name: 'u', origin: 'ipc' },
      logger: { log: () => {} },
    });
    const call = ipcHandlers.get('workspaces:list')!;
    const refused = await call({ senderFrame: { url: 'https://evil.example/', parent: null } }, undefined);
    expect(refused).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: 'untrusted sender' } });
    expect(handler).not.toHaveBeenCalled();
    const accepted = await call({ senderFrame: { url: 'file:///app/out/renderer/index.html', parent: null } }, undefined);
    expect(accepted).toEqual({ ok: true, value: [] });
    const bad = await call({ senderFrame: { url: 'file:///app/out/renderer/index.html', parent: null } }, { unexpected: 1 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });
});

describe('app icon', () => {
  it('gives the window the icon it is handed', () => {
    createMainWindow({ preloadPath: 'p', origin: { kind: 'file', indexPath: '/i.html' }, iconPath: '/app/resources/icon.png' });
    expect(created[0]!.options.icon).toBe('/app/resources/icon.png');
  });
});
