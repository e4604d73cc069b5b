import fc from 'fast-check';

/**
 * The hostile half of the fuzz suite's values: strings and values that have broken parsers, path handling, SQL,
 * templates and Unicode handling elsewhere; the mutations that turn a valid-ish input into a hostile one; and the
 * modes that decide, part by part, how hostile a generated request is.
 */

/** Strings that have broken parsers, path handling, SQL, templates and Unicode handling elsewhere. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  '  padded  ',
  '\0',
  'a\0b',
  '\n',
  '\r\n',
  '\t',
  '.',
  '..',
  '../',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '/etc/passwd',
  '//double//slash',
  'C:\\Windows',
  'CON',
  'nul.txt',
  '%00',
  '%2e%2e%2f',
  '%',
  '%zz',
  '\u202Egnp.exe',
  'zero\u200Bwidth',
  '\uFEFFbom',
  'line\u2028sep',
  '\uD800',
  'lone \uDFFF low',
  'café',
  'cafe\u0301',
  'CAFÉ',
  'ﬁle',
  'Straße',
  'STRASSE',
  'İstanbul',
  'ı',
  'Σίσυφος',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '😀',
  '👩‍👩‍👧‍👦',
  '\u0001\u001f\u007f\u0080\u009f',
  "' OR 1=1 --",
  '"; DROP TABLE secrets; --',
  '%_%',
  '\\',
  '${jndi:ldap://127.0.0.1:9/a}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '%s%s%n',
  'null',
  'undefined',
  'NaN',
  'true',
  '0',
  '-1',
  '1e309',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'default',
  'DEFAULT',
  'x'.repeat(257),
  'y'.repeat(4097),
  'é'.repeat(600),
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 300_000 }).map((n) => 'z'.repeat(n)) },
);

/** Arrays nested `depth` levels (built with a loop, so a deep one costs no stack here). */
export function deepArray(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
export function deepObject(depth: number): unknown {
  let v: unknown = 'deep';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

/** A value of the wrong type or shape for whatever field it lands in. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: hostileString },
  { weight: 2, arbitrary: fc.constantFrom(0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 1e21, 65536, 4294967296) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { '': '' }, [[]], ['a', 1, null]) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.integer({ min: 60, max: 300 }).map((n) => (n % 2 ? deepArray(n) : deepObject(n))) },
);

/**
 * How hostile a part of a request is: `valid` (valid-ish: what a correct client sends, so the case reaches the
 * service), `hostile` (always broken), or `any` (either). A request is mostly valid in every part but one.
 */
export type Mode = 'valid' | 'hostile' | 'any';

export function byMode<T>(mode: Mode, valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<T>): fc.Arbitrary<T> {
  return mode === 'valid' ? valid : mode === 'hostile' ? hostile : fc.oneof(valid, hostile);
}

/** Modes for the parts of a request: all valid, exactly one hostile, or any of them anything. */
export function modesArb<D extends string>(dims: readonly D[]): fc.Arbitrary<Record<D, Mode>> {
  const all = (m: Mode) => Object.fromEntries(dims.map((d) => [d, m])) as Record<D, Mode>;
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(all('valid')) },
    { weight: 4, arbitrary: fc.constantFrom(...dims).map((d) => ({ ...all('valid'), [d]: 'hostile' as Mode })) },
    { weight: 1, arbitrary: fc.constant(all('any')) },
  );
}

// ---------- mutations ----------

/** Every place inside a value a mutation can reach: [] is the value itself. */
function paths(value: unknown, depth = 0, at: Array<string | number> = [], out: Array<Array<string | number>> = []): Array<Array<string | number>> {
  out.push(at);
  if (depth > 4 || value === null || typeof value !== 'object') return out;
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [k, v] of entries.slice(0, 12)) paths(v, depth + 1, [...at, k], out);
  return out;
}

function clone(v: unknown): unknown {
  return v === undefined ? undefined : (JSON.parse(JSON.stringify(v)) as unknown);
}

function setAt(root: unknown, at: Array<string | number>, fn: (old: unknown, parent: Record<string | number, unknown> | null, key: string | number | null) => unknown): unknown {
  if (at.length === 0) return fn(root, null, null);
  let node = root as Record<string | number, unknown>;
  for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  const last = at[at.length - 1]!;
  const next = fn(node[last], node, last);
  if (next !== REMOVED) node[last] = next;
  return root;
}
const REMOVED = Symbol('removed');

/** One change that turns a valid-ish value into a hostile one; described as data so a failure report shows it. */
export type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'add'; at: number; key: string; value: unknown }
  | { op: 'retype'; at: number; value: unknown }
  | { op: 'huge'; at: number; size: number }
  | { op: 'deep'; at: number; depth: number }
  | { op: 'replace'; value: unknown };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({
    op: fc.constant('add' as const),
    at: fc.nat(),
    key: fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', 'workspaceId', 'id', 'isAdmin', 'role', 'extra', ''), fc.string({ maxLength: 10 })),
    value: hostileValue,
  }),
  fc.record({ op: fc.constant('retype' as const), at: fc.nat(), value: hostileValue }),
  fc.record({ op: fc.constant('huge' as const), at: fc.nat(), size: fc.constantFrom(5_000, 70_000, 300_000) }),
  fc.record({ op: fc.constant('deep' as const), at: fc.nat(), depth: fc.constantFrom(63, 65, 200, 1_000) }),
  fc.record({ op: fc.constant('replace' as const), value: hostileValue }),
);

/** Applies a mutation to a copy of `value` (JSON-shaped values only). */
export function mutate(value: unknown, m: Mutation): unknown {
  if (m.op === 'replace') return m.value;
  const v = clone(value);
  const all = paths(v);
  const at = all[m.at % all.length]!;
  switch (m.op) {
    case 'drop':
      return at.length === 0
        ? undefined
        : setAt(v, at, (_old, parent, key) => {
            if (Array.isArray(parent)) parent.splice(key as number, 1);
            else if (parent) delete parent[key!];
            return REMOVED;
          });
    case 'add':
      return setAt(v, at, (old) => {
        if (old === null || typeof old !== 'object' || Array.isArray(old)) return old;
        // defineProperty: an own `__proto__` key, as JSON.parse would make it, not a prototype change.
        Object.defineProperty(old, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
        return old;
      });
    case 'retype':
      return setAt(v, at, () => m.value);
    case 'huge':
      return setAt(v, at, () => 'h'.repeat(m.size));
    case 'deep':
      return setAt(v, at, () => (m.depth % 2 ? deepArray(m.depth) : deepObject(m.depth)));
  }
}

/** Valid-ish (mode valid), mutated once or twice (hostile), or either. */
export function fuzzed(base: fc.Arbitrary<unknown>, mode: Mode = 'any'): fc.Arbitrary<{ value: unknown; mutations: Mutation[] }> {
  const valid = base.map((value) => ({ value, mutations: [] as Mutation[] }));
  const hostile = fc.tuple(base, fc.array(mutationArb, { minLength: 1, maxLength: 2 })).map(([value, mutations]) => ({
    value: mutations.reduce<unknown>((v, m) => mutate(v, m), value),
    mutations,
  }));
  return byMode(mode, valid, hostile);
}
