import http from 'node:http';

/**
 * The fuzz suite's HTTP client: node:http with the request exactly as generated (a raw path with `..`, `%zz` or
 * Latin-1 bytes, duplicate headers, a Host of our choosing), each on a fresh connection so one case cannot leave a
 * half-read body for the next. fetch would normalise the path and merge the headers.
 */

export type WireRequest = { method: string; path: string; headers: Array<[string, string]>; body?: string | Buffer };
export type WireResponse =
  | { kind: 'response'; status: number; headers: http.IncomingHttpHeaders; text: string; json: unknown }
  /** The connection ended without an HTTP answer, or the client refused to send (recorded, never a pass). */
  | { kind: 'no-response'; error: string };

/** Sends a request exactly as given (raw path, duplicate headers), on a fresh connection, and reads the answer. */
export function send(port: number, req: WireRequest, timeoutMs = 15_000): Promise<WireResponse> {
  return new Promise((resolve) => {
    const flat: string[] = [];
    let hasHost = false;
    for (const [k, v] of req.headers) {
      flat.push(k, v);
      if (k.toLowerCase() === 'host') hasHost = true;
    }
    if (!hasHost) flat.push('host', `127.0.0.1:${port}`);
    // Always a length, as fetch and curl send it: without one Node's client would stream a POST's empty body chunked.
    if (!req.headers.some(([k]) => k.toLowerCase() === 'content-length') && (req.body !== undefined || ['POST', 'PUT', 'PATCH'].includes(req.method))) {
      flat.push('content-length', String(req.body === undefined ? 0 : Buffer.byteLength(req.body)));
    }
    let done = false;
    const finish = (r: WireResponse) => {
      if (!done) {
        done = true;
        clearTimeout(timer);
        resolve(r);
      }
    };
    let request: http.ClientRequest;
    let answered: { status: number; headers: http.IncomingHttpHeaders } | null = null;
    try {
      request = http.request({ host: '127.0.0.1', port, method: req.method, path: req.path, headers: flat, setHost: false, agent: false }, (res) => {
        answered = { status: res.statusCode ?? 0, headers: res.headers };
        const chunks: Buffer[] = [];
        const stream = (res.headers['content-type'] ?? '').startsWith('text/event-stream');
        res.on('data', (c: Buffer) => {
          chunks.push(c);
          // An event stream never ends: its first bytes are the answer.
          if (stream) res.destroy();
        });
        const end = () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown = undefined;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          finish({ kind: 'response', status: res.statusCode ?? 0, headers: res.headers, text, json });
        };
        res.on('end', end);
        res.on('close', end);
        res.on('error', end);
      });
    } catch (e) {
      return finish({ kind: 'no-response', error: `client refused to send: ${(e as NodeJS.ErrnoException).code ?? String(e)}` });
    }
    const timer = setTimeout(() => {
      request.destroy();
      finish({ kind: 'no-response', error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    // An error after the status line arrived (a HEAD answered with a body by the parser-level error handler, which
    // cannot know the method) still is an answer.
    request.on('error', (e: NodeJS.ErrnoException) =>
      finish(answered ? { kind: 'response', ...answered, text: '', json: undefined } : { kind: 'no-response', error: e.code ?? e.message }),
    );
    request.end(req.body);
  });
}

