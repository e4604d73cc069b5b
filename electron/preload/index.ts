import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { CHANNELS, PUSH_EVENTS } from '@shared/ipc/channels';
import { PREFERENCE_CHANNELS } from '@shared/domain/preferences.catalog';

/**
 * The whole surface the renderer gets: invoke for allowlisted channels, on for allowlisted pushes, the preferences
 * pair, and a dropped file's path. No generic ipcRenderer, no Node. Bundled as one CJS file that needs nothing but
 * electron (sandboxed preload).
 */
const channels = new Set<string>(CHANNELS);
const events = new Set<string>(PUSH_EVENTS);

contextBridge.exposeInMainWorld('api', {
  invoke: (channel: string, input?: unknown) =>
    channels.has(channel) ? ipcRenderer.invoke(channel, input) : Promise.reject(new Error(`blocked channel ${channel}`)),
  on: (event: string, listener: (payload: unknown) => void) => {
    if (!events.has(event)) throw new Error(`blocked event ${event}`);
    // The IpcRendererEvent is dropped: it exposes the sender.
    const l = (_e: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(event, l);
    return () => ipcRenderer.off(event, l);
  },
});

// The renderer's preferences port (renderer/src/api/preferences-port.ts): main keeps them in electron-store and
// checks every patch (electron/main/ipc/preferences-ipc.ts).
contextBridge.exposeInMainWorld('prefs', {
  get: () => ipcRenderer.invoke(PREFERENCE_CHANNELS.get),
  set: (patch: unknown) => ipcRenderer.invoke(PREFERENCE_CHANNELS.set, patch),
});

// Dropped files: the renderer passes the path to datastores:uploadFromPath and the core streams from disk.
contextBridge.exposeInMainWorld('files', { pathFor: (file: File) => webUtils.getPathForFile(file) });
