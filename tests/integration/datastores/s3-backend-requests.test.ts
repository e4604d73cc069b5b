import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { RESUME_UNAVAILABLE, type MultipartResume, type PutOptions } from '@core/datastores/backends/backend-port';
import { openS3Backend } from '@core/datastores/backends/s3-backend';
import { tempDir } from '../../helpers/test-core';

// What the S3 backend puts on the wire, seen by a minimal S3 endpoint in this process: the payload hash each PUT is
// signed with, how a stream body is split into requests, and that cancelling stops a request already being sent.

const MiB = 1024 * 1024;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

type Seen = { method: string; url: string; headers: http.IncomingHttpHeaders; body: Buffer };

/**
 * Answers like S3 (PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload),
 * records every request, and leaves the requests `hold` picks unanswered (`held` resolves with each one).
 */
async function fakeS3(hold: (method: string, url: string) => boolean = () => false) {
  const seen: Seen[] = [];
  let onHeld: (r: { req: http.IncomingMessage; closed: Promise<void> }) => void = () => undefined;
  const held = new Promise<{ req: http.IncomingMessage; closed: Promise<void> }>((r) => (onHeld = r));
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    const method = req.method ?? '';
    if (hold(method, url)) {
      // Read what is sent and never answer: only the client can end this request.
      req.resume();
      onHeld({ req, closed: new Promise((r) => req.socket.once('close', () => r())) });
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method, url, headers: req.headers, body: Buffer.concat(chunks) });
      if (method === 'POST' && url.includes('uploads')) {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end('<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>up-1</UploadId></InitiateMultipartUploadResult>');
      } else if (method === 'POST') {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end('<CompleteMultipartUploadResult><ETag>"done"</ETag></CompleteMultipartUploadResult>');
      } else if (method === 'GET' && url.includes('uploadId=')) {
        // ListParts of an upload this S3 does not know (only the resume tests ask).
        res.writeHead(404, { 'content-type': 'application/xml' });
        res.end('<Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>');
      } else if (method === 'DELETE') {
        res.writeHead(204).end();
      } else {
        res.writeHead(200, { etag: `"${sha(Buffer.concat(chunks)).slice(0, 32)}"`, 'content-length': 0 }).end();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    held,
    puts: () => seen.filter((s) => s.method === 'PUT'),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const open = (endpoint: string, partSize = 5 * MiB) =>
  openS3Backend({ endpoint, region: 'us-east-1', bucket: 'b', forcePathStyle: true, accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', partSize, queueSize: 2, maxAttempts: 1 });

/** What the object service passes: every byte through onData (hashed there) and that hash on request. */
function metered(): PutOptions & { seen: () => number } {
  const h = createHash('sha256');
  let bytes = 0;
  let digest: string | undefined;
  return {
    contentType: 'application/octet-stream',
    onData: (c) => {
      bytes += c.length;
      h.update(c);
    },
    sha256: () => (digest ??= h.digest('hex')),
    seen: () => bytes,
  };
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('s3 backend on the wire', () => {
  it('signs every PUT with the SHA-256 of its own body: the caller’s hash for a whole object, the SDK’s for each part', async () => {
    const s3 = await fakeS3();
    cleanups.push(s3.close);
    const b = open(s3.endpoint);
    cleanups.push(() => b.close());
    const dir = tempDir();
    const small = randomBytes(300 * 1024);
    const large = randomBytes(11 * MiB);
    fs.writeFileSync(path.join(dir, 'small.bin'), small);
    fs.writeFileSync(path.join(dir, 'large.bin'), large);

    for (const [name, data, puts] of [['small.bin', small, 1], ['large.bin', large, 3]] as const) {
      s3.seen.length = 0;
      const opts = metered();
      await b.put(name, { kind: 'file', path: path.join(dir, name), size: data.length }, opts);
      expect(opts.seen()).toBe(data.length);
      expect(s3.puts()).toHaveLength(puts);
      for (const put of s3.puts()) {
        expect(put.headers['x-amz-content-sha256']).toBe(sha(put.body));
        expect(put.headers.authorization).toMatch(/SignedHeaders=[^,]*x-amz-content-sha256/);
      }
      // Parts finish in any order: put back in part order, they are the body.
      const partNumber = (p: Seen) => Number(/partNumber=(\d+)/.exec(p.url)?.[1] ?? 0);
      const inOrder = [...s3.puts()].sort((x, y) => partNumber(x) - partNumber(y));
      expect(sha(Buffer.concat(inOrder.map((p) => p.body)))).toBe(sha(data));
    }
  });

  it('takes a whole body’s hash from the caller instead of hashing the body again, and hashes it itself otherwise', async () => {
    const s3 = await fakeS3();
    cleanups.push(s3.close);
    const b = open(s3.endpoint);
    cleanups.push(() => b.close());
    const data = Buffer.from('a,b\n1,2\n');
    // A hash that is not the body's shows whose hash was signed (S3 itself refuses such a request).
    const claimed = 'f'.repeat(64);
    await b.put('claimed.csv', { kind: 'stream', body: Readable.from([data]) }, { contentType: 'text/csv', onData: () => undefined, sha256: () => claimed });
    await b.put('plain.csv', { kind: 'stream', body: Readable.from([data]) }, { contentType: 'text/csv' });
    expect(s3.puts().map((p) => p.headers['x-amz-content-sha256'])).toEqual([claimed, sha(data)]);
  });

  it('sends a stream larger than its first buffer but smaller than a part as one PutObject', async () => {
    const s3 = await fakeS3();
    cleanups.push(s3.close);
    const b = open(s3.endpoint, 5 * MiB);
    cleanups.push(() => b.close());
    for (const size of [MiB - 1, MiB, MiB + 1, 3 * MiB]) {
      s3.seen.length = 0;
      const data = randomBytes(size);
      const pieces = Readable.from((function* () {
        for (let i = 0; i < data.length; i += 64 * 1024) yield data.subarray(i, i + 64 * 1024);
      })());
      const opts = metered();
      await b.put(`s-${size}.bin`, { kind: 'stream', body: pieces }, opts);
      expect(s3.seen.map((s) => s.method)).toEqual(['PUT']);
      expect(sha(s3.puts()[0]!.body)).toBe(sha(data));
      expect(s3.puts()[0]!.headers['x-amz-content-sha256']).toBe(sha(data));
    }
  });

  it('cancelling stops a PutObject already on the wire at once, and its request is closed', async () => {
    const s3 = await fakeS3((method) => method === 'PUT');
    cleanups.push(s3.close);
    const b = open(s3.endpoint);
    cleanups.push(() => b.close());
    const ctrl = new AbortController();
    const done = b.put('held.bin', { kind: 'stream', body: Readable.from([randomBytes(64 * 1024)]) }, { ...metered(), signal: ctrl.signal });
    const { closed } = await s3.held;
    ctrl.abort();
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
    await closed;
  });

  it('cancelling stops a part already on the wire at once, and the multipart upload is aborted', async () => {
    const s3 = await fakeS3((method, url) => method === 'PUT' && url.includes('partNumber=2'));
    cleanups.push(s3.close);
    const b = open(s3.endpoint, 5 * MiB);
    cleanups.push(() => b.close());
    const ctrl = new AbortController();
    const data = randomBytes(11 * MiB);
    const done = b.put('parts.bin', { kind: 'stream', body: Readable.from([data]) }, { ...metered(), signal: ctrl.signal });
    const { closed } = await s3.held;
    ctrl.abort();
    await expect(done).rejects.toMatchObject({ name: 'AbortError' });
    await closed;
    expect(s3.seen.filter((s) => s.method === 'DELETE' && s.url.includes('uploadId=up-1'))).toHaveLength(1);
    expect(s3.seen.filter((s) => s.method === 'POST' && s.url.includes('uploadId='))).toHaveLength(0);
  });
});

describe('taking an upload up at an offset (the REST resume, resumable-upload-service.ts)', () => {
  it('an upload S3 no longer knows is refused before a byte of the rest is sent, and its record is dropped', async () => {
    const s3 = await fakeS3();
    cleanups.push(s3.close);
    const b = open(s3.endpoint);
    cleanups.push(() => b.close());
    let cleared = 0;
    const resume: MultipartResume = {
      startsAt: 5 * MiB,
      load: () => ({ uploadId: 'gone', s3Key: 'big.bin', partSize: 5 * MiB, parts: [{ n: 1, etag: '"e1"', size: 5 * MiB }] }),
      save: () => undefined,
      clear: () => void cleared++,
    };
    await expect(b.put('big.bin', { kind: 'stream', body: Readable.from([randomBytes(MiB)]) }, { ...metered(), resume })).rejects.toMatchObject({ name: RESUME_UNAVAILABLE });
    expect(cleared).toBe(1);
    // Only the ListParts that found it gone: no part, no new upload, no completion.
    expect(s3.seen.map((r) => r.method)).toEqual(['GET']);
  });

  it('a rest that starts anywhere but after full recorded parts is refused the same way', async () => {
    const s3 = await fakeS3();
    cleanups.push(s3.close);
    const b = open(s3.endpoint);
    cleanups.push(() => b.close());
    const resume: MultipartResume = { startsAt: 3 * MiB, load: () => null, save: () => undefined, clear: () => undefined };
    await expect(b.put('big.bin', { kind: 'stream', body: Readable.from([randomBytes(MiB)]) }, { ...metered(), resume })).rejects.toMatchObject({ name: RESUME_UNAVAILABLE });
    expect(s3.puts()).toHaveLength(0);
  });
});
