import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { invalid } from '../errors';

/** What every refused cursor says (400 INVALID_INPUT, field `cursor`), whatever was wrong with it. */
export const INVALID_CURSOR = 'invalid cursor: pass the nextCursor this list gave, or start again without one';
const refuse = () => invalid(INVALID_CURSOR, 'cursor');

/** Bumped if the cursor layout changes: an old cursor is then refused (start again), never misread. */
const FORMAT = 1;

/**
 * Opaque keyset cursors: base64url of `[format, tag, key]`, where `key` is the last row's sort key and `tag` binds
 * the cursor to one list of one workspace (a hash of both, so the cursor stays short and shows neither).
 *
 * What must stay true:
 * - A cursor that this list did not give for this workspace is refused as INVALID_CURSOR, never read as another
 *   position: random or truncated base64, non-canonical base64 (stray characters, padding), another list's or another
 *   workspace's cursor, or a key of the wrong shape (checked by the list's own key schema).
 * - A cursor is a position, not a grant: every page query is still scoped by the workspace and the caller's access
 *   check, so a hand-made cursor with a valid tag only chooses where the caller's own list starts. That is why the
 *   tag is a plain hash and not a MAC: no key to keep, and cursors survive a restart.
 * - Decoding never throws anything but that AppError (a 400): no path from a cursor to a 5xx.
 */
export function pageCursor<K>(list: string, keySchema: z.ZodType<K>) {
  const tag = (workspaceId: string) => createHash('sha256').update(`${list}\u0000${workspaceId}`).digest('base64url').slice(0, 12);
  return {
    encode(workspaceId: string, key: K): string {
      return Buffer.from(JSON.stringify([FORMAT, tag(workspaceId), key]), 'utf8').toString('base64url');
    },
    decode(workspaceId: string, cursor: string): K {
      let value: unknown;
      try {
        const json = Buffer.from(cursor, 'base64url').toString('utf8');
        // Node's decoder skips characters outside the alphabet; only the exact encoding of what it read is ours.
        if (Buffer.from(json, 'utf8').toString('base64url') !== cursor) throw refuse();
        value = JSON.parse(json);
      } catch {
        throw refuse();
      }
      if (!Array.isArray(value) || value.length !== 3 || value[0] !== FORMAT || value[1] !== tag(workspaceId)) throw refuse();
      const key = keySchema.safeParse(value[2]);
      if (!key.success) throw refuse();
      return key.data;
    },
  };
}
export type PageCursor<K> = ReturnType<typeof pageCursor<K>>;
