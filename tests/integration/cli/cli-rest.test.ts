import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canary } from '../../helpers/canary';
import { tempDir } from '../../helpers/test-core';
import { cliEnv, collect, ensureCliBuilt, removeCliBuild, filesContaining, OWNER_KEY, rest, runCli, spawnCli, startServer, waitForOutput, type Server } from './cli-harness';

/**
 * The CLI against the real headless app over REST with an API key (issue #16): every command, exec's masking,
 * signals and exit codes, the bad-input cases with their exit codes, and one secret.accessed (origin cli) per read.
 */
let server: Server;
let env: NodeJS.ProcessEnv;
let cliTmp: string;
const value = canary('cli-canary');
const connCredential = canary('cli-conn');
let otherSecretId: string;
let datastoreId: string;

type Page<T> = { items: T[] };
type AuditRow = { action: string; origin: string; outcome: string; details: Record<string, unknown>; target: { id: string; name: string | null } };

async function auditOf(action: string): Promise<AuditRow[]> {
  return (await rest<Page<AuditRow>>(server, 'GET', `/audit-events?action=${action}&limit=500`)).json.items;
}

beforeAll(async () => {
  await ensureCliBuilt();
  server = await startServer();
  cliTmp = tempDir('p1-cli-tmp-');
  // The CLI finds the app through its record in the data dir; its temp dir is its own, to scan afterwards.
  env = cliEnv({ PROVENANCE_DATA_DIR: server.dataDir, PROVENANCE_API_KEY: OWNER_KEY, TMPDIR: cliTmp });
  const other = (await rest<{ id: string }>(server, 'POST', '/workspaces', { name: 'Other team' })).json;
  otherSecretId = (await rest<{ id: string }>(server, 'POST', '/secrets', { name: 'theirs', value: canary('other-ws') }, other.id)).json.id;
  const dd = { site: 'datadoghq.com', baseUrl: 'http://127.0.0.1:9' };
  await rest(server, 'POST', '/connections', { name: 'dd-live', provider: 'datadog', authType: 'apikey', credential: connCredential, settings: dd });
  const paused = (await rest<{ id: string }>(server, 'POST', '/connections', { name: 'dd-paused', provider: 'datadog', authType: 'apikey', credential: canary('paused'), settings: dd })).json;
  await rest(server, 'PATCH', `/connections/${paused.id}`, { status: 'paused' });
  datastoreId = (await rest<{ id: string }>(server, 'POST', '/datastores', { name: 'files' })).json.id;
}, 120_000);

afterAll(async () => {
  removeCliBuild();
  await server?.stop();
  fs.rmSync(server.dataDir, { recursive: true, force: true });
  fs.rmSync(cliTmp, { recursive: true, force: true });
});

describe('secrets', () => {
  it('set reads the value from stdin; list shows metadata; get prints the exact value to a pipe', async () => {
    const set = await runCli(['secrets', 'set', 'api-token', '--json'], env, `${value}\n`);
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ name: 'api-token', action: 'created', version: 1 });
    const list = await runCli(['secrets', 'list'], env);
    expect(list.stdout).toMatch(/NAME\s+ID/);
    expect(list.stdout).toContain('api-token');
    expect(list.stdout).not.toContain(value);
    const get = await runCli(['secrets', 'get', 'API-TOKEN'], env);
    expect(get.code).toBe(0);
    expect(get.stdout).toBe(value);
  });

  it('rotate and rm', async () => {
    await runCli(['secrets', 'set', 'short-lived'], env, 'first-value');
    const rot = await runCli(['secrets', 'rotate', 'short-lived', '--json'], env, 'second-value');
    expect(rot.code, rot.stderr).toBe(0);
    expect(JSON.parse(rot.stdout).version).toBe(2);
    expect((await runCli(['secrets', 'get', 'short-lived'], env)).stdout).toBe('second-value');
    expect((await runCli(['secrets', 'rm', 'short-lived'], env)).code).toBe(0);
    const gone = await runCli(['secrets', 'get', 'short-lived'], env);
    expect(gone).toMatchObject({ code: 3, stdout: '' });
    expect(gone.stderr).toBe('error NOT_FOUND: secret short-lived not found in this workspace\n');
  });
});

describe('exec', () => {
  const script = `const v = process.env.T; const h = require('crypto').createHash('sha256').update(v).digest('hex');
console.log('sha=' + h); console.log('raw=' + v); console.log('b64=' + Buffer.from(v).toString('base64'));
console.log('b64url=' + Buffer.from(v).toString('base64url')); console.error('url=' + encodeURIComponent(v + ' x'));
process.stdout.write('split=' + v.slice(0, 7)); setTimeout(() => { process.stdout.write(v.slice(7) + '\\n'); process.exit(7); }, 50);`;

  it('the child sees the exact value; its output shows *** for the value, base64, base64url and URL forms, also split across writes; the exit code passes through', async () => {
    const r = await runCli(['exec', '--env', 'T=provenance://secrets/api-token', '--', process.execPath, '-e', script], env);
    expect(r.code).toBe(7);
    expect(r.stdout).toContain(`sha=${createHash('sha256').update(value).digest('hex')}`);
    expect(r.stdout).toContain('raw=***\n');
    expect(r.stdout).toContain('b64=***\n');
    expect(r.stdout).toContain('b64url=***\n');
    expect(r.stdout).toContain('split=***\n');
    expect(r.stderr).toContain('url=***');
    expect(r.stdout + r.stderr).not.toContain(value);
    expect(r.stdout + r.stderr).not.toContain(Buffer.from(value).toString('base64'));
  });

  it('--no-mask passes the output through', async () => {
    const r = await runCli(['exec', '--no-mask', '--env', 'T=provenance://secrets/api-token', '--', process.execPath, '-e', 'console.log(process.env.T)'], env);
    expect(r).toMatchObject({ code: 0, stdout: `${value}\n` });
  });

  it('an env file template resolves its references and passes plain values as written', async () => {
    const file = path.join(cliTmp, 'app.env');
    fs.writeFileSync(file, '# refs only\nexport T="provenance://secrets/api-token"\nPLAIN=hello\n');
    const r = await runCli(['exec', '--env-file', file, '--', process.execPath, '-e', 'console.log(process.env.PLAIN, process.env.T.length)'], env);
    expect(r).toMatchObject({ code: 0, stdout: `hello ${value.length}\n` });
  });

  it('forwards SIGTERM and SIGINT to the child and leaves with its code (128 + signal when it is killed)', async () => {
    const trap = "process.on('SIGTERM', () => { console.log('got TERM'); process.exit(42); }); console.log('ready'); setInterval(() => {}, 1000);";
    const a = spawnCli(['exec', '--env', 'T=provenance://secrets/api-token', '--', process.execPath, '-e', trap], env);
    const done = collect(a);
    await waitForOutput(a, /ready/);
    a.kill('SIGTERM');
    const ra = await done;
    expect(ra.code).toBe(42);
    expect(ra.stdout).toContain('got TERM');

    const b = spawnCli(['exec', '--env', 'T=provenance://secrets/api-token', '--', process.execPath, '-e', "console.log('ready'); setInterval(() => {}, 1000);"], env);
    const doneB = collect(b);
    await waitForOutput(b, /ready/);
    b.kill('SIGINT');
    expect((await doneB).code).toBe(130);

    const c = await runCli(['exec', '--env', 'T=provenance://secrets/api-token', '--', 'sh', '-c', 'kill -HUP $$'], env);
    expect(c.code).toBe(129);
  });

  it("a connection's credential: injected and masked, recorded as connection.used with origin cli", async () => {
    const r = await runCli(['exec', '--env', 'C=provenance://connections/dd-live', '--', process.execPath, '-e', "console.log(process.env.C.length, process.env.C)"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${connCredential.length} ***\n`);
    const used = await auditOf('connection.used');
    expect(used).toHaveLength(1);
    expect(used[0]).toMatchObject({ origin: 'cli', outcome: 'success', target: { name: 'dd-live' }, details: { process: 'node' } });
  });

  it('nothing on disk holds the canary: the data dir and the CLI temp dir are scanned', () => {
    expect(filesContaining(server.dataDir, value)).toEqual([]);
    expect(filesContaining(cliTmp, value)).toEqual([]);
    expect(filesContaining(server.dataDir, connCredential)).toEqual([]);
    expect(filesContaining(cliTmp, connCredential)).toEqual([]);
  });
});

describe('bad input: one line, the documented exit code, nothing changed', () => {
  it.each([
    ['an unknown secret', ['exec', '--env', 'T=provenance://secrets/no-such', '--', 'true'], 3, /^error NOT_FOUND: secret no-such not found in this workspace\n$/],
    ["another workspace's secret", () => ['exec', '--env', `T=provenance://secrets/${otherSecretId}`, '--', 'true'], 3, /^error NOT_FOUND: secret [0-9a-f-]{36} not found in this workspace\n$/],
    ['a paused connection', ['exec', '--env', 'C=provenance://connections/dd-paused', '--', 'true'], 1, /^error PRECONDITION_FAILED: connection is paused.*\n$/],
    ['a value on argv instead of a reference', ['exec', '--env', 'T=plain', '--', 'true'], 2, /^error USAGE: --env T: the value must be a provenance:\/\/secrets\/… or provenance:\/\/connections\/… reference\n$/],
    ['an unknown option', ['secrets', 'list', '--nope'], 2, /^error USAGE: unknown option '--nope'\n$/],
  ])('%s', async (_label, args, code, line) => {
    const before = await rest<Page<{ id: string; version: number }>>(server, 'GET', '/secrets');
    const r = await runCli(typeof args === 'function' ? args() : args, env);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(line);
    expect(r.stdout).toBe('');
    expect((await rest(server, 'GET', '/secrets')).json).toEqual(before.json);
  });

  it('a wrong key: exit 4', async () => {
    const r = await runCli(['secrets', 'list'], { ...env, PROVENANCE_API_KEY: 'not-a-key' });
    expect(r).toMatchObject({ code: 4, stderr: 'error UNAUTHENTICATED: the API key is not valid: it was revoked or mistyped\n' });
  });

  it('no key at all: exit 4 naming both ways to give one', async () => {
    const r = await runCli(['secrets', 'list'], { ...env, PROVENANCE_API_KEY: '' });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^error UNAUTHENTICATED: no API key: set PROVENANCE_API_KEY or run provenanceone login\n$/);
  });

  it('a missing server: exit 1, one line', async () => {
    const r = await runCli(['secrets', 'list'], { ...env, PROVENANCE_URL: 'http://127.0.0.1:9' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error UNREACHABLE: cannot reach the ProvenanceOne REST API at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\); is the app running\?\n$/);
    const none = await runCli(['secrets', 'list'], { ...env, PROVENANCE_DATA_DIR: cliTmp });
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^error UNREACHABLE: no running ProvenanceOne app found for .*\n$/);
  });
});

describe('audit', () => {
  it('each value the CLI read is one secret.accessed row with origin cli and the program in its details', async () => {
    const before = (await auditOf('secret.accessed')).length;
    expect((await runCli(['exec', '--env', 'A=provenance://secrets/api-token', '--env', 'B=provenance://secrets/api-token', '--', 'true'], env)).code).toBe(0);
    expect((await runCli(['secrets', 'get', 'api-token'], env)).code).toBe(0);
    const rows = await auditOf('secret.accessed');
    expect(rows.length - before).toBe(2);
    const [get, exec] = rows;
    expect(exec).toMatchObject({ origin: 'cli', outcome: 'success', details: { process: 'true' } });
    expect(get).toMatchObject({ origin: 'cli', outcome: 'success' });
    expect(typeof get!.details.process).toBe('string');
  });

  it('tail prints the latest events; --follow prints new ones and ends cleanly on SIGINT', async () => {
    const t = await runCli(['audit', 'tail', '-n', '3'], env);
    expect(t.code).toBe(0);
    expect(t.stdout.trim().split('\n')).toHaveLength(3);
    const f = spawnCli(['audit', 'tail', '-n', '1', '--follow', '--interval', '100'], env);
    const done = collect(f);
    await waitForOutput(f, /\n/);
    await rest(server, 'POST', '/secrets', { name: 'followed', value: 'v-followed' });
    await waitForOutput(f, /secret\.created\s+owner key \([^)]+\)\s+secret:followed/);
    f.kill('SIGINT');
    expect((await done).code).toBe(0);
  });
});

describe('datastores', () => {
  it('ls, cp a folder up and an object down, upload-url, rm', async () => {
    const src = path.join(cliTmp, 'up');
    fs.mkdirSync(path.join(src, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(src, 'a.txt'), 'alpha');
    fs.writeFileSync(path.join(src, 'sub', 'b.txt'), 'beta');
    expect((await runCli(['datastores', 'ls'], env)).stdout).toContain('files');
    const cp = await runCli(['datastores', 'cp', `${src}/`, 'ds://files/in/', '--json'], env);
    expect(cp.code, cp.stderr).toBe(0);
    expect(JSON.parse(cp.stdout)).toMatchObject({ files: 2, bytes: 9 });
    const ls = await runCli(['datastores', 'ls', datastoreId, 'in/', '--json'], env);
    expect((JSON.parse(ls.stdout) as { key: string }[]).map((o) => o.key)).toEqual(['in/a.txt', 'in/sub/b.txt']);
    const dest = path.join(cliTmp, 'down.txt');
    expect((await runCli(['datastores', 'cp', 'ds://files/in/sub/b.txt', dest], env)).code).toBe(0);
    expect(fs.readFileSync(dest, 'utf8')).toBe('beta');
    const url = await runCli(['datastores', 'upload-url', 'ds://files/in/new.bin'], env);
    expect(url.code, url.stderr).toBe(0);
    expect(url.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/datastores\/[0-9a-f-]+\/upload\/\S+\n$/);
    expect((await runCli(['datastores', 'rm', 'ds://files/in/a.txt'], env)).code).toBe(0);
    const gone = await runCli(['datastores', 'rm', 'ds://files/in/a.txt'], env);
    expect(gone.code).toBe(3);
  });
});

describe('connections, workflows, help, completion', () => {
  it('connections list and test (an unreachable provider: exit 1 with the outcome)', async () => {
    const list = await runCli(['connections', 'list'], env);
    expect(list.stdout).toMatch(/dd-live\s+[0-9a-f-]{36}\s+datadog\s+active/);
    expect(list.stdout).not.toContain(connCredential);
    const test = await runCli(['connections', 'test', 'dd-live', '--json'], env);
    expect(test.code).toBe(1);
    expect(JSON.parse(test.stdout)).toMatchObject({ outcome: 'unreachable' });
  });

  it('workflows run: without --wait it prints the queued run; with --wait it shows the steps and exits with the run', async () => {
    const wf = (definition: unknown) => rest<{ id: string }>(server, 'POST', '/workflows', { definition });
    const okId = (await wf({ name: 'cli-ok', inputs: { n: 0 }, steps: [{ id: 'double', kind: 'transform', config: { expression: 'inputs.n * 2' } }, { id: 'plus', kind: 'transform', needs: ['double'], config: { expression: 'steps.double.output + 1' } }] })).json.id;
    const failId = (await wf({ name: 'cli-fail', steps: [{ id: 'boom', kind: 'transform', config: { expression: '$error("planned failure")' } }] })).json.id;

    const queued = await runCli(['workflows', 'run', okId, '--json'], env);
    expect(queued.code).toBe(0);
    expect(JSON.parse(queued.stdout)).toMatchObject({ id: expect.any(String), status: 'queued' });

    // Live step progress in the human output; the run's result in the exit code.
    const ok = await runCli(['workflows', 'run', okId, '--wait', '--input', 'n=20'], env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/step double \(transform\): succeeded/);
    expect(ok.stdout).toMatch(/step plus \(transform\): succeeded/);
    expect(ok.stdout).toMatch(/succeeded/);
    const json = await runCli(['workflows', 'run', okId, '--wait', '--input', 'n=20', '--json'], env);
    const done = JSON.parse(json.stdout.trim().split('\n').at(-1)!) as { id: string; status: string };
    expect(done.status).toBe('succeeded');
    const run = await rest<{ steps: Array<{ stepId: string; output: unknown }> }>(server, 'GET', `/runs/${done.id}`);
    expect(run.json.steps.find((x) => x.stepId === 'plus')?.output).toBe(41);

    const failed = await runCli(['workflows', 'run', failId, '--wait'], env);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/step boom \(transform\): failed — [^\n]*planned failure/);

    const missing = await runCli(['workflows', 'run', '00000000-0000-4000-8000-000000000000', '--wait'], env);
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });

  it.each([[[]], [['secrets']], [['secrets', 'get']], [['exec']], [['datastores', 'cp']], [['audit', 'tail']], [['workflows', 'run']], [['connections', 'test']]])('--help on %j', async (args) => {
    const r = await runCli([...args, '--help'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: provenanceone/);
  });

  it('a group without its subcommand shows its help on stderr: a usage error', async () => {
    const r = await runCli(['secrets'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^Usage: provenanceone secrets/);
  });

  it('completion bash|zsh', async () => {
    const bash = await runCli(['completion', 'bash'], env);
    expect(bash.stdout).toContain('complete -o default -F _provenanceone provenanceone');
    expect(bash.stdout).toContain('"secrets") words="list get set rotate rm');
    expect((await runCli(['completion', 'zsh'], env)).stdout).toContain('bashcompinit');
    expect((await runCli(['completion', 'fish'], env)).code).toBe(2);
  });
});

describe('a locked vault', () => {
  it('a read is refused with exit 5, in one line, and nothing is read', async () => {
    const lock = await fetch(`${server.baseUrl}/ipc/vault:lock`, { method: 'POST', headers: { 'x-console-token': server.consoleToken, 'content-type': 'application/json' }, body: '{}' });
    expect(lock.status).toBe(200);
    const before = (await auditOf('secret.accessed')).filter((e) => e.outcome === 'success').length;
    const r = await runCli(['exec', '--env', 'T=provenance://secrets/api-token', '--', 'true'], env);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^error VAULT_LOCKED: [^\n]+\n$/);
    expect((await auditOf('secret.accessed')).filter((e) => e.outcome === 'success')).toHaveLength(before);
    const unlock = await fetch(`${server.baseUrl}/ipc/vault:unlock`, { method: 'POST', headers: { 'x-console-token': server.consoleToken, 'content-type': 'application/json' }, body: '{}' });
    expect(unlock.status).toBe(200);
  });
});

describe('login', () => {
  it('stores the key in the OS keychain (no file holds it); logout deletes it', async () => {
    const noKey = { ...env, PROVENANCE_API_KEY: '' };
    const login = await runCli(['login'], noKey, `${OWNER_KEY}\n`);
    expect(login.code, login.stderr).toBe(0);
    expect((await runCli(['secrets', 'list'], noKey)).code).toBe(0);
    expect(filesContaining(server.dataDir, OWNER_KEY)).toEqual([]);
    expect(filesContaining(cliTmp, OWNER_KEY)).toEqual([]);
    expect((await runCli(['logout'], noKey)).code).toBe(0);
    expect((await runCli(['secrets', 'list'], noKey)).code).toBe(4);
    expect((await runCli(['login'], noKey, 'wrong-key\n')).code).toBe(4);
  });
});
