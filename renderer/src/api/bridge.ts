import type { Api } from '@shared/ipc/api';
import type { IpcResult } from '@shared/ipc/result';
import { PUSH_EVENTS } from '@shared/ipc/channels';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the headless console. */
    api?: Api;
    /** Set by the Electron preload: the real path of a dropped File, so the core can stream it from disk. */
    files?: { pathFor(file: File): string };
  }
}

const TOKEN_KEY = 'provenance.consoleToken';
const USER_TOKEN_KEY = 'provenance.userToken';

/** Moves the token from the URL fragment (printed by `npm run serve`) into sessionStorage and out of the address bar. */
export function takeConsoleToken(loc: Location, storage: Storage, history: History): string | null {
  const m = /(?:^#|&)token=([^&]+)/.exec(loc.hash);
  if (m?.[1]) {
    storage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', loc.pathname + loc.search);
  }
  return storage.getItem(TOKEN_KEY);
}

/**
 * The headless console's bridge: the same Api over loopback HTTP, pushes over SSE. After "Sign in as a user" it also
 * sends that user's JWT (x-user-token), kept in sessionStorage so a reload keeps the sign-in but a new tab does not.
 */
export function createHttpBridge(
  baseUrl: string,
  token: string,
  fetchImpl: typeof fetch = fetch.bind(globalThis),
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
): Api {
  let source: EventSource | null = null;
  let userToken: string | null = storage?.getItem(USER_TOKEN_KEY) ?? null;
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const ensureSource = () => {
    if (source || typeof EventSource === 'undefined') return;
    source = new EventSource(`${baseUrl}/ipc-events?token=${encodeURIComponent(token)}`);
    for (const ev of PUSH_EVENTS) {
      source.addEventListener(ev, (m) => {
        const payload: unknown = JSON.parse((m as MessageEvent<string>).data);
        listeners.get(ev)?.forEach((l) => l(payload));
      });
    }
  };
  return {
    async invoke(channel, input) {
      try {
        const res = await fetchImpl(`${baseUrl}/ipc/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-console-token': token, ...(userToken ? { 'x-user-token': userToken } : {}) },
          body: JSON.stringify({ input }),
        });
        const result = (await res.json()) as IpcResult<never>;
        if (res.status === 401 && userToken) {
          // The sign-in expired (or the user was removed): drop it, so the next load is the OS admin's console again.
          userToken = null;
          storage?.removeItem(USER_TOKEN_KEY);
          return { ok: false, error: { code: 'UNAUTHENTICATED', message: 'your sign-in has ended; sign in again' } };
        }
        return result;
      } catch {
        return { ok: false, error: { code: 'UNAVAILABLE', message: 'the ProvenanceOne console server is not reachable; is npm run serve still running?' } };
      }
    },
    on(event, listener) {
      ensureSource();
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (p: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (p: unknown) => void);
    },
    setUserToken(next) {
      userToken = next;
      if (next) storage?.setItem(USER_TOKEN_KEY, next);
      else storage?.removeItem(USER_TOKEN_KEY);
    },
  };
}

/** The console token of this tab (headless console only). */
export const consoleToken = (storage: Storage = window.sessionStorage): string | null => storage.getItem(TOKEN_KEY);

export function resolveApi(): Api | { error: string } {
  if (window.api) return window.api;
  const token = takeConsoleToken(window.location, window.sessionStorage, window.history);
  if (!token) return { error: 'Open the console with the URL that npm run serve printed (it carries the access token).' };
  return createHttpBridge(window.location.origin, token, undefined, window.sessionStorage);
}
