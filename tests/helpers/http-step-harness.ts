import type { Actor } from '@shared/domain/actor';
import type { StepContext } from '@core/workflows/step-kind';

/**
 * A stand-in for the runner around one http step: a StepContext whose useConnection / injected only record what the
 * step did, and the runner's scrubbing rule (every injected value, also base64 and URL-encoded) so a test can show
 * that what the step registered is enough to clean what the provider echoed.
 */
export function stepHarness(workspaceId: string, actor: Actor, opts: { signal?: AbortSignal } = {}) {
  const used: string[] = [];
  const injected = new Set<string>();
  const ctrl = new AbortController();
  const ctx: StepContext = {
    actor,
    workspaceId,
    runId: 'run-test',
    stepId: 'call',
    attempt: 1,
    signal: opts.signal ?? ctrl.signal,
    useConnection: (id) => void used.push(id),
    injected: (v) => void injected.add(v),
    needed: [],
    outputs: new Map(),
    inputs: {},
  };
  const forms = (v: string) => [v, Buffer.from(v).toString('base64'), encodeURIComponent(v)];
  return {
    ctx,
    used,
    injected,
    abort: (reason?: unknown) => ctrl.abort(reason),
    /** The runner's rule: every injected value and its encodings, longest first, replaced. */
    scrub(text: string): string {
      const needles = [...injected].flatMap(forms).filter((n) => n.length > 0).sort((a, b) => b.length - a.length);
      return needles.reduce((t, n) => t.split(n).join('[redacted]'), text);
    },
  };
}

export type SentRequest = { url: string; method: string; headers: Record<string, string>; body: string | undefined };

/** The real fetch, recording what each request carried (to compare the credential headers with what was injected). */
export function recordingFetch(inner: typeof fetch = fetch) {
  const sent: SentRequest[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const headers: Record<string, string> = {};
    new Headers(init?.headers).forEach((v, k) => (headers[k] = v));
    sent.push({ url: String(input), method: init?.method ?? 'GET', headers, body: typeof init?.body === 'string' ? init.body : undefined });
    return inner(input, init);
  };
  return { fetch: wrapped, sent };
}

/** The header values a request carried that hold a credential. */
export const credentialHeaderValues = (r: SentRequest) =>
  Object.entries(r.headers)
    .filter(([k]) => ['authorization', 'dd-api-key', 'dd-application-key'].includes(k))
    .map(([, v]) => v);
