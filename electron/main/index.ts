import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow } from 'electron';
import { createCore, defaultLocalUser, localActor } from '@core/index';
import { createHandlers } from '@core/ipc/handlers';
import { createRestServerController } from '@core/http/rest-server-controller';
import { createStderrLogger } from '@core/logging/stderr-logger';
import { PUSH_EVENTS } from '@shared/ipc/channels';
import { registerIpc } from './ipc/handle';
import { createMainWindow } from './window';
import { createPreferencesStore } from './preferences-store';
import type { RendererOrigin } from './security';

const here = path.dirname(fileURLToPath(import.meta.url));

// One instance per data dir: a second launch focuses the first instead of opening the database twice.
if (!app.requestSingleInstanceLock()) app.quit();

app.enableSandbox();

app.whenReady().then(async () => {
  // PROVENANCE_DATA_DIR isolates a profile (tests, a second install); otherwise userData, as every Electron app.
  const dataDir = path.resolve(process.env.PROVENANCE_DATA_DIR ?? app.getPath('userData'));
  const logger = createStderrLogger();
  const core = createCore({ dataDir, mode: 'desktop', version: app.getVersion(), localUser: defaultLocalUser() }, { logger });
  await core.start({ initialize: true });
  core.scheduler.start();
  const handlers = createHandlers(core);
  // The REST API runs only while Settings → REST API is on; the core decides, main just hosts it.
  const restApi = createRestServerController(core, handlers);
  void restApi.start();
  const prefs = createPreferencesStore(dataDir);

  const devUrl = process.env.ELECTRON_RENDERER_URL;
  const origin: RendererOrigin = devUrl
    ? { kind: 'dev', url: devUrl }
    : { kind: 'file', indexPath: path.join(here, '../renderer/index.html') };
  registerIpc({ handlers, origin, actor: localActor(core.config), logger });

  const win = createMainWindow({ preloadPath: path.join(here, '../preload/index.cjs'), origin, bounds: prefs.read().windowBounds });
  const unsubscribe = core.bus.subscribe((event, payload) => {
    if ((PUSH_EVENTS as readonly string[]).includes(event) && !win.isDestroyed()) win.webContents.send(event, payload);
  });
  win.on('close', () => prefs.update({ windowBounds: win.getBounds() }));

  app.on('second-instance', () => {
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => app.quit());
  app.on('will-quit', (e) => {
    unsubscribe();
    e.preventDefault();
    void restApi.stop().finally(() => {
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
