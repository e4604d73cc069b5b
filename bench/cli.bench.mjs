// The provenanceone CLI (issue #16), each against a reference run side by side, interleaved round by round:
//   - `provenanceone exec --env T=provenance://secrets/x -- true` vs a bare node script making the same one REST
//     call (node:http, the reveal)                                                  target ≤ 1.5× wall time
//   - `provenanceone datastores cp` of 500 × 256 KiB to an S3 datastore (REST mode: upload URL + PUT to S3) vs
//     `aws s3 cp --recursive` to the same s3rver                                    target ≥ 1.0× (skipped without aws)
//   - one 1 GiB file (BENCH_CLI_SIZE_MB) to a filesystem datastore: `provenanceone datastores cp` vs the app's own
//     upload path (the console's streaming PUT, as a dropped file travels)          target within 10 %
// Medians of BENCH_ROUNDS (default 5 for exec, 3 for copies). Needs the keyring (scripts/bench.mjs runs it under
// with-keyring.sh) and builds the headless app and the CLI itself.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { buildCli } from '../scripts/build-cli.mjs';
import { startS3rver } from './s3rver.mjs';

const MiB = 1024 * 1024;
const OWNER = `bench-owner-${randomBytes(12).toString('hex')}`;
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const EXEC_ROUNDS = Math.max(ROUNDS, Number(process.env.BENCH_EXEC_ROUNDS ?? 15));
const FILES = Number(process.env.BENCH_FILES ?? 500);
const SIZE_MB = Number(process.env.BENCH_CLI_SIZE_MB ?? 1024);
// BENCH_PARTS=exec,many,big runs a subset.
const PARTS = new Set((process.env.BENCH_PARTS ?? 'exec,many,big').split(','));
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
const r2 = (x) => Math.round(x * 100) / 100;
const emit = (row) => console.log(JSON.stringify({ bench: 'cli', ...row }));
const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const settle = () => {
  spawnSync('sync');
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Number(process.env.BENCH_SETTLE_MS ?? 3000));
};
const LAUNCHER = path.resolve('bin/provenanceone.mjs');

function timed(cmd, args, env = process.env) {
  const t = performance.now();
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return (performance.now() - t) / 1000;
}

async function startHeadless(dataDir) {
  const child = spawn(process.execPath, ['out/main/headless.js', '--data-dir', dataDir, '--port', '0'], {
    env: { ...process.env, PROVENANCE_ADMIN_API_KEY: OWNER },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const on = (b) => {
      out += b;
      const m = /console ready: (\S+)/.exec(out);
      if (m) resolve(m[1]);
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (c) => reject(new Error(`headless exited ${c}: ${out}`)));
  });
  const u = new URL(url);
  return { baseUrl: u.origin, token: u.hash.replace('#token=', ''), stop: () => new Promise((r) => (child.once('exit', r), child.kill('SIGTERM'))) };
}

async function api(s, method, p, body) {
  const r = await fetch(`${s.baseUrl}${p}`, { method, headers: { 'x-api-key': OWNER, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  if (!r.ok) throw new Error(`${method} ${p}: ${r.status} ${await r.text()}`);
  return r.status === 204 ? null : r.json();
}

async function main() {
  spawnSync('node', ['scripts/native-abi.mjs', 'node'], { stdio: 'inherit' });
  if (!fs.existsSync('out/main/headless.js')) {
    if (spawnSync('npx', ['electron-vite', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] }).status !== 0) process.exit(1);
  }
  await buildCli();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'p1-bench-cli-'));
  const s3dir = path.join(work, 's3');
  fs.mkdirSync(s3dir);
  const s3 = await startS3rver(s3dir);
  const server = await startHeadless(path.join(work, 'data'));
  const env = { ...process.env, PROVENANCE_URL: server.baseUrl, PROVENANCE_API_KEY: OWNER };
  try {
    // ---- exec vs a bare node script making the same one REST call ----
    if (PARTS.has('exec')) await benchExec();
    if (PARTS.has('many')) await benchMany();
    if (PARTS.has('big')) await benchBig();
  } finally {
    await server.stop();
    await s3.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }

  async function benchExec() {
    const secret = await api(server, 'POST', '/secrets', { name: 'x', value: randomBytes(24).toString('base64url') });
    const bare = path.join(work, 'bare.mjs');
    fs.writeFileSync(
      bare,
      `import http from 'node:http';
const req = http.request(${JSON.stringify(`${server.baseUrl}/secrets/${secret.id}/reveal`)}, { method: 'POST', headers: { 'x-api-key': process.env.PROVENANCE_API_KEY } }, (res) => {
  let b = ''; res.on('data', (c) => (b += c)); res.on('end', () => { if (res.statusCode !== 200) process.exit(1); JSON.parse(b); });
});
req.end();
`,
    );
    const execTimes = [];
    const bareTimes = [];
    const byId = [];
    // Interleaved: the bare script, then by name (a lookup and the reveal), then by id (the reveal alone, the same one
    // call as the bare script's).
    for (let i = 0; i < EXEC_ROUNDS; i++) {
      bareTimes.push(timed(process.execPath, [bare], env));
      execTimes.push(timed(process.execPath, [LAUNCHER, 'exec', '--env', 'T=provenance://secrets/x', '--', 'true'], env));
      byId.push(timed(process.execPath, [LAUNCHER, 'exec', '--env', `T=provenance://secrets/${secret.id}`, '--', 'true'], env));
    }
    const [e, b] = [median(execTimes), median(bareTimes)];
    emit({ metric: 'exec one secret (ms)', value: r2(e * 1000), reference: r2(b * 1000), ratio: r2(e / b), target: '≤ 1.5× bare node REST call', pass: e / b <= 1.5, rounds: EXEC_ROUNDS });
    emit({ metric: 'exec one secret by id (ms)', value: r2(median(byId) * 1000), reference: r2(b * 1000), ratio: r2(median(byId) / b) });

  }

  // ---- 500 × 256 KiB to S3: provenanceone cp vs aws s3 cp --recursive ----
  async function benchMany() {
    await api(server, 'POST', '/datastores', { name: 's3', backend: { type: 's3', endpoint: s3.endpoint, region: 'us-east-1', bucket: 'bench', prefix: 'app/', forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
    const many = path.join(work, 'many');
    fs.mkdirSync(many);
    for (let i = 0; i < FILES; i++) fs.writeFileSync(path.join(many, `f${String(i).padStart(4, '0')}.bin`), randomBytes(256 * 1024));
    const awsEnv = { ...process.env, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_DEFAULT_REGION: 'us-east-1' };
    const ours = [];
    const aws = [];
    for (let round = 0; round < ROUNDS; round++) {
      settle();
      ours.push(timed(process.execPath, [LAUNCHER, 'datastores', 'cp', `${many}/`, `ds://s3/r${round}/`], env));
      if (has('aws')) {
        settle();
        aws.push(timed('aws', ['s3', 'cp', '--recursive', many, `s3://bench/aws-${round}/`, '--endpoint-url', s3.endpoint, '--only-show-errors'], awsEnv));
      }
    }
    const o = median(ours);
    if (aws.length) {
      const a = median(aws);
      emit({ metric: `cp ${FILES} × 256 KiB to S3 (files/s)`, value: r2(FILES / o), reference: r2(FILES / a), ratio: r2(a / o), target: '≥ 1.0× aws s3 cp --recursive', pass: a / o >= 1.0, rounds: ROUNDS });
    } else {
      emit({ metric: `cp ${FILES} × 256 KiB to S3 (files/s)`, value: r2(FILES / o), note: 'aws-cli not installed: the aws s3 cp --recursive comparison was skipped' });
    }

  }

  // ---- one big file: provenanceone cp vs the app's own upload path (the console's streaming PUT) ----
  async function benchBig() {
    const ds = await api(server, 'POST', '/datastores', { name: 'files' });
    const workspaceId = ds.workspaceId;
    const big = path.join(work, 'big.bin');
    const fd = fs.openSync(big, 'w');
    const block = randomBytes(MiB);
    for (let i = 0; i < SIZE_MB; i++) fs.writeSync(fd, block);
    fs.closeSync(fd);
    const consolePut = (key) =>
      new Promise((resolve, reject) => {
        const t = performance.now();
        const u = new URL(`${server.baseUrl}/console/datastores/${ds.id}/objects?workspaceId=${workspaceId}&key=${encodeURIComponent(key)}`);
        const req = http.request(u, { method: 'PUT', headers: { 'x-console-token': server.token, 'content-type': 'application/octet-stream', 'content-length': SIZE_MB * MiB } }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve((performance.now() - t) / 1000) : reject(new Error(`console upload ${res.statusCode}`))));
        });
        req.on('error', reject);
        fs.createReadStream(big).pipe(req);
      });
    const cli = [];
    const app = [];
    for (let round = 0; round < ROUNDS; round++) {
      settle();
      app.push(await consolePut(`app-${round}.bin`));
      await api(server, 'DELETE', `/datastores/${ds.id}/objects/app-${round}.bin`);
      settle();
      cli.push(timed(process.execPath, [LAUNCHER, 'datastores', 'cp', big, `ds://files/cli-${round}.bin`], env));
      await api(server, 'DELETE', `/datastores/${ds.id}/objects/cli-${round}.bin`);
    }
    const [c, ap] = [median(cli), median(app)];
    emit({ metric: `cp ${SIZE_MB} MiB file (MB/s)`, value: r2(SIZE_MB / c), reference: r2(SIZE_MB / ap), ratio: r2(ap / c), target: 'within 10 % of the app\'s own upload path', pass: ap / c >= 0.9, rounds: ROUNDS });
  }
}

await main();
