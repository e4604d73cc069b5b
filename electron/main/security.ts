import type { WebPreferences } from 'electron';

/**
 * The window's security posture. Pure data and functions (no Electron import at runtime) so a unit test can pin
 * every value; window.ts applies them. Never relax these: the renderer talks to Node only through window.api.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  };
}

/**
 * What the system browser may be sent to: an OAuth consent page (https) or our own loopback listener. Never
 * file:, javascript:, custom schemes or plain http to another host.
 */
export function isOpenableExternalUrl(raw: string): boolean {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return false;
  }
  if (u.username || u.password) return false;
  if (u.protocol === 'https:') return true;
  return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]');
}

/** Where our renderer is loaded from: the built file in production, the electron-vite dev server in dev. */
export type RendererOrigin = { kind: 'file'; indexPath: string } | { kind: 'dev'; url: string };

/**
 * VS Code's validatedIpcMain rule: only our own top-level document may call IPC. A sub-frame, a navigated-away
 * page or any other origin is refused.
 */
export function isTrustedSender(
  frame: { url: string; parent: unknown } | null | undefined,
  origin: RendererOrigin,
): boolean {
  if (!frame || frame.parent !== null) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  if (origin.kind === 'dev') return url.origin === new URL(origin.url).origin;
  if (url.protocol !== 'file:') return false;
  return decodeURIComponent(url.pathname) === origin.indexPath.replaceAll('\\', '/').replace(/^([A-Za-z]:)/, '/$1');
}

/** External links open in the system browser only when they are https (Signal's handleUrl). */
export function isSafeExternalUrl(raw: string): boolean {
  try {
    return new URL(raw).protocol === 'https:';
  } catch {
    return false;
  }
}
