/** Plain data and functions, no zod: light clients (the renderer, the CLI) import this for name comparison. */

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
