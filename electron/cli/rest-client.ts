import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Channel, Output } from '@shared/ipc/contract';
import { CliError } from './cli-error';
import type { CallInput, Client, UploadOptions } from './client';
import { formatBytes } from './transfer-progress';

/** S3's smallest multipart part: a smaller file is one request, and never resumes (so is not asked about). */
const RESUMABLE_FROM = 5 * 1024 * 1024;

type UploadStatus = { resumable: boolean; partSize: number | null; uploadedBytes: number; partsDone: number };

type Route = { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; path: (i: Record<string, unknown>) => string; query?: readonly string[]; body?: readonly string[] };

const enc = encodeURIComponent;
const keyPath = (key: unknown) => String(key).split('/').map(enc).join('/');

/**
 * The REST routes of the channels the CLI calls (electron/core/http/rest/*.routes.ts, the same paths; kept here as
 * data because the CLI must not load the core to know them). `query`/`body` name the input fields sent there.
 */
const ROUTES: Partial<Record<Channel, Route>> = {
  'secrets:list': { method: 'GET', path: () => '/secrets', query: ['search', 'limit', 'cursor'] },
  'secrets:get': { method: 'GET', path: (i) => `/secrets/${enc(String(i.id))}` },
  'secrets:create': { method: 'POST', path: () => '/secrets', body: ['name', 'value', 'description', 'generate', 'rotation'] },
  'secrets:rotate': { method: 'POST', path: (i) => `/secrets/${enc(String(i.id))}/rotate`, body: ['value'] },
  'secrets:reveal': { method: 'POST', path: (i) => `/secrets/${enc(String(i.id))}/reveal` },
  'secrets:delete': { method: 'DELETE', path: (i) => `/secrets/${enc(String(i.id))}`, query: ['force'] },
  'connections:list': { method: 'GET', path: () => '/connections', query: ['provider', 'status', 'q', 'limit', 'cursor'] },
  'connections:get': { method: 'GET', path: (i) => `/connections/${enc(String(i.id))}` },
  'connections:test': { method: 'POST', path: (i) => `/connections/${enc(String(i.id))}/test` },
  'connections:credential': { method: 'POST', path: (i) => `/connections/${enc(String(i.id))}/credential` },
  'datastores:list': { method: 'GET', path: () => '/datastores', query: ['limit', 'cursor'] },
  'datastores:get': { method: 'GET', path: (i) => `/datastores/${enc(String(i.datastoreId))}` },
  'datastores:objects:list': { method: 'GET', path: (i) => `/datastores/${enc(String(i.datastoreId))}/objects`, query: ['prefix', 'delimiter', 'limit', 'cursor'] },
  'datastores:objects:delete': { method: 'DELETE', path: (i) => `/datastores/${enc(String(i.datastoreId))}/objects/${keyPath(i.key)}` },
  'datastores:uploadUrl': { method: 'POST', path: (i) => `/datastores/${enc(String(i.datastoreId))}/upload-url`, body: ['key', 'contentType', 'expiresIn', 'maxBytes'] },
  'audit:list': { method: 'GET', path: () => '/audit-events', query: ['action', 'risk', 'actor', 'from', 'to', 'limit', 'cursor'] },
  'workflows:run': { method: 'POST', path: (i) => `/workflows/${enc(String(i.id))}/runs`, body: ['inputs'] },
  'runs:get': { method: 'GET', path: (i) => `/runs/${enc(String(i.id))}` },
};

export type RestClientOptions = {
  baseUrl: string;
  apiKey: string;
  workspaceId?: string;
  /** The program the call is made for, recorded in the audit log's details (a label, never trusted). */
  processName: string;
};

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: Buffer };

/** The API's error envelope → CliError with its code; a connection failure → UNREACHABLE. */
function errorOf(a: Answer): CliError {
  try {
    const e = (JSON.parse(a.body.toString('utf8')) as { error?: { code?: unknown; message?: unknown } }).error;
    if (e && typeof e.code === 'string') return new CliError(e.code, typeof e.message === 'string' ? e.message : `HTTP ${a.status}`);
  } catch {
    // not JSON: described by its status below
  }
  return new CliError(a.status === 404 ? 'NOT_FOUND' : 'INTERNAL', `the server answered HTTP ${a.status}`);
}

/** The input field (or header) an API error names. */
function fieldOf(a: Answer): string | undefined {
  try {
    const f = (JSON.parse(a.body.toString('utf8')) as { error?: { field?: unknown } }).error?.field;
    return typeof f === 'string' ? f : undefined;
  } catch {
    return undefined;
  }
}

/** The app no longer holds what a resumed upload was to continue: the caller starts it again from 0. */
class OffsetRefused extends Error {
  constructor(readonly error: CliError) {
    super(error.message);
  }
}

/**
 * The REST mode: node:http on a keep-alive agent (no fetch: its first use loads undici, a cost `exec` would pay on
 * every start). Loads nothing of the core, better-sqlite3 or the AWS SDK.
 */
export function createRestClient(o: RestClientOptions): Client {
  const base = new URL(o.baseUrl);
  const lib = base.protocol === 'https:' ? https : http;
  const agent = new lib.Agent({ keepAlive: true, maxSockets: 32 });
  const headers: Record<string, string> = {
    'x-api-key': o.apiKey,
    'x-provenance-client': 'cli',
    'x-provenance-process': o.processName,
  };
  if (o.workspaceId) headers['x-workspace-id'] = o.workspaceId;

  function request(method: string, path: string, extra: Record<string, string | number> = {}, body?: Buffer | Readable, signal?: AbortSignal): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = lib.request(new URL(path, base), { method, agent, headers: { ...headers, ...extra }, signal }, resolve);
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e.name === 'AbortError') return reject(e);
        reject(new CliError('UNREACHABLE', `cannot reach the ProvenanceOne REST API at ${base.origin} (${e.code ?? 'connection failed'}); is the app running?`));
      });
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else body.pipe(req);
    });
  }

  async function collect(res: http.IncomingMessage): Promise<Answer> {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) };
  }

  async function json(method: string, path: string, payload?: unknown): Promise<Answer> {
    const body = payload === undefined ? undefined : Buffer.from(JSON.stringify(payload));
    const extra: Record<string, string | number> = body ? { 'content-type': 'application/json', 'content-length': body.length } : {};
    return collect(await request(method, path, extra, body));
  }

  /** How much of this file the app already stores; null from an app without resumable uploads (404: no such endpoint). */
  async function uploadStatus(datastoreId: string, key: string, size: number, fingerprint: string): Promise<UploadStatus | null> {
    const qs = new URLSearchParams({ key, size: String(size), fingerprint });
    const a = await json('GET', `/datastores/${enc(datastoreId)}/uploads?${qs}`);
    if (a.status === 404 && errorOf(a).message === 'no such endpoint') return null;
    if (a.status !== 200) throw errorOf(a);
    return JSON.parse(a.body.toString('utf8')) as UploadStatus;
  }

  /**
   * PUT /datastores/{id}/objects/{key} from `status.uploadedBytes` on, with the fingerprint that binds the app's
   * record to this file. `shown`: how far into the file the progress bar already is (a second try counts only the
   * bytes beyond it).
   */
  async function resumableUpload(
    datastoreId: string,
    key: string,
    file: { path: string; size: number },
    u: UploadOptions,
    fingerprint: string,
    status: UploadStatus,
    shown: { bytes: number },
  ): Promise<void> {
    const offset = status.uploadedBytes;
    const reach = (position: number) => {
      if (position > shown.bytes) u.onProgress(position - shown.bytes);
      shown.bytes = Math.max(shown.bytes, position);
    };
    if (offset > 0) {
      u.onResume?.(
        `resuming an interrupted upload: ${status.partsDone} part${status.partsDone === 1 ? '' : 's'} (${formatBytes(offset)}) already uploaded, sending the remaining ${formatBytes(file.size - offset)}`,
      );
      reach(offset);
    }
    let position = offset;
    const counter = new Transform({
      transform(chunk: Buffer, _e, done) {
        position += chunk.length;
        reach(position);
        done(null, chunk);
      },
    });
    const extra = {
      'content-type': u.contentType ?? 'application/octet-stream',
      'content-length': file.size - offset,
      'x-upload-fingerprint': fingerprint,
      'x-upload-offset': offset,
    };
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const req = lib.request(new URL(`/datastores/${enc(datastoreId)}/objects/${keyPath(key)}`, base), { method: 'PUT', agent, headers: { ...headers, ...extra }, signal: u.signal }, resolve);
      req.on('error', (e: NodeJS.ErrnoException) =>
        reject(e.name === 'AbortError' ? e : new CliError('UNREACHABLE', `the upload of ${key} failed: ${e.code ?? 'connection failed'}`)),
      );
      pipeline(fs.createReadStream(file.path, { start: offset, highWaterMark: 1024 * 1024 }), counter, req).catch(reject);
    });
    const a = await collect(res);
    if (a.status >= 200 && a.status < 300) return;
    if (a.status === 409 && offset > 0 && fieldOf(a) === 'x-upload-offset') throw new OffsetRefused(errorOf(a));
    throw errorOf(a);
  }

  return {
    mode: 'rest',
    async call<C extends Channel>(channel: C, input: CallInput<C>): Promise<Output<C>> {
      const route = ROUTES[channel];
      if (!route) throw new CliError('UNAVAILABLE', `${channel} is not available over REST`);
      const i = input as Record<string, unknown>;
      const qs = new URLSearchParams();
      for (const k of route.query ?? []) if (i[k] !== undefined && i[k] !== false) qs.set(k, String(i[k]));
      let body: Record<string, unknown> | undefined;
      for (const k of route.body ?? []) if (i[k] !== undefined) (body ??= {})[k] = i[k];
      const q = qs.toString();
      const a = await json(route.method, route.path(i) + (q ? `?${q}` : ''), body);
      if (a.status === 204) return undefined as Output<C>;
      // A connection test that ran and failed answers 4xx with its result: the result is the answer.
      if (channel === 'connections:test' && a.status >= 400) {
        try {
          const r = (JSON.parse(a.body.toString('utf8')) as { result?: unknown }).result;
          if (r) return r as Output<C>;
        } catch {
          // fall through to the error
        }
      }
      if (a.status < 200 || a.status >= 300) {
        const err = errorOf(a);
        // An app without the workflows REST API answers its routes with "no such endpoint": say what that means.
        if ((channel === 'workflows:run' || channel === 'runs:get') && err.code === 'NOT_FOUND' && err.message === 'no such endpoint') {
          throw new CliError('UNAVAILABLE', 'workflows are not available in this version of the app');
        }
        throw err;
      }
      return JSON.parse(a.body.toString('utf8')) as Output<C>;
    },

    async upload(datastoreId, key, file, u: UploadOptions): Promise<void> {
      // An S3 datastore takes a file of at least one part through the app, resumably: an interrupted upload keeps its
      // parts at S3 (the app keeps the record), and the same command again sends only the rest.
      if (file.size >= RESUMABLE_FROM) {
        const fingerprint = createHash('sha256')
          .update(JSON.stringify([path.resolve(file.path), file.size, file.mtimeMs]))
          .digest('base64url');
        const status = await uploadStatus(datastoreId, key, file.size, fingerprint);
        if (status?.resumable && status.partSize !== null && file.size >= status.partSize) {
          const shown = { bytes: 0 };
          try {
            return await resumableUpload(datastoreId, key, file, u, fingerprint, status, shown);
          } catch (e) {
            // The stored parts were gone by the time the rest arrived (expired, or aborted at S3): once more, whole.
            if (!(e instanceof OffsetRefused)) throw e;
            return resumableUpload(datastoreId, key, file, u, fingerprint, { ...status, uploadedBytes: 0, partsDone: 0 }, shown);
          }
        }
      }
      // The REST API takes other object bytes at an upload URL (filesystem: this app, signed; S3: pre-signed, to S3).
      const grant = await this.call('datastores:uploadUrl', { datastoreId, key, contentType: u.contentType ?? 'application/octet-stream', expiresIn: 3600 });
      const target = new URL(grant.url);
      const putLib = target.protocol === 'https:' ? https : http;
      const counter = new Transform({
        transform(chunk: Buffer, _e, done) {
          u.onProgress(chunk.length);
          done(null, chunk);
        },
      });
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const sameServer = target.origin === base.origin;
        const req = putLib.request(target, { method: 'PUT', agent: sameServer ? agent : undefined, headers: { ...grant.headers, 'content-length': file.size }, signal: u.signal }, resolve);
        req.on('error', (e: NodeJS.ErrnoException) =>
          reject(e.name === 'AbortError' ? e : new CliError('UNREACHABLE', `the upload of ${key} failed: ${e.code ?? 'connection failed'}`)),
        );
        pipeline(fs.createReadStream(file.path), counter, req).catch(reject);
      });
      const a = await collect(res);
      if (a.status < 200 || a.status >= 300) {
        const err = errorOf(a);
        // S3 answers XML: name the status, never its body.
        throw err.code === 'INTERNAL' ? new CliError('UPLOAD_FAILED', `the upload of ${key} was refused (HTTP ${a.status})`) : err;
      }
    },

    async download(datastoreId, key) {
      const res = await request('GET', `/datastores/${enc(datastoreId)}/objects/${keyPath(key)}`);
      if ((res.statusCode ?? 0) >= 300) throw errorOf(await collect(res));
      return { size: Number(res.headers['content-length'] ?? 0), stream: res };
    },

    async close() {
      agent.destroy();
    },
  };
}
