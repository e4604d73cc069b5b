import type { z } from 'zod';
import type { Invariant } from './known-defects';
import type { WireResponse } from './wire-client';

/**
 * The invariants of issue 14 on one answer, and what each route may make of them (its Expectation). The bench
 * (fuzz-bench.ts) runs the case and calls `judge`; the violations that are not known defects fail the case.
 */

/** What a response is checked against, besides the invariants every response shares. */
export type Expectation = {
  /** The route's key (`METHOD path`), or `ipc <channel>` / `dispatch <channel>`: names the case in reports and KNOWN entries. */
  route: string;
  /** Canary values this answer may carry when it succeeds (a permitted reveal returns the revealed secret's value). */
  allowed?: readonly string[];
  /** A 4xx that is an answer, not a refusal (a connection test that ran and failed records its result). */
  answerNotRefusal?: (status: number, json: unknown) => boolean;
  /** The body's schema for a 2xx status, or null when it is not JSON (bytes, 204). */
  schemaFor?: (status: number) => z.ZodType | null;
  /** The error body's envelope: REST `{error}`, the bridge's `{ok:false,error}`, or none to check. */
  envelope: 'rest' | 'bridge' | 'none';
};

export type Violation = { invariant: Invariant; detail: string };

/**
 * The one storage fault the fuzz injects: every S3 endpoint it seeds or generates is a closed loopback port, so
 * S3 datastores answer 503 "the S3 endpoint … is unreachable", as they should. Any other 5xx is a violation.
 */
function injectedStorageFault(res: { status: number; json: unknown }): boolean {
  const body = res.json as { error?: { code?: unknown; message?: unknown } } | undefined;
  return res.status === 503 && body?.error?.code === 'UNAVAILABLE' && /^the S3 endpoint of datastore ".*" is unreachable/s.test(String(body.error.message));
}

/** What the bench observed around the case, asked for only when an invariant needs it. */
export type Observed = {
  /** The label of the first canary in `text` that is not in `allowed` (never its value), or null. */
  leaked: (text: string, allowed: readonly string[]) => string | null;
  /** The tables that changed during the case (audit log excluded). */
  changedTables: () => string[];
  /** The vault's new state if the case changed it, else null. */
  vaultWent: () => string | null;
};

/**
 * Every invariant on one answer:
 * - it answered at all;
 * - status < 500, bar the injected storage fault;
 * - no canary in the body or headers, except what `allowed` grants a success;
 * - on a 4xx (a refusal, not an answer like a failed connection test): no table changed, the vault did not change
 *   state, and the body is the route's error envelope;
 * - on a 2xx, the body matches the route's schema.
 */
export function judge(res: WireResponse, expect: Expectation, seen: Observed): Violation[] {
  if (res.kind === 'no-response') return [{ invariant: 'answers', detail: res.error }];
  const violations: Violation[] = [];
  if (res.status >= 500 && !injectedStorageFault(res)) violations.push({ invariant: 'status', detail: `${res.status} ${res.text.slice(0, 300)}` });
  const leaked = seen.leaked(`${res.text}\n${JSON.stringify(res.headers)}`, res.status < 300 ? (expect.allowed ?? []) : []);
  if (leaked) violations.push({ invariant: 'canary', detail: `${leaked} is in the answer (${res.status})` });
  if (res.status >= 400 && res.status < 500 && !expect.answerNotRefusal?.(res.status, res.json)) {
    const changed = seen.changedTables();
    if (changed.length) violations.push({ invariant: 'unchanged', detail: `${res.status} but ${changed.join(', ')} changed` });
    const vault = seen.vaultWent();
    if (vault) violations.push({ invariant: 'unchanged', detail: `${res.status} but the vault went ${vault}` });
    // A HEAD answer has no body to check.
    if (res.text !== '' && expect.envelope !== 'none') {
      const body = res.json as { ok?: unknown; error?: { code?: unknown; message?: unknown } } | undefined;
      const isError = typeof body?.error?.code === 'string' && typeof body.error.message === 'string';
      // A request Node's HTTP parser refuses (431, 408) is answered before its URL is known: the REST envelope.
      const parserLevel = res.status === 431 || res.status === 408;
      const okShape = isError && (expect.envelope === 'rest' || body!.ok === false || (parserLevel && body!.ok === undefined));
      if (!okShape) violations.push({ invariant: 'envelope', detail: `${res.status} body is not the error envelope: ${res.text.slice(0, 200)}` });
    }
  }
  if (res.status >= 200 && res.status < 300) {
    const schema = expect.schemaFor?.(res.status) ?? null;
    const parsed = schema?.safeParse(res.json);
    if (parsed && !parsed.success) {
      violations.push({ invariant: 'schema', detail: `${res.status} body does not match the route's schema: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}` });
    }
  }
  return violations;
}
