import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { AppError } from '../errors';

/**
 * Counts and hashes the bytes of an upload as they pass, and stops the upload once it exceeds `maxBytes`.
 * The SHA-256 is of the plaintext the client sent, before any encryption, so it can be compared with theirs.
 * `observe` is what a backend calls with each piece of the body (PutOptions.onData); `stream` is the same as a
 * pass-through Transform, for bytes that arrive as a stream.
 */
export function createMeter(opts: { maxBytes?: number; onProgress?: (bytes: number) => void }) {
  const hash = createHash('sha256');
  let bytes = 0;
  let digest: string | null = null;
  let stream: Transform | null = null;
  const observe = (chunk: Buffer): void => {
    bytes += chunk.length;
    if (opts.maxBytes !== undefined && bytes > opts.maxBytes) {
      throw new AppError('PAYLOAD_TOO_LARGE', `the upload is larger than the ${opts.maxBytes} bytes this URL allows; ask for a URL with a larger size limit`);
    }
    hash.update(chunk);
    opts.onProgress?.(bytes);
  };
  return {
    observe,
    get stream(): Transform {
      return (stream ??= new Transform({
        highWaterMark: 1024 * 1024,
        transform(chunk: Buffer, _enc, cb: TransformCallback) {
          try {
            observe(chunk);
          } catch (e) {
            return cb(e as Error);
          }
          cb(null, chunk);
        },
      }));
    },
    bytes: () => bytes,
    sha256: () => (digest ??= hash.digest('hex')),
  };
}

const TYPES: Record<string, string> = {
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  tsv: 'text/tab-separated-values',
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  xml: 'application/xml',
  html: 'text/html',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  log: 'text/plain',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  parquet: 'application/vnd.apache.parquet',
};

/** Content type from a key's extension, for uploads that did not say. */
export function guessContentType(key: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(key)?.[1]?.toLowerCase();
  return (ext && TYPES[ext]) || 'application/octet-stream';
}
