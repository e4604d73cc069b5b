import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, nativeTheme, shell } from 'electron';
import { createCore, defaultLocalUser, localActor } from '@core/index';
import { createHandlers } from '@core/handlers/handlers';
import { createRestServerController } from '@core/http/rest-server-controller';
import { createUploadEndpoint } from '@core/http/upload-endpoint';
import { createStderrLogger } from '@core/logging/stderr-logger';
import { PUSH_EVENTS } from '@shared/ipc/channels';
import { registerIpc } from './ipc/handle';
import { registerPreferencesIpc } from './ipc/preferences-ipc';
import { createMainWindow } from './window';
import { createPreferencesStore } from './preferences-store';
import { applyNativeTheme } from './theme';
import { isOpenableExternalUrl, type RendererOrigin } from './security';

const here = path.dirname(fileURLToPath(import.meta.url));

// One instance per data dir: a second launch focuses the first instead of opening the database twice.
if (!app.requestSingleInstanceLock()) app.quit();

app.enableSandbox();

app.whenReady().then(async () => {
  // PROVENANCE_DATA_DIR isolates a profile (tests, a second install); otherwise userData, as every Electron app.
  const dataDir = path.resolve(process.env.PROVENANCE_DATA_DIR ?? app.getPath('userData'));
  const logger = createStderrLogger();
  let win: BrowserWindow | null = null;
  const core = createCore(
    { dataDir, mode: 'desktop', version: app.getVersion(), localUser: defaultLocalUser() },
    {
      logger,
      // "Authorize" opens the provider's consent page in the system browser (RFC 8252), never inside the app.
      chooseSavePath: async ({ defaultName }) => {
        const options = { defaultPath: path.join(app.getPath('downloads'), defaultName) };
        const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
        return r.canceled || !r.filePath ? null : r.filePath;
      },
      openExternal: (url) => {
        if (isOpenableExternalUrl(url)) void shell.openExternal(url);
        else logger.log('warn', 'refused to open a non-https URL');
      },
    },
  );
  // No auto-initialize on the desktop: a first run shows the vault setup screen (OS keychain or passphrase).
  await core.start();
  core.scheduler.start();
  const handlers = createHandlers(core);
  // The REST API runs only while Settings → REST API is on; the core decides, main just hosts it.
  const restApi = createRestServerController(core, handlers);
  void restApi.start();
  // Pre-signed upload URLs of filesystem datastores work with the REST API off too: the first one starts this.
  const uploadEndpoint = createUploadEndpoint(core, handlers);
  uploadEndpoint.attach();
  const prefs = createPreferencesStore(dataDir);

  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const origin: RendererOrigin = devUrl
    ? { kind: 'dev', url: devUrl }
    : { kind: 'file', indexPath: path.join(here, '../renderer/index.html') };
  registerIpc({ handlers, origin, actor: localActor(core.config), logger });
  registerPreferencesIpc({
    prefs,
    origin,
    logger,
    onChange: (next) => {
      const background = applyNativeTheme(nativeTheme, next.theme);
      if (win && !win.isDestroyed()) win.setBackgroundColor(background);
    },
  });

  const saved = prefs.read();
  const backgroundColor = applyNativeTheme(nativeTheme, saved.theme);
  // resources/icon.png ships inside the app (electron-builder.yml `files`), at the same place relative to the app path.
  const iconPath = path.join(app.getAppPath(), 'resources', 'icon.png');
  win = createMainWindow({ preloadPath: path.join(here, '../preload/index.cjs'), origin, bounds: saved.windowBounds, backgroundColor, iconPath });
  const shown = win;
  const unsubscribe = core.bus.subscribe((event, payload) => {
    if ((PUSH_EVENTS as readonly string[]).includes(event) && !shown.isDestroyed()) shown.webContents.send(event, payload);
  });
  shown.on('close', () => prefs.update({ windowBounds: shown.getBounds() }));

  app.on('second-instance', () => {
    if (shown.isMinimized()) shown.restore();
    shown.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (e) => {
    unsubscribe();
    e.preventDefault();
    void Promise.allSettled([restApi.stop(), uploadEndpoint.stop()]).finally(() => {
      core.close();
      app.exit(0);
    });
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) app.relaunch();
  });
}).catch((e: unknown) => {
  console.error('ProvenanceOne could not start:', e instanceof Error ? e.message : e);
  app.exit(1);
});
