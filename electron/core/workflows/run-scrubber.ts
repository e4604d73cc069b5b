import { encodedForms } from '@shared/domain/secret-forms';
/**
 * The scrubber of one run: every value injected into the run (secret values, credentials a step kind registers with
 * `ctx.injected`) is replaced by `***` in every output and error before it is stored, emitted or returned.
 *
 * What must stay true:
 * - each value is scrubbed in the forms a provider or a step is likely to echo it back in: raw, base64 (standard,
 *   with and without padding, and URL-safe), URL-encoded (encodeURIComponent and form encoding, `+` for spaces) and
 *   JSON-escaped (a JSON document held as text);
 * - values shorter than 4 characters are scrubbed too, although this can mask unrelated text: a short secret is still
 *   a secret, and an over-scrubbed output is the safe failure;
 * - longer needles are replaced first, so a value that contains another is masked whole;
 * - object keys are scrubbed like values (a provider may echo a value as a key).
 * A value embedded in a larger encoded unit (e.g. `user:password` inside one Basic header) is caught only in the
 * forms above: the unit itself is what the kind registers with `ctx.injected`.
 */
export const SCRUBBED = '***';

function formsOf(value: string): string[] {
  // The common encoded forms (shared with the CLI's masker), plus two a stored run record may hold: form encoding as
  // URLSearchParams writes it, and the value escaped inside a JSON string.
  // Duplicates are fine: `needles` is a set. None is empty, since `add` takes only non-empty values.
  return [...encodedForms(value), new URLSearchParams({ v: value }).toString().slice(2), JSON.stringify(value).slice(1, -1)];
}

export function createRunScrubber() {
  const needles = new Set<string>();
  let ordered: string[] = [];

  function add(value: string): void {
    // An empty value must never become a needle: splitting on '' would put the mask between every character.
    if (typeof value !== 'string' || value.length === 0) return;
    for (const f of formsOf(value)) needles.add(f);
    // Sorted again on every registration (a kind registers its credential on every step): a few dozen needles, and
    // the same list when nothing new came in.
    ordered = [...needles].sort((a, b) => b.length - a.length);
  }

  function text(s: string): string {
    let out = s;
    for (const n of ordered) out = out.split(n).join(SCRUBBED);
    return out;
  }

  function value(v: unknown, depth = 0): unknown {
    if (ordered.length === 0) return v;
    if (typeof v === 'string') return text(v);
    if (v === null || typeof v !== 'object') return v;
    // Deeper than any real output: masked whole, never kept as it is (an over-scrubbed output is the safe failure).
    if (depth > 200) return SCRUBBED;
    if (Array.isArray(v)) return v.map((x) => value(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[text(k)] = value(x, depth + 1);
    return out;
  }

  return {
    /** Registers a value injected into this run (and its encoded forms). */
    add,
    /** `s` with every registered value masked. */
    text,
    /** A deep copy of `v` (JSON data) with every string and key masked. */
    value,
    get size(): number {
      return needles.size;
    },
  };
}
export type RunScrubber = ReturnType<typeof createRunScrubber>;

/** Stored outputs are capped: bigger ones are kept as a summary (type, size, head), never the value. */
export const OUTPUT_CAP_BYTES = 64 * 1024;
const HEAD_CHARS = 1024;

/** The JSON text to store for an (already scrubbed) output, and whether it was summarised. */
export function capOutput(output: unknown, cap = OUTPUT_CAP_BYTES): { json: string; truncated: boolean } {
  const json = JSON.stringify(output ?? null) ?? 'null';
  const bytes = Buffer.byteLength(json);
  if (bytes <= cap) return { json, truncated: false };
  const type = Array.isArray(output) ? 'array' : output === null ? 'null' : typeof output;
  return { json: JSON.stringify({ truncated: true, type, bytes, head: json.slice(0, HEAD_CHARS) }), truncated: true };
}
