import { PREFERENCE_CHANNELS } from '@shared/domain/preferences.catalog';
import { UiPreferencesPatchSchema, type UiPreferences } from '@shared/domain/preferences';
import { fail, ok } from '@shared/ipc/result';
import type { Logger } from '@core/ports';
import type { RendererOrigin } from '../security';
import type { PreferencesStore } from '../preferences-store';
import { handleTrusted } from './handle';

/**
 * The renderer's preferences port on the desktop (window.prefs in the preload): prefs:get answers the theme and the
 * last workspace, prefs:set takes a patch of only those keys, checked by the same schema the file is read with.
 * `onChange` lets main follow a new theme (nativeTheme, the window's background).
 */
export function registerPreferencesIpc(deps: {
  prefs: Pick<PreferencesStore, 'readUi' | 'updateUi'>;
  origin: RendererOrigin;
  logger: Logger;
  onChange?: (next: UiPreferences) => void;
}): () => void {
  const offGet = handleTrusted(PREFERENCE_CHANNELS.get, deps, () => ok(deps.prefs.readUi()));
  const offSet = handleTrusted(PREFERENCE_CHANNELS.set, deps, (raw) => {
    const patch = UiPreferencesPatchSchema.safeParse(raw);
    if (!patch.success) return fail('INVALID_INPUT', 'not a preferences patch: theme (system, light or dark) and lastWorkspaceId (a workspace id) only');
    const next = deps.prefs.updateUi(patch.data);
    deps.onChange?.(next);
    return ok(next);
  });
  return () => {
    offGet();
    offSet();
  };
}
