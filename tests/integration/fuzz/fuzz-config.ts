import fc from 'fast-check';

/**
 * How much the fuzz suite runs, and how to replay it.
 *
 * - FUZZ_RUNS: cases per property (one property per REST route, stream route and channel). Small by default so the
 *   suite stays a few seconds of CI; `npm run fuzz` sets it high.
 * - FUZZ_SEED: the seed every property of a run uses (printed in every failure). Random when unset, so CI explores
 *   new cases on every run; set it to replay a failure's inputs.
 * - FUZZ_PATH: fast-check's counterexample path (printed with the seed): with FUZZ_SEED and `-t "<test name>"` it
 *   replays exactly the failing case of that property.
 */
const intFrom = (s: string | undefined): number | null => (s !== undefined && /^-?\d+$/.test(s.trim()) ? Number(s) : null);

export const RUNS = Math.max(1, intFrom(process.env.FUZZ_RUNS) ?? 3);
export const SEED = intFrom(process.env.FUZZ_SEED) ?? (Math.floor(Math.random() * 0x7fffffff) ^ Date.now()) | 0;
const PATH = process.env.FUZZ_PATH || undefined;

/** A generated case shrinks at most this many times: every shrink is another request against a live server. */
export const MAX_SHRINKS = 40;

/** A vitest timeout for a property of `runs` cases taking about `msPerCase` each (slow machines, shrinking included). */
export const timeoutFor = (runs: number, msPerCase = 60): number => 30_000 + runs * msPerCase * 3;

/**
 * Runs an async property with the suite's seed and run count. On failure the error starts with the line that replays
 * it, then fast-check's report (the counterexample is printed compactly: see `described`).
 */
export async function checkProperty<T>(name: string, testFile: string, arb: fc.Arbitrary<T>, predicate: (value: T) => Promise<void>, runs = RUNS): Promise<void> {
  const details = await fc.check(fc.asyncProperty(fc.limitShrink(arb, MAX_SHRINKS), predicate), { numRuns: runs, seed: SEED, path: PATH });
  if (!details.failed) return;
  // -t takes a pattern: the name escaped and anchored at its end, so it picks this property alone.
  const pattern = `${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
  const replay = `replay: FUZZ_SEED=${details.seed}${details.counterexamplePath ? ` FUZZ_PATH=${details.counterexamplePath}` : ''} npx vitest run ${testFile} -t '${pattern}'`;
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`${name}: ${cause}\n${replay}\n${fc.defaultReportMessage(details) ?? ''}`);
}

/** Strings in a counterexample are cut to this length, so a 1 MiB body does not flood the report. */
const SHOWN = 300;

function shorten(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.length > SHOWN ? `${value.slice(0, SHOWN)}…(${value.length} chars)` : value;
  if (typeof value === 'bigint') return `${value}n`;
  if (depth > 6) return '…';
  if (Array.isArray(value)) return value.length > 20 ? [...value.slice(0, 20).map((v) => shorten(v, depth + 1)), `…(${value.length} items)`] : value.map((v) => shorten(v, depth + 1));
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [shorten(k), shorten(v, depth + 1)]));
  }
  return value;
}

/** Headers whose values are credentials: a report shows the case's credential label instead. */
const CREDENTIAL_HEADERS = new Set(['x-api-key', 'authorization', 'x-console-token', 'x-user-token']);

function masked(value: object): object {
  const headers = (value as { headers?: unknown }).headers;
  if (!Array.isArray(headers)) return value;
  return { ...value, headers: headers.map((h: [string, string]) => (CREDENTIAL_HEADERS.has(String(h[0]).toLowerCase()) ? [h[0], '‹credential›'] : h)) };
}

/**
 * Gives a generated case a compact printed form for fast-check's report: long strings cut, deep values elided, and
 * credential headers masked (the case's `credential` label says which one it was; the seed replays it exactly).
 */
export function described<T extends object>(value: T): T {
  Object.defineProperty(value, fc.toStringMethod, {
    value: () => {
      try {
        return JSON.stringify(shorten(masked(value)));
      } catch {
        return '(a case that cannot be printed, e.g. a cyclic value)';
      }
    },
    enumerable: false,
  });
  return value;
}
