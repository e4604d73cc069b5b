import { createStore } from 'zustand/vanilla';

export type ScreenId = 'connections' | 'secrets' | 'datastores' | 'workflows' | 'audit' | 'settings';

export type NavigationState = {
  screen: ScreenId;
  /** Shows a screen. Links between screens ("Used by", "resume it in Connections") open their target first, then go. */
  go(screen: ScreenId): void;
};

/** Which screen is shown: a store rather than App's own state, so a link inside one screen can show another. */
export const createNavigationStore = (first: ScreenId = 'connections') =>
  createStore<NavigationState>()((set) => ({
    screen: first,
    go: (screen) => set({ screen }),
  }));
export type NavigationStore = ReturnType<typeof createNavigationStore>;
