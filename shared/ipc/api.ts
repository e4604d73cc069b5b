import type { Channel, Input, Output } from './contract';
import type { PushEvent, PushPayloads } from './channels';
import type { IpcResult } from './result';
import type { TicketGrant, TicketIssued } from './rest.contract';

/** What the renderer talks to: the Electron preload bridge or the headless HTTP bridge, same shape. */
export type Api = {
  invoke<C extends Channel>(channel: C, input: Input<C>): Promise<IpcResult<Output<C>>>;
  on<E extends PushEvent>(event: E, listener: (payload: PushPayloads[E]) => void): () => void;
  /**
   * Headless console only: from now on act as the local user this JWT names (null: as the OS admin again).
   * Absent in the desktop window, whose caller is always the OS user at the desk.
   */
  setUserToken?(token: string | null): void;
  /**
   * Headless console only: a ticket for one URL that cannot carry headers (a download link, the event stream), for
   * the console's caller (POST /console/tickets). It works once, within a minute. Absent in the desktop window, which
   * opens no such URLs (it saves through the OS dialog and gets pushes over IPC).
   */
  ticket?(grant: TicketGrant): Promise<IpcResult<TicketIssued>>;
};
