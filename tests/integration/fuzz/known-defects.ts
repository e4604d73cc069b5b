/**
 * Defects the fuzz suite found in areas being reworked elsewhere (datastores: folder ownership, path validation,
 * single-use upload URLs; the console's token and tickets in http-server.ts). Each entry scopes ONE invariant on
 * the cases it names out of the suite, so the property stays green until the fix lands; then the entry is removed
 * (and the suite fails again if the fix did not hold). Every entry says what breaks and the least input that
 * shows it. Nothing outside those two areas may be listed here: defects elsewhere are fixed, with a regression test.
 */

/** The invariants of issue 14, as the bench names them. */
export type Invariant = 'status' | 'canary' | 'unchanged' | 'envelope' | 'schema' | 'answers';

export type KnownDefect = {
  /** Stable name: what a commit removing the entry refers to. */
  name: string;
  area: 'datastores' | 'console';
  invariant: Invariant;
  /** What is wrong, and the minimal failing input. */
  description: string;
  /** Whether a violation on `route` (with the request and answer in `context`) is this defect. */
  matches: (route: string, detail: string, context: unknown) => boolean;
};

// Empty: the four defects the suite found in the datastores and the console gate (an S3 endpoint that is no http(s)
// URL, a datastore path that is a file, HEAD /ipc-events never answering, the Host/Origin gate's envelope on the
// bridge) are fixed, each with a regression test (tests/integration/rest/bad-input.test.ts,
// tests/integration/headless/console-server.test.ts, the datastore path tests).
export const KNOWN: readonly KnownDefect[] = [];

/** The known defect a violation is, if any. */
export function knownDefect(route: string, violation: { invariant: Invariant; detail: string }, context: unknown): KnownDefect | null {
  return KNOWN.find((k) => k.invariant === violation.invariant && k.matches(route, violation.detail, context)) ?? null;
}
