import type { Api } from '@shared/ipc/api';
import type { IpcError, IpcResult } from '@shared/ipc/result';
import type { TicketGrant, TicketIssued } from '@shared/ipc/rest.contract';
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

/** The part of EventSource the bridge uses, so tests can hand it a fake. */
export type EventStream = {
  addEventListener(type: string, listener: (m: MessageEvent<string>) => void): void;
  onopen: ((e: Event) => void) | null;
  onerror: ((e: Event) => void) | null;
  close(): void;
};

export type HttpBridgeOptions = {
  /** Opens the event stream at a URL (default: the browser's EventSource; none where there is none). */
  openStream?: (url: string) => EventStream;
  /** Runs `fn` after `ms` (default setTimeout): when the event stream is opened again after it dropped. */
  schedule?: (fn: () => void, ms: number) => void;
};

/** How long the bridge waits before opening a dropped event stream again: doubling from the first to the last. */
export const STREAM_RETRY_MS = { first: 500, last: 30_000 } as const;

const UNREACHABLE = { code: 'UNAVAILABLE', message: 'the ProvenanceOne console server is not reachable; is npm run serve still running?' } as const;
const SIGNED_OUT = { code: 'UNAUTHENTICATED', message: 'your sign-in has ended; sign in again' } as const;

/**
 * The headless console's bridge: the same Api over loopback HTTP, pushes over SSE. After "Sign in as a user" it also
 * sends that user's JWT (x-user-token), kept in sessionStorage so a reload keeps the sign-in but a new tab does not.
 *
 * What must stay true: the console token and the user's JWT travel in headers only, never in a URL. The event stream
 * (EventSource cannot send headers) opens with a one-use ticket asked for over the headers; when it drops, the bridge
 * asks for a new ticket rather than letting EventSource retry the spent one.
 */
export function createHttpBridge(
  baseUrl: string,
  token: string,
  fetchImpl: typeof fetch = fetch.bind(globalThis),
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>,
  opts: HttpBridgeOptions = {},
): Api {
  const openStream = opts.openStream ?? (typeof EventSource === 'undefined' ? null : (url: string) => new EventSource(url));
  const schedule = opts.schedule ?? ((fn: () => void, ms: number) => void setTimeout(fn, ms));
  let source: EventStream | null = null;
  let opening = false;
  let retryMs: number = STREAM_RETRY_MS.first;
  let userToken: string | null = storage?.getItem(USER_TOKEN_KEY) ?? null;
  const listeners = new Map<string, Set<(p: unknown) => void>>();

  /** POSTs JSON with the console's headers. A 401 while signed in ends the sign-in: null is returned then. */
  async function post(path: string, body: unknown): Promise<{ status: number; json: unknown } | null> {
    const res = await fetchImpl(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-console-token': token, ...(userToken ? { 'x-user-token': userToken } : {}) },
      body: JSON.stringify(body),
    });
    const json: unknown = await res.json();
    if (res.status === 401 && userToken) {
      // The sign-in expired (or the user was removed): drop it, so the next load is the OS admin's console again.
      userToken = null;
      storage?.removeItem(USER_TOKEN_KEY);
      return null;
    }
    return { status: res.status, json };
  }

  async function ticket(grant: TicketGrant): Promise<IpcResult<TicketIssued>> {
    try {
      const r = await post('/console/tickets', grant);
      if (!r) return { ok: false, error: SIGNED_OUT };
      if (r.status === 200) return { ok: true, value: r.json as TicketIssued };
      const error = (r.json as { error?: IpcError } | null)?.error;
      return { ok: false, error: error ?? { code: 'INTERNAL', message: `the console server answered HTTP ${r.status}` } };
    } catch {
      return { ok: false, error: UNREACHABLE };
    }
  }

  /** Opens the event stream with a new events ticket (once at a time; again after it drops, waiting longer each time). */
  async function openSource(): Promise<void> {
    if (!openStream || source || opening) return;
    opening = true;
    const t = await ticket({ purpose: 'events' });
    opening = false;
    if (!t.ok) return reopenLater();
    const s = openStream(`${baseUrl}/ipc-events?ticket=${encodeURIComponent(t.value.ticket)}`);
    source = s;
    s.onopen = () => (retryMs = STREAM_RETRY_MS.first);
    s.onerror = () => {
      // The ticket opened this stream once: EventSource's own retry would present it again and be refused.
      s.close();
      if (source === s) source = null;
      reopenLater();
    };
    for (const ev of PUSH_EVENTS) {
      s.addEventListener(ev, (m) => {
        const payload: unknown = JSON.parse(m.data);
        listeners.get(ev)?.forEach((l) => l(payload));
      });
    }
  }
  function reopenLater(): void {
    const wait = retryMs;
    retryMs = Math.min(retryMs * 2, STREAM_RETRY_MS.last);
    schedule(() => void openSource(), wait);
  }

  return {
    async invoke(channel, input) {
      try {
        const r = await post(`/ipc/${encodeURIComponent(channel)}`, { input });
        return r ? (r.json as IpcResult<never>) : { ok: false, error: SIGNED_OUT };
      } catch {
        return { ok: false, error: UNREACHABLE };
      }
    },
    on(event, listener) {
      void openSource();
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
    ticket,
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
