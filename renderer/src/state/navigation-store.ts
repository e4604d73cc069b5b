import { createStore } from 'zustand/vanilla';

export type ScreenId = 'connections' | 'secrets' | 'datastores' | 'workflows' | 'audit' | 'settings';

/** Settings' sections, each its own view (Settings → Vault…). */
export type SettingsSectionId = 'general' | 'vault' | 'users' | 'api-keys' | 'oauth-apps' | 'rest-api';

export type NavigationState = {
  screen: ScreenId;
  /** The section Settings shows; kept here so a link elsewhere ("Make a backup…") can open Settings → Vault. */
  settingsSection: SettingsSectionId;
  /**
   * Shows a screen (and, for Settings, a section). Links between screens ("Used by", "resume it in Connections") open
   * their target first, then go.
   */
  go(screen: ScreenId, settingsSection?: SettingsSectionId): void;
};

/** Which screen is shown: a store rather than App's own state, so a link inside one screen can show another. */
export const createNavigationStore = (first: ScreenId = 'connections') =>
  createStore<NavigationState>()((set) => ({
    screen: first,
    settingsSection: 'general',
    go: (screen, settingsSection) => set(settingsSection ? { screen, settingsSection } : { screen }),
  }));
export type NavigationStore = ReturnType<typeof createNavigationStore>;
