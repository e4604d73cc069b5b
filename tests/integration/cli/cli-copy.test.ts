import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3RVER_CREDS, startS3rver } from '../../helpers/s3rver';
import { tempDir } from '../../helpers/test-core';
import { cliEnv, collect, ensureCliBuilt, removeCliBuild, OWNER_KEY, rest, runCli, spawnCli, startServer, waitForOutput, type Server } from './cli-harness';

/**
 * `datastores cp` with progress (issue #16): a folder of 200 files and a 256 MiB file over REST, and an S3 upload
 * interrupted and run again, which takes the multipart upload up where it stopped: over REST (the app keeps the
 * record; bytes counted on their way to the app) and in --data-dir mode.
 */
const MiB = 1024 * 1024;
let s3: Awaited<ReturnType<typeof startS3rver>>;
let server: Server;
let work: string;
let big: string;
let bigSha: string;
let env: NodeJS.ProcessEnv;

/** A 256 MiB file written in 1 MiB blocks (each different, so every part has its own MD5), never kept in git. */
function writeBigFile(file: string): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'w');
  const block = randomBytes(MiB);
  for (let i = 0; i < 256; i++) {
    block.writeUInt32BE(i, 0);
    fs.writeSync(fd, block);
    hash.update(block);
  }
  fs.closeSync(fd);
  return hash.digest('hex');
}

const s3Backend = (bucket: string) => ({ type: 's3', endpoint: s3.endpoint, region: 'us-east-1', bucket, forcePathStyle: true, accessKeyId: S3RVER_CREDS.accessKeyId, secretAccessKey: S3RVER_CREDS.secretAccessKey });

beforeAll(async () => {
  await ensureCliBuilt();
  s3 = await startS3rver();
  await s3.createBucket('cli-rest');
  await s3.createBucket('cli-local');
  await s3.createBucket('cli-resume');
  server = await startServer();
  work = tempDir('p1-cli-cp-');
  big = path.join(work, 'big.bin');
  bigSha = writeBigFile(big);
  const folder = path.join(work, 'many');
  for (let i = 0; i < 200; i++) {
    const dir = path.join(folder, `d${i % 10}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.txt`), `file ${i} `.repeat(50 + i));
  }
  env = cliEnv({ PROVENANCE_DATA_DIR: server.dataDir, PROVENANCE_API_KEY: OWNER_KEY, TMPDIR: work });
  expect((await rest(server, 'POST', '/datastores', { name: 'local-files' })).status).toBe(201);
  const created = await rest(server, 'POST', '/datastores', { name: 's3-rest', backend: s3Backend('cli-rest') });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
}, 120_000);

afterAll(async () => {
  removeCliBuild();
  await server?.stop();
  await s3?.stop();
  fs.rmSync(server.dataDir, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

type Listed = { key: string; size: number; sha256: string };

describe('over REST', () => {
  it('a folder of 200 files, in parallel, with a progress bar (bytes, speed, ETA, files)', async () => {
    const r = await runCli(['datastores', 'cp', path.join(work, 'many'), 'ds://local-files/batch/', '--progress', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ files: 200 });
    expect(r.stderr).toMatch(/100% \| [\d.]+ KiB \/ [\d.]+ KiB \| [\d.]+ (B|KiB|MiB)\/s \| ETA \S+ \| 200\/200 files/);
    const ls = JSON.parse((await runCli(['datastores', 'ls', 'local-files', 'batch/', '--json'], env)).stdout) as Listed[];
    expect(ls).toHaveLength(200);
    expect(ls.every((o) => o.key.startsWith('batch/many/d'))).toBe(true);
  }, 120_000);

  it('a 256 MiB file to S3 through the app (a resumable PUT), with progress', async () => {
    const r = await runCli(['datastores', 'cp', big, 'ds://s3-rest/', '--progress', '--json'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/100% \| 256\.0 MiB \/ 256\.0 MiB \| [\d.]+ (KiB|MiB|GiB)\/s \| ETA \S+ \| 1\/1 files/);
    const ls = JSON.parse((await runCli(['datastores', 'ls', 's3-rest', '--json'], env)).stdout) as Listed[];
    expect(ls).toMatchObject([{ key: 'big.bin', size: 256 * MiB }]);
  }, 180_000);
});

/**
 * An HTTP relay in front of the app that counts the request body bytes clients send through it: what reached the
 * server, whatever the client says about itself. (The app answers only requests addressed to its own host and port,
 * so the relay sends each on with the app's Host.)
 */
async function countingRelay(target: string): Promise<{ url: string; sent(): number; reset(): void; close(): Promise<void> }> {
  const to = new URL(target);
  let sent = 0;
  // Bytes count toward the requests made since the last reset only: a killed client's body still buffered in the
  // socket keeps arriving after it died, and is not what the next command sent.
  let epoch = 0;
  const agent = new http.Agent({ keepAlive: true });
  const relay = http.createServer((req, res) => {
    const mine = epoch;
    req.on('data', (b: Buffer) => {
      if (mine === epoch) sent += b.length;
    });
    const out = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, agent, headers: { ...req.headers, host: to.host } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => res.destroy());
    // A client that goes away mid-body: the app sees its request cut short too.
    req.on('close', () => {
      if (!req.complete) out.destroy();
    });
    req.pipe(out);
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const { port } = relay.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent: () => sent,
    reset: () => {
      sent = 0;
      epoch += 1;
    },
    close: () => {
      relay.closeAllConnections();
      agent.destroy();
      return new Promise((r) => relay.close(() => r()));
    },
  };
}

/** The fingerprint the CLI sends for a file (rest-client.ts): never its content. */
const fingerprintOf = (file: string) => {
  const st = fs.statSync(file);
  return createHash('sha256')
    .update(JSON.stringify([path.resolve(file), st.size, st.mtimeMs]))
    .digest('base64url');
};

describe('over REST: an interrupted S3 upload resumes', () => {
  let relay: Awaited<ReturnType<typeof countingRelay>>;
  let viaRelay: NodeJS.ProcessEnv;
  let dsId: string;
  beforeAll(async () => {
    relay = await countingRelay(server.baseUrl);
    viaRelay = { ...env, PROVENANCE_URL: relay.url };
    const created = await rest<{ id: string }>(server, 'POST', '/datastores', { name: 's3-resume', backend: s3Backend('cli-resume') });
    expect(created.status).toBe(201);
    dsId = created.json.id;
  });
  afterAll(() => relay?.close());

  const status = async () => {
    const q = new URLSearchParams({ key: 'big.bin', size: String(256 * MiB), fingerprint: fingerprintOf(big) });
    const r = await rest<{ resumable: boolean; partSize: number; uploadedBytes: number; partsDone: number }>(server, 'GET', `/datastores/${dsId}/uploads?${q}`);
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    return r.json;
  };

  it('SIGKILL mid-upload keeps the parts the app acknowledged; the same command again sends only the rest, and the SHA-256 is right', async () => {
    const args = ['datastores', 'cp', big, 'ds://s3-resume/big.bin', '--progress'];
    const first = spawnCli(args, viaRelay);
    const firstDone = collect(first);
    // Killed outright (no chance to clean up) once well past a few parts: 96 MiB or more read, not yet done.
    await waitForOutput(first, /\| (9[6-9]|1\d\d|2[0-4]\d)\.\d MiB \/ 256\.0 MiB/);
    first.kill('SIGKILL');
    const r1 = await firstDone;
    expect(r1.signal).toBe('SIGKILL');
    expect((await rest<unknown[]>(server, 'GET', `/datastores/${dsId}/objects`)).json).toMatchObject({ items: [] });

    // The app says how much of exactly this file it holds (its record; a part boundary).
    const held = await status();
    expect(held).toMatchObject({ resumable: true, partSize: 8 * MiB });
    expect(held.partsDone).toBeGreaterThan(0);
    expect(held.uploadedBytes).toBe(held.partsDone * 8 * MiB);

    relay.reset();
    const r2 = await runCli([...args, '--json'], viaRelay);
    expect(r2.code, r2.stderr).toBe(0);
    const [, parts] = /big\.bin: resuming an interrupted upload: (\d+) parts? \([\d.]+ MiB\) already uploaded, sending the remaining [\d.]+ MiB/.exec(r2.stderr) ?? [];
    // Parts finishing as the first run died may make the record grow after the status above.
    expect(Number(parts)).toBeGreaterThanOrEqual(held.partsDone);
    expect(Number(parts)).toBeLessThan(32);
    // What reached the app: the rest of the file (plus a few KiB of requests), not the whole of it.
    const rest_ = 256 * MiB - Number(parts) * 8 * MiB;
    expect(relay.sent()).toBeGreaterThanOrEqual(rest_);
    expect(relay.sent()).toBeLessThan(rest_ + 256 * 1024);
    expect(JSON.parse(r2.stdout)).toMatchObject({ files: 1, bytes: 256 * MiB });

    const ls = JSON.parse((await runCli(['datastores', 'ls', 's3-resume', '--json'], env)).stdout) as Listed[];
    expect(ls).toMatchObject([{ key: 'big.bin', size: 256 * MiB, sha256: bigSha }]);
    // The record is gone with the completed upload.
    expect(await status()).toMatchObject({ uploadedBytes: 0, partsDone: 0 });
  }, 300_000);
});

describe('in --data-dir mode: an interrupted S3 upload resumes', () => {
  let dataDir: string;
  beforeAll(async () => {
    const s = await startServer();
    dataDir = s.dataDir;
    expect((await rest(s, 'POST', '/datastores', { name: 's3-local', backend: s3Backend('cli-local') })).status).toBe(201);
    await s.stop();
  }, 120_000);
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('SIGINT stops it keeping the uploaded parts; the same command again uploads only the rest', async () => {
    const args = ['datastores', 'cp', '--data-dir', dataDir, big, 'ds://s3-local/big.bin', '--progress'];
    const first = spawnCli(args, env);
    const firstDone = collect(first);
    // Interrupted once a quarter of the file is read (parts in flight stop; those S3 has are kept).
    await waitForOutput(first, /\| (6[4-9]|[7-9]\d|1\d\d|2[0-3]\d)\.\d MiB \/ 256\.0 MiB/);
    first.kill('SIGINT');
    const r1 = await firstDone;
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/error CANCELLED: the copy was interrupted; run the same command again to continue\n$/);
    expect(fs.readdirSync(path.join(dataDir, 'cli-uploads'))).toHaveLength(1);

    const r2 = await runCli(args, env);
    expect(r2.code, r2.stderr).toBe(0);
    const [, parts] = /resuming an interrupted upload: (\d+) parts? already uploaded/.exec(r2.stderr) ?? [];
    expect(Number(parts)).toBeGreaterThan(0);
    expect(Number(parts)).toBeLessThan(32);
    const ls = JSON.parse((await runCli(['datastores', 'ls', 's3-local', '--data-dir', dataDir, '--json'], env)).stdout) as Listed[];
    expect(ls).toMatchObject([{ key: 'big.bin', size: 256 * MiB, sha256: bigSha }]);
    // The object reads back whole, and the resume record is gone.
    const back = path.join(work, 'back.bin');
    expect((await runCli(['datastores', 'cp', '--data-dir', dataDir, 'ds://s3-local/big.bin', back], env)).code).toBe(0);
    const h = createHash('sha256');
    for await (const c of fs.createReadStream(back)) h.update(c as Buffer);
    expect(h.digest('hex')).toBe(bigSha);
    expect(fs.readdirSync(path.join(dataDir, 'cli-uploads'))).toHaveLength(0);
  }, 300_000);
});
