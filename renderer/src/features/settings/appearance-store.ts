import { createStore } from 'zustand/vanilla';
import type { Theme } from '@shared/domain/preferences.catalog';
import type { PreferencesPort } from '../../api/preferences-port';

export type AppearanceState = {
  theme: Theme;
  /** Reads the saved theme and applies it (before the first render, so the first screen paints in it). */
  load(): Promise<void>;
  /** Applies the theme at once, then saves it for the next start. */
  setTheme(theme: Theme): Promise<void>;
};

/**
 * The theme: system (follow the OS), light or dark. Kept by the preferences port (electron-store on the desktop,
 * localStorage in the console); `apply` puts it on the document (document-theme.ts), injected so tests need no DOM.
 */
export const createAppearanceStore = (prefs: PreferencesPort, apply: (theme: Theme) => void) =>
  createStore<AppearanceState>()((set) => ({
    theme: 'system',
    async load() {
      const { theme } = await prefs.read();
      set({ theme });
      apply(theme);
    },
    async setTheme(theme) {
      set({ theme });
      apply(theme);
      await prefs.write({ theme });
    },
  }));
export type AppearanceStore = ReturnType<typeof createAppearanceStore>;
