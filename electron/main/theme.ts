import type { Theme } from '@shared/domain/preferences.catalog';

/** The part of Electron's nativeTheme main drives (a plain object in tests). */
export type NativeThemeLike = { themeSource: Theme; readonly shouldUseDarkColors: boolean };

/** The window's colour before the page paints: styles.css's --bg of the scheme in use. */
export const windowBackground = (dark: boolean): string => (dark ? '#111418' : '#f6f7f9');

/**
 * Applies the theme preference to Electron: nativeTheme.themeSource makes prefers-color-scheme, native controls and
 * dialogs follow it ('system' follows the OS), so the first paint is already right before the renderer reads the
 * preference itself. Returns the window background for that scheme.
 */
export function applyNativeTheme(nativeTheme: NativeThemeLike, theme: Theme): string {
  nativeTheme.themeSource = theme;
  return windowBackground(nativeTheme.shouldUseDarkColors);
}
