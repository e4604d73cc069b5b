/**
 * UI preferences as plain data (no zod): the renderer and the sandboxed preload import this module, the schemas are
 * in preferences.ts. A preference is never a secret, token or credential: the shells keep them in plain files
 * (electron-store's JSON under userData) or in the browser's localStorage.
 */
export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

/**
 * The Electron shell's two preference channels (window.prefs in the preload, handled in main). They are not part of
 * the core's contract: the core has no preferences, each shell keeps its own (the console in localStorage).
 */
export const PREFERENCE_CHANNELS = { get: 'prefs:get', set: 'prefs:set' } as const;
