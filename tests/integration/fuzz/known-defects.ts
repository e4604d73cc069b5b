import fs from 'node:fs';

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

/** The channel input a case carried: a REST body, the bridge's `{input}`, or what dispatch was given. */
function inputOf(route: string, context: unknown): unknown {
  const c = context as { input?: unknown; req?: { body?: unknown } };
  if ('input' in c) return c.input;
  if (typeof c.req?.body !== 'string') return undefined;
  try {
    const body = JSON.parse(c.req.body) as { input?: unknown };
    return route.startsWith('ipc ') ? body?.input : body;
  } catch {
    return undefined;
  }
}

/** Routes and channels that act on a datastore's backend. */
const DATASTORE_ROUTE = /^(GET|POST|PUT|DELETE) \/(datastores|console\/datastores)|^(ipc|dispatch) datastores:/;

const isExistingFile = (p: unknown): boolean => typeof p === 'string' && !p.includes('\0') && !!fs.statSync(p, { throwIfNoEntry: false })?.isFile();

export const KNOWN: readonly KnownDefect[] = [
  {
    name: 'datastore-s3-config-not-validated',
    area: 'datastores',
    invariant: 'status',
    description:
      'An S3 datastore is created with an endpoint that is no http(s) URL (file:, javascript:, ftp:, all accepted by z.url()) or a region the SDK cannot use (e.g. "東京"); from then on every object operation answers 503 UNAVAILABLE "could not complete the operation (EndpointError)" (a storage fault where the input was bad: create should be a 400). Minimal input: POST /datastores {"name":"x","backend":{"type":"s3","endpoint":"file:///etc/passwd","region":"us-east-1","bucket":"fuzz-bucket","accessKeyId":"A","secretAccessKey":"B"}}, then PUT /console/datastores/{id}/objects?workspaceId=…&key=a.',
    matches: (route, detail) => DATASTORE_ROUTE.test(route) && detail.startsWith('503') && detail.includes('could not complete the operation'),
  },
  {
    name: 'datastore-create-on-a-file-path',
    area: 'datastores',
    invariant: 'status',
    description:
      'Creating a filesystem datastore whose backend.path is an existing regular file answers 500 INTERNAL: datastore-service create() calls readdirSync on it (ENOTDIR) instead of refusing the path with a 400. Minimal input: POST /datastores {"name":"x","backend":{"type":"filesystem","path":"/etc/hostname"}} with the owner key (datastores:create over IPC alike).',
    matches: (route, detail, context) =>
      /^(POST \/datastores|ipc datastores:create|dispatch datastores:create)$/.test(route) && detail.startsWith('500') && isExistingFile((inputOf(route, context) as { backend?: { path?: unknown } } | undefined)?.backend?.path),
  },
  {
    name: 'console-events-head-never-answers',
    area: 'console',
    invariant: 'answers',
    description:
      "HEAD /ipc-events with the console token never answers: Fastify's automatic HEAD route runs the event stream's handler, which hijacks the reply and writes its headers with the first event bytes, which a HEAD answer drops, so neither headers nor an end ever reach the client; the connection stays open with a bus subscription and a 25 s ping timer until the client gives up. Minimal input: HEAD /ipc-events with `x-console-token: <token>` (or ?token=).",
    matches: (_route, _detail, context) => {
      const req = (context as { req?: { method?: string; path?: string } }).req;
      return req?.method === 'HEAD' && /^\/ipc-events(\?|$)/.test(req.path ?? '');
    },
  },
  {
    name: 'console-gate-403-in-rest-envelope-on-the-bridge',
    area: 'console',
    invariant: 'envelope',
    description:
      "The Host/Origin gate (http-server.ts, first onRequest hook) answers 403 on POST /ipc/:channel in the REST envelope {\"error\":…} instead of the bridge's {\"ok\":false,\"error\":…} (every other bridge error, Fastify's included, is bridge-shaped). Minimal input: POST /ipc/session:info with the console token and `origin: http://evil.example` (or `host: evil.example`).",
    matches: (route, detail) => route.startsWith('ipc ') && detail.startsWith('403 ') && /requests must be addressed to 127\.0\.0\.1|cross-origin requests are not allowed/.test(detail),
  },
];

/** The known defect a violation is, if any. */
export function knownDefect(route: string, violation: { invariant: Invariant; detail: string }, context: unknown): KnownDefect | null {
  return KNOWN.find((k) => k.invariant === violation.invariant && k.matches(route, violation.detail, context)) ?? null;
}
