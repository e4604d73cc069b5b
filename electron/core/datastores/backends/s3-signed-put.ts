import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * The one S3 request an upload repeats (PUT of an in-memory body: a whole small object, or one part), signed by the
 * SDK's own SigV4 signer (@smithy/signature-v4) and sent on a keep-alive connection without the SDK's per-request
 * middleware stack, which costs several
 * times the request itself when hundreds of small files are dropped at once. Everything else (multipart
 * create/complete/abort, reads, deletes, pre-signing) stays on the SDK.
 *
 * The target is the SDK's own: `learnTarget` takes it from a URL the SDK pre-signed (endpoint rules, path or
 * virtual-host style, custom endpoint paths, signing region), and is trusted only if the SDK encoded a probe key
 * exactly as `encodeKey` does. Errors carry what the SDK's would (`name` = S3 error code or Node error, `code`,
 * `$metadata.httpStatusCode`), and transient failures are retried like the SDK's standard retry mode does.
 */
export type PutTarget = {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: string;
  /** The URL path up to (and including) the slash before the object key, already encoded. */
  basePath: string;
  /** `host` header value as signed. */
  host: string;
  region: string;
  service: string;
};

/** A key with characters that need every rule of S3 key encoding, to check ours against the SDK's. */
export const PROBE_KEY = ".probe/a b+c%d!e'f(g)h*i~j.k_l-m/ü/€/x y";

/** S3 object keys in a URL path: each segment percent-encoded per RFC 3986, slashes kept (the SDK's rule). */
export function encodeKey(key: string): string {
  return key.split('/').map(encodeSegment).join('/');
}

function encodeSegment(s: string): string {
  if (/^[\w.~-]*$/.test(s)) return s;
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The target of PUTs, from a pre-signed PUT URL for `probeKey` (with prefix) — or null if it cannot be trusted. */
export function learnTarget(presigned: string, probeKey: string): PutTarget | null {
  const u = new URL(presigned);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  // A session token or anything but plain SigV4 header auth: leave it to the SDK.
  if (u.searchParams.has('X-Amz-Security-Token') || u.searchParams.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return null;
  const encoded = encodeKey(probeKey);
  if (!u.pathname.endsWith(`/${encoded}`)) return null;
  const scope = (u.searchParams.get('X-Amz-Credential') ?? '').split('/');
  if (scope.length < 5 || scope[scope.length - 1] !== 'aws4_request') return null;
  return {
    protocol: u.protocol,
    hostname: u.hostname,
    port: u.port,
    basePath: u.pathname.slice(0, u.pathname.length - encoded.length),
    host: u.host,
    region: scope[scope.length - 3]!,
    service: scope[scope.length - 2]!,
  };
}

const THROTTLING = new Set(['SlowDown', 'Throttling', 'ThrottlingException', 'RequestLimitExceeded', 'RequestThrottled', 'TooManyRequestsException', 'BandwidthLimitExceeded']);
const TRANSIENT_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);

type S3Error = Error & { code?: string; $metadata?: { httpStatusCode?: number } };

function retryable(e: S3Error): boolean {
  if (e.name === 'AbortError') return false;
  const status = e.$metadata?.httpStatusCode ?? 0;
  return THROTTLING.has(e.name) || TRANSIENT_NAMES.has(e.name) || TRANSIENT_CODES.has(e.code ?? '') || TRANSIENT_STATUS.has(status) || status === 429;
}

const xmlField = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

export function createSignedPut(o: { target: PutTarget; accessKeyId: string; secretAccessKey: string; maxAttempts: number }) {
  const t = o.target;
  const transport = t.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: 50 });
  const signer = new SignatureV4({
    service: t.service,
    region: t.region,
    credentials: { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey },
    sha256: NodeSha256,
    // S3 signs the path as sent: its segments are already encoded (encodeKey) and must not be encoded twice.
    uriEscapePath: false,
    applyChecksum: true,
  });

  /** Adds x-amz-date and Authorization to `headers` (x-amz-content-sha256 carries the known payload hash). */
  async function sign(path: string, query: string, headers: Record<string, string>, payloadHash: string): Promise<void> {
    headers['x-amz-content-sha256'] = payloadHash;
    const signed = await signer.sign({
      method: 'PUT',
      protocol: t.protocol,
      hostname: t.hostname,
      port: t.port ? Number(t.port) : undefined,
      path,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers,
    });
    Object.assign(headers, signed.headers);
  }

  async function once(key: string, query: string, body: Buffer, extra: Record<string, string>, payloadHash: string, signal?: AbortSignal): Promise<{ etag?: string }> {
    const path = t.basePath + encodeKey(key);
    const headers: Record<string, string> = { host: t.host, 'content-length': String(body.length), ...extra };
    await sign(path, query, headers, payloadHash);
    return new Promise((resolve, reject) => {
      const req = transport.request(
        { protocol: t.protocol, hostname: t.hostname, port: t.port || undefined, path: query ? `${path}?${query}` : path, method: 'PUT', headers, agent, signal },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            res.resume();
            res.on('end', () => resolve({ etag: res.headers.etag }));
            res.on('error', reject);
            return;
          }
          // The error body names the S3 error code; it is read (bounded) for that and never passed on as text.
          let xml = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => void (xml.length < 64 * 1024 && (xml += c)));
          res.on('error', reject);
          res.on('end', () => {
            const code = xmlField(xml, 'Code') ?? (status === 404 ? 'NotFound' : `Http${status}`);
            reject(Object.assign(new Error(`S3 refused the upload (${status} ${code})`), { name: code, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } }));
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /**
   * PUTs `body` at `key` (query: e.g. the part number and upload id of a part, already canonical: sorted and
   * encoded; payloadHash: the body's hex SHA-256 if already known). Transient failures are retried up to
   * maxAttempts in all, with jittered exponential backoff.
   */
  async function put(
    key: string,
    body: Buffer,
    opts: { query?: string; headers?: Record<string, string>; signal?: AbortSignal; payloadHash?: string } = {},
  ): Promise<{ etag?: string }> {
    const payloadHash = opts.payloadHash ?? createHash('sha256').update(body).digest('hex');
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(key, opts.query ?? '', body, opts.headers ?? {}, payloadHash, opts.signal);
      } catch (e) {
        const err = e as S3Error;
        if (attempt >= o.maxAttempts || !retryable(err) || opts.signal?.aborted) throw err;
        const delay = Math.random() * Math.min(20_000, 100 * 2 ** attempt);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  return { put, close: () => agent.destroy() };
}

/** Canonical query of a part upload: parameters sorted, names and values percent-encoded. */
export function partQuery(partNumber: number, uploadId: string): string {
  return `partNumber=${partNumber}&uploadId=${encodeSegment(uploadId)}`;
}

/** node:crypto behind the hash interface the signer takes (the SDK's own Node hash package is not a dependency here). */
type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytesOf = (d: SourceData): string | Uint8Array =>
  typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

class NodeSha256 {
  private h: Hash | Hmac;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytesOf(secret);
    this.h = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: SourceData): void {
    this.h.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.fresh();
  }
}
