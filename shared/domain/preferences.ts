import { z } from 'zod';
import { IdSchema } from './common';
import { THEMES } from './preferences.catalog';

/**
 * The preferences the renderer reads and writes through its preferences port: the theme, and the workspace the
 * switcher restores. Shell-only preferences (the desktop's window bounds) extend this in electron/main.
 */
export const UiPreferencesSchema = z.object({
  theme: z.enum(THEMES).default('system'),
  lastWorkspaceId: IdSchema.optional(),
});
export type UiPreferences = z.infer<typeof UiPreferencesSchema>;

/** What the renderer may change (prefs:set): only these keys, each checked; nothing else reaches the file. */
export const UiPreferencesPatchSchema = z.strictObject({
  theme: z.enum(THEMES).optional(),
  lastWorkspaceId: IdSchema.optional(),
});
export type UiPreferencesPatch = z.infer<typeof UiPreferencesPatchSchema>;
