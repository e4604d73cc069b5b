import type { Channel, Input, Output } from './contract';
import type { PushEvent, PushPayloads } from './channels';
import type { IpcResult } from './result';

/** What the renderer talks to: the Electron preload bridge or the headless HTTP bridge, same shape. */
export type Api = {
  invoke<C extends Channel>(channel: C, input: Input<C>): Promise<IpcResult<Output<C>>>;
  on<E extends PushEvent>(event: E, listener: (payload: PushPayloads[E]) => void): () => void;
};
