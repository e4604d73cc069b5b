/**
 * How deep a channel's input may nest (objects and arrays), on every transport. Inputs are records a person fills
 * in; the deepest legitimate one is a structured secret value, and 64 levels is far past any of those. Past the
 * limit the input is bad input (400 INVALID_INPUT) before any parser, schema or handler recurses into it: zod,
 * JSON.stringify and the audit log all recurse, and a 100 000-deep `[[[…` would otherwise end as a stack overflow
 * (a 500) or worse.
 *
 * What must stay true: both checks are loops, never recursion, and run before anything else reads the input.
 */
export const MAX_INPUT_DEPTH = 64;

export const TOO_DEEP_MESSAGE = `the input nests deeper than ${MAX_INPUT_DEPTH} levels of objects and arrays`;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Whether JSON text nests deeper than `max`, read before it is parsed: brackets and braces are counted outside
 * strings. Strings are skipped with indexOf, so a large base64 value (a vault backup) costs almost nothing. Text that
 * is not valid JSON is left to the parser, which refuses it.
 */
export function jsonTextTooDeep(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // The closing quote is the next one not escaped by an odd run of backslashes.
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) return false;
        let slashes = 0;
        while (text.charCodeAt(j - 1 - slashes) === BACKSLASH) slashes++;
        if (slashes % 2 === 0) break;
      }
      i = j;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}

/**
 * Whether a value nests deeper than `max` (Electron IPC hands over structured clones, which may also share or cycle
 * references: a cycle counts as too deep). Each object is walked again only when reached deeper than before, so
 * shared references cannot make the walk exponential.
 */
export function valueTooDeep(value: unknown, max: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  const deepest = new Map<object, number>();
  const stack: Array<[object, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > max) return true;
    if ((deepest.get(node) ?? 0) >= depth) continue;
    deepest.set(node, depth);
    // Bytes (a Buffer or typed array through Electron IPC) hold no objects: not walked element by element.
    if (ArrayBuffer.isView(node)) continue;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}
