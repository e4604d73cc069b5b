import { z } from 'zod';

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

/** Default_Ignorable_Code_Point: soft hyphen, variation selectors, zero-width and bidi marks… NFKC_Casefold drops them. */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;
/** Turkish dotless ı: full case folding leaves it alone, but ı → I → i would merge it with i. */
const DOTLESS_I = '\u0131';

/**
 * The form two names are compared in: `nameKey(a) === nameKey(b)` means one name. NFKC_Casefold semantics,
 * built from what every JavaScript runtime has (no ICU case-folding API exists in JS):
 *
 *   drop default-ignorable code points → NFKC → per code point lower → upper → lower → NFKC
 *
 * - NFKC: composed and decomposed forms are one name (`café` NFC = `cafe\u0301` NFD), and compatibility forms fold to
 *   their plain letters (`ﬁ` → `fi`, Kelvin sign `K` → `K`, fullwidth `ＡＢＣ` → `ABC`, no-break space → space).
 * - lower → upper → lower, per code point: full case folding's classes. `ß`, `ẞ` and `SS` are one name (`toLowerCase`
 *   alone keeps `ß` apart from `ss`; upper → lower alone keeps `ẞ` apart); Greek `ς`, `σ` and `Σ` are one name (per
 *   code point, so the final-sigma rule of `toLowerCase` cannot split them).
 * - Dotless `ı` stays itself, as Unicode's default (non-Turkish) case folding has it: `ı` is not `i`, and `İ` folds
 *   to `i̇` (i + combining dot), not `i`. Locale-specific (Turkish) folding is deliberately not used: a name's key must
 *   not depend on the machine's language.
 * Checked against Python's `str.casefold()` over every code point assigned in Unicode 14: the same classes.
 * The key depends on the runtime's Unicode version only for characters assigned after it.
 */
export function nameKey(name: string): string {
  const nfkc = name.replace(IGNORABLE, '').normalize('NFKC');
  let folded = '';
  for (const ch of nfkc) folded += ch === DOTLESS_I ? ch : ch.toLowerCase().toUpperCase().toLowerCase();
  return folded.normalize('NFKC');
}
