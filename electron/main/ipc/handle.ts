import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { CHANNELS } from '@shared/ipc/channels';
import { fail } from '@shared/ipc/result';
import type { Actor } from '@shared/domain/actor';
import { dispatch, type Handlers } from '@core/handlers/dispatch';
import type { Logger } from '@core/ports';
import { isTrustedSender, type RendererOrigin } from '../security';

/**
 * The ONLY user of ipcMain (lint forbids it elsewhere). Every channel: sender check (our main frame only),
 * zod-parsed input, handler, {ok,value}|{ok:false,error} envelope. The actor is the OS user at the desktop.
 */
export function registerIpc(deps: { handlers: Handlers; origin: RendererOrigin; actor: Actor; logger: Logger }): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, raw: unknown) => {
      if (!isTrustedSender(event.senderFrame, deps.origin)) {
        deps.logger.log('warn', 'ipc refused: untrusted sender', { channel });
        return fail('FORBIDDEN', 'untrusted sender');
      }
      return dispatch(deps.handlers, channel, raw, { actor: deps.actor }, deps.logger);
    });
  }
  return () => CHANNELS.forEach((c) => ipcMain.removeHandler(c));
}
