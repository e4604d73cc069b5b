import { EventEmitter } from 'node:events';
import type { PushEvent, PushPayloads } from '@shared/ipc/channels';

/** In-process pushes, forwarded to the window (Electron) or to SSE clients (headless). */
export type EventBus = {
  emit<E extends PushEvent>(event: E, payload: PushPayloads[E]): void;
  subscribe(listener: <E extends PushEvent>(event: E, payload: PushPayloads[E]) => void): () => void;
};

export function createEventBus(): EventBus {
  const ee = new EventEmitter();
  ee.setMaxListeners(0);
  return {
    emit: (event, payload) => {
      ee.emit('push', event, payload);
    },
    subscribe: (listener) => {
      const l = (event: PushEvent, payload: PushPayloads[PushEvent]) => listener(event, payload as never);
      ee.on('push', l);
      return () => ee.off('push', l);
    },
  };
}
