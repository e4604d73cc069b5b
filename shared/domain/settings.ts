import { z } from 'zod';

export const DEFAULT_REST_PORT = 4171;

/** App-wide settings kept in the core's settings table. */
export const SettingsSchema = z.object({
  restApi: z.object({
    /** Desktop only: the headless console always serves REST. Off by default. */
    enabled: z.boolean(),
    port: z.number().int().min(1024).max(65535),
  }),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const SettingsViewSchema = SettingsSchema.extend({
  restApi: SettingsSchema.shape.restApi.extend({
    /** True in the headless console, where REST is always served on the console's own port. */
    alwaysOn: z.boolean(),
    /** Where the REST API answers right now; null while it is not served. */
    baseUrl: z.string().nullable(),
    /** Why the server could not start (e.g. the port is taken); null when fine. */
    problem: z.string().nullable(),
  }),
});
export type SettingsView = z.infer<typeof SettingsViewSchema>;

export const SettingsUpdateSchema = z.strictObject({
  restApi: z
    .strictObject({
      enabled: z.boolean().optional(),
      port: z.number({ error: 'port must be a number' }).int('port must be a whole number').min(1024, 'port must be from 1024 to 65535').max(65535, 'port must be from 1024 to 65535').optional(),
    })
    .optional(),
});
export type SettingsUpdate = z.infer<typeof SettingsUpdateSchema>;
