import { BrowserWindow, shell, type Rectangle } from 'electron';
import { isSafeExternalUrl, secureWebPreferences, type RendererOrigin } from './security';
import { RENDERER_CSP } from '@core/http/http-server';

/** Creates the main window with the locked-down preferences, navigation and window.open denied. */
export function createMainWindow(opts: { preloadPath: string; origin: RendererOrigin; bounds?: Partial<Rectangle>; backgroundColor?: string; iconPath?: string }) {
  const win = new BrowserWindow({
    width: opts.bounds?.width ?? 1280,
    height: opts.bounds?.height ?? 820,
    x: opts.bounds?.x,
    y: opts.bounds?.y,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'ProvenanceOne',
    // Linux and Windows show it in the task bar (macOS takes the bundle's .icns); rendered from resources/icon.svg.
    icon: opts.iconPath,
    backgroundColor: opts.backgroundColor ?? '#111418',
    webPreferences: secureWebPreferences(opts.preloadPath),
  });
  lockDown(win);
  win.once('ready-to-show', () => win.show());
  if (opts.origin.kind === 'dev') void win.loadURL(opts.origin.url);
  else void win.loadFile(opts.origin.indexPath);
  return win;
}

export function lockDown(win: BrowserWindow): void {
  const wc = win.webContents;
  wc.on('will-navigate', (e) => e.preventDefault());
  wc.on('will-redirect', (e) => e.preventDefault());
  wc.on('will-attach-webview', (e) => e.preventDefault());
  wc.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  // The CSP also sits in index.html; the header covers anything the meta tag cannot (frame-ancestors).
  wc.session.webRequest.onHeadersReceived((details, cb) => {
    cb({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
  wc.session.setPermissionRequestHandler((_wc, _permission, cb) => cb(false));
}
