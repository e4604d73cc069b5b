import type { Api } from '@shared/ipc/api';
import type { Output } from '@shared/ipc/contract';
import type { IpcResult } from '@shared/ipc/result';
import { resolveApi } from './bridge';
import { resolvePreferences, type PreferencesPort } from './preferences-port';

/**
 * The first screen waits for the session, the workspaces and the vault status. main.tsx imports this module before
 * anything else, so that request (one round trip: app:bootstrap) is on its way while React and the screens are
 * still initializing, instead of after the first render. The stores take its answer (`load(first)`); later reloads
 * use their own channels. The preferences (theme, last workspace) are read beside it: on the desktop that is one
 * IPC call the port keeps the answer of; in the console, localStorage.
 */
function start(): { api: Api; firstLoad: Promise<IpcResult<Output<'app:bootstrap'>>>; preferences: PreferencesPort } | { error: string } {
  const api = resolveApi();
  if ('error' in api) return api;
  const firstLoad = api.invoke('app:bootstrap', undefined);
  const preferences = resolvePreferences();
  void preferences.read();
  return { api, firstLoad, preferences };
}

export const startup = start();
