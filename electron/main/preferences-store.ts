import Store from 'electron-store';
import { z } from 'zod';

/**
 * UI preferences only (window bounds, theme, REST server toggle). Never a secret, token or credential:
 * this file is plain JSON under userData.
 */
export const PreferencesSchema = z.object({
  windowBounds: z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() }).partial().optional(),
  theme: z.enum(['system', 'light', 'dark']).default('system'),
  lastWorkspaceId: z.string().optional(),
  restApi: z.object({ enabled: z.boolean(), port: z.number().int().min(0).max(65535) }).default({ enabled: false, port: 4171 }),
});
export type Preferences = z.infer<typeof PreferencesSchema>;

export function createPreferencesStore(cwd: string) {
  const store = new Store<Record<string, unknown>>({ cwd, name: 'preferences', clearInvalidConfig: true });
  return {
    read(): Preferences {
      const parsed = PreferencesSchema.safeParse(store.store);
      return parsed.success ? parsed.data : PreferencesSchema.parse({});
    },
    update(patch: Partial<Preferences>): Preferences {
      const next = PreferencesSchema.parse({ ...this.read(), ...patch });
      store.store = next as Record<string, unknown>;
      return next;
    },
    path: store.path,
  };
}
