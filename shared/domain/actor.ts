import { z } from 'zod';

/**
 * Who made a call and from where. `origin` is 'ipc' for the desktop window, otherwise the client IP.
 * local = the OS user at the desktop (admin everywhere); system = the app itself (scheduler); anonymous = a caller
 * without credentials on a public endpoint (sign-in), who holds nothing in any workspace.
 */
export const ActorKindSchema = z.enum(['local', 'user', 'apiKey', 'system', 'anonymous']);
export const ActorSchema = z.object({
  kind: ActorKindSchema,
  id: z.string(),
  name: z.string(),
  origin: z.string(),
  /**
   * The local program that made the call, as its client says (the CLI sends its parent program's name). A label for
   * the audit log only (recorded as `details.process`), never trusted for access.
   */
  process: z.string().optional(),
});
export type Actor = z.infer<typeof ActorSchema>;
