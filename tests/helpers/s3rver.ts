import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';

/** s3rver's built-in account: it checks the access key id (not the secret). */
export const S3RVER_CREDS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/**
 * A real local S3 server (s3rver) in a child process on a free port, with the two settings it needs on Node 20
 * (see shared/design/environment.md): the legacy OpenSSL provider for its continuation tokens, and clients
 * that send checksums only when required.
 */
export async function startS3rver(): Promise<{ endpoint: string; dir: string; child: ChildProcess; stop(): Promise<void>; createBucket(name: string): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'p1-s3rver-'));
  const child = spawn(process.execPath, [path.resolve('node_modules/s3rver/bin/s3rver.js'), '-d', dir, '-a', '127.0.0.1', '-p', '0', '--silent'], {
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = /listening on (\S+?):(\d+)/.exec(out);
      if (m) resolve(`http://${m[1]}:${m[2]}`);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`s3rver exited with ${code}: ${out}`)));
  });
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: S3RVER_CREDS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    endpoint,
    dir,
    child,
    createBucket: async (name) => void (await client.send(new CreateBucketCommand({ Bucket: name }))),
    async stop() {
      client.destroy();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
