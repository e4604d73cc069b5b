import type { Api } from '@shared/ipc/api';
import type { Output } from '@shared/ipc/contract';
import type { IpcResult } from '@shared/ipc/result';
import { resolveApi } from './bridge';

/**
 * The first screen waits for the session, the workspaces and the vault status. main.tsx imports this module before
 * anything else, so that request (one round trip: app:bootstrap) is on its way while React and the screens are
 * still initializing, instead of after the first render. The stores take its answer (`load(first)`); later reloads
 * use their own channels.
 */
function start(): { api: Api; firstLoad: Promise<IpcResult<Output<'app:bootstrap'>>> } | { error: string } {
  const api = resolveApi();
  return 'error' in api ? api : { api, firstLoad: api.invoke('app:bootstrap', undefined) };
}

export const startup = start();
