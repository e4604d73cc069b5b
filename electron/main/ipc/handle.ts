import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { CHANNELS } from '@shared/ipc/channels';
import { fail, type IpcResult } from '@shared/ipc/result';
import type { Actor } from '@shared/domain/actor';
import { dispatch, type Handlers } from '@core/handlers/dispatch';
import type { Logger } from '@core/ports';
import { isTrustedSender, type RendererOrigin } from '../security';

/**
 * The ONLY user of ipcMain (lint forbids it elsewhere): every channel main answers is registered through
 * `handleTrusted`, which refuses any sender but our own main frame before the handler sees the input.
 */
export function handleTrusted(
  channel: string,
  deps: { origin: RendererOrigin; logger: Logger },
  handler: (raw: unknown) => IpcResult<unknown> | Promise<IpcResult<unknown>>,
): () => void {
  ipcMain.handle(channel, (event: IpcMainInvokeEvent, raw: unknown) => {
    if (!isTrustedSender(event.senderFrame, deps.origin)) {
      deps.logger.log('warn', 'ipc refused: untrusted sender', { channel });
      return fail('FORBIDDEN', 'untrusted sender');
    }
    return handler(raw);
  });
  return () => ipcMain.removeHandler(channel);
}

/**
 * The core's channels: sender check, zod-parsed input, handler, {ok,value}|{ok:false,error} envelope. The actor is
 * the OS user at the desktop.
 */
export function registerIpc(deps: { handlers: Handlers; origin: RendererOrigin; actor: Actor; logger: Logger }): () => void {
  const offs = CHANNELS.map((channel) => handleTrusted(channel, deps, (raw) => dispatch(deps.handlers, channel, raw, { actor: deps.actor }, deps.logger)));
  return () => offs.forEach((off) => off());
}
