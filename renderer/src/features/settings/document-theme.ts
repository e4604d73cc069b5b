import type { Theme } from '@shared/domain/preferences.catalog';

/**
 * Puts a theme on the document: styles.css reads `data-theme` (light/dark force the colour scheme; without it the
 * OS's prefers-color-scheme decides). In the desktop the main process also sets Electron's nativeTheme, so the
 * window frame and native controls agree before the renderer runs.
 */
export function applyDocumentTheme(root: HTMLElement): (theme: Theme) => void {
  return (theme) => {
    if (theme === 'system') delete root.dataset.theme;
    else root.dataset.theme = theme;
  };
}
