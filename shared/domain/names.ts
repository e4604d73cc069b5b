import { z } from 'zod';
import { nameKey } from './names.catalog';

/**
 * The one rule set for names people give things (workspaces, secrets, connections, API keys; datastores next):
 * what a name may hold, and when two names are the same name.
 *
 * What must stay true:
 * - A name never holds a character that hides or reorders what is shown: C0/C1 controls, zero-width characters
 *   (U+200B–U+200D, U+2060, U+FEFF), bidirectional controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069:
 *   Unicode's Bidi_Control property), and line or paragraph separators (U+2028, U+2029). The refusal names the code
 *   point, so the person can find a character they cannot see.
 * - Uniqueness compares `nameKey(name)`, never the name's bytes or SQLite's NOCASE (ASCII only). Stores keep the key
 *   in a `name_key` column with a UNIQUE index, computed here and only here (SQLite has no NFKC).
 */

/** Characters a name may not hold, as one class (also written to the API reference as the field's pattern). */
const FORBIDDEN = '\\p{Cc}\\p{Zl}\\p{Zp}\\p{Bidi_Control}\\u200B-\\u200D\\u2060\\uFEFF';
const FORBIDDEN_CHAR = new RegExp(`[${FORBIDDEN}]`, 'u');
const ALLOWED_ONLY = new RegExp(`^[^${FORBIDDEN}]+$`, 'u');

const hex = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** Why the character is refused, in words a person can act on. */
function kindOf(ch: string): string {
  if (/\p{Cc}/u.test(ch)) return 'a control character';
  if (/\p{Bidi_Control}/u.test(ch)) return 'a bidirectional control, which can make a name read differently than it is stored';
  if (/[\p{Zl}\p{Zp}]/u.test(ch)) return 'a line or paragraph separator';
  return 'an invisible zero-width character';
}

/**
 * The first character a name may not hold, described with its code point (e.g. "U+202E, a bidirectional control
 * …"), or null when the name is clean.
 */
export function forbiddenNameCharacter(name: string): string | null {
  const m = FORBIDDEN_CHAR.exec(name);
  if (!m) return null;
  return `${hex(m[0].codePointAt(0)!)}, ${kindOf(m[0])}`;
}

/**
 * A name field's schema: trimmed, 1 to `max` characters (UTF-16 units, as before), no forbidden character.
 * `label` names the field in messages ("name is required").
 */
export function nameSchema(opts: { max: number; label?: string }) {
  const label = opts.label ?? 'name';
  return z
    .string()
    .trim()
    .min(1, `${label} is required`)
    .max(opts.max, `${label} must be at most ${opts.max} characters`)
    .regex(ALLOWED_ONLY, {
      error: (issue) => `${label} must not contain ${forbiddenNameCharacter(typeof issue.input === 'string' ? issue.input : '') ?? 'that character'}`,
    });
}

// nameKey lives in names.catalog.ts (no zod) so light clients (the CLI) compare names the same way.
export { nameKey };
