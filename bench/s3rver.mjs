// s3rver for the benches: a real S3-compatible server on a free loopback port with the bucket `bench`, started as
// environment.md says (its TLS code needs the legacy OpenSSL provider). The datastores and CLI benches share it.
import { spawn } from 'node:child_process';

export async function startS3rver(dir) {
  const p = spawn(process.execPath, ['node_modules/s3rver/bin/s3rver.js', '-d', dir, '-a', '127.0.0.1', '-p', '0', '--silent', '--configure-bucket', 'bench'], {
    env: { ...process.env, NODE_OPTIONS: '--openssl-legacy-provider' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const endpoint = await new Promise((resolve, reject) => {
    let out = '';
    const on = (b) => {
      out += b;
      const m = /listening on (\S+?):(\d+)/.exec(out);
      if (m) resolve(`http://${m[1]}:${m[2]}`);
    };
    p.stdout.on('data', on);
    p.stderr.on('data', on);
    p.on('exit', (c) => reject(new Error(`s3rver exited ${c}: ${out}`)));
  });
  return { endpoint, stop: () => new Promise((r) => (p.once('exit', r), p.kill('SIGTERM'))) };
}
