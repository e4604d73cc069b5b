import type { UiPreferences, UiPreferencesPatch } from '@shared/domain/preferences';
import { THEMES, type Theme } from '@shared/domain/preferences.catalog';

/**
 * Where the renderer keeps its preferences (the theme, the workspace the switcher restores). Injected like the Api,
 * so the same stores run in both shells: the desktop keeps them in electron-store through the preload's window.prefs
 * (main validates every write), the headless console in the browser's localStorage. Preferences are conveniences:
 * a shell that cannot read them gives the defaults, one that cannot write them forgets them; neither fails a screen.
 */
export type PreferencesPort = {
  read(): Promise<UiPreferences>;
  write(patch: UiPreferencesPatch): Promise<void>;
};

/** What the Electron preload exposes as window.prefs (electron/preload/index.ts): the IPC envelope, unchecked. */
export type PreferencesBridge = { get(): Promise<unknown>; set(patch: UiPreferencesPatch): Promise<unknown> };

declare global {
  interface Window {
    /** Set by the Electron preload; absent in the headless console. */
    prefs?: PreferencesBridge;
  }
}

export const DEFAULT_PREFERENCES: UiPreferences = { theme: 'system' };

/**
 * Whatever a shell hands back, as preferences: a value this renderer does not know (an older or hand-edited file,
 * another app's localStorage key) is the default instead. The renderer has no zod at run time (see eslint.config.js),
 * hence the hand-written check.
 */
export function toPreferences(raw: unknown): UiPreferences {
  const r = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const theme = THEMES.includes(r.theme as Theme) ? (r.theme as Theme) : DEFAULT_PREFERENCES.theme;
  const ws = r.lastWorkspaceId;
  return typeof ws === 'string' && ws !== '' ? { theme, lastWorkspaceId: ws } : { theme };
}

/** localStorage keys, one per preference (`provenance.lastWorkspace` is the key the console has always used). */
const KEYS: Record<keyof UiPreferences, string> = { theme: 'provenance.theme', lastWorkspaceId: 'provenance.lastWorkspace' };

/** The headless console: the browser's localStorage (per console origin, kept across tabs and reloads). */
export function createStoragePreferences(storage: Pick<Storage, 'getItem' | 'setItem'>): PreferencesPort {
  const get = (key: string): string | null => {
    try {
      return storage.getItem(key);
    } catch {
      return null; // storage disabled by the browser's privacy settings
    }
  };
  return {
    read: async () => toPreferences({ theme: get(KEYS.theme), lastWorkspaceId: get(KEYS.lastWorkspaceId) }),
    async write(patch) {
      for (const key of Object.keys(KEYS) as Array<keyof UiPreferences>) {
        const value = patch[key];
        if (value === undefined) continue;
        try {
          storage.setItem(KEYS[key], value);
        } catch {
          // full or disabled storage: the preference is not kept, the app goes on
        }
      }
    },
  };
}

/**
 * The desktop: electron-store in the main process, through the preload. The file is read once (one IPC call, made
 * while the first screen loads); after that the port answers from its copy, which every write updates first.
 */
export function createBridgePreferences(bridge: PreferencesBridge): PreferencesPort {
  let current: Promise<UiPreferences> | null = null;
  const read = () =>
    (current ??= bridge.get().then(
      (r) => toPreferences((r as { ok?: boolean; value?: unknown } | null)?.ok ? (r as { value: unknown }).value : null),
      () => DEFAULT_PREFERENCES,
    ));
  return {
    read,
    async write(patch) {
      const known = await read();
      current = Promise.resolve({ ...known, ...patch });
      await bridge.set(patch).catch(() => undefined);
    },
  };
}

/** The port of the shell this renderer runs in. */
export function resolvePreferences(): PreferencesPort {
  return window.prefs ? createBridgePreferences(window.prefs) : createStoragePreferences(window.localStorage);
}
