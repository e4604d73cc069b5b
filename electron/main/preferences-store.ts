import Store from 'electron-store';
import { z } from 'zod';
import { UiPreferencesSchema, type UiPreferences, type UiPreferencesPatch } from '@shared/domain/preferences';

/**
 * The desktop's preferences: the window's bounds (main restores them), the theme (main sets nativeTheme; the
 * renderer applies it to the page) and the last workspace (the renderer's switcher restores it). Never a secret,
 * token or credential: this file is plain JSON under userData. Settings that change what the core does (the REST
 * server toggle) are not preferences: they live in the core's settings table.
 */
export const PreferencesSchema = UiPreferencesSchema.extend({
  windowBounds: z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }).partial().optional(),
});
export type Preferences = z.infer<typeof PreferencesSchema>;

export function createPreferencesStore(cwd: string) {
  const store = new Store<Record<string, unknown>>({ cwd, name: 'preferences', clearInvalidConfig: true });
  const read = (): Preferences => {
    const parsed = PreferencesSchema.safeParse(store.store);
    return parsed.success ? parsed.data : PreferencesSchema.parse({});
  };
  /** Writes a checked patch; a value outside the schema throws and nothing is written. */
  const update = (patch: Partial<Preferences>): Preferences => {
    const next = PreferencesSchema.parse({ ...read(), ...patch });
    store.store = next as Record<string, unknown>;
    return next;
  };
  return {
    read,
    update,
    /** What the renderer sees of them (prefs:get): not the window bounds, which are main's own. */
    readUi: (): UiPreferences => uiPart(read()),
    updateUi: (patch: UiPreferencesPatch): UiPreferences => uiPart(update(patch)),
    path: store.path,
  };
}
export type PreferencesStore = ReturnType<typeof createPreferencesStore>;

const uiPart = (p: Preferences): UiPreferences => ({ theme: p.theme, ...(p.lastWorkspaceId ? { lastWorkspaceId: p.lastWorkspaceId } : {}) });
