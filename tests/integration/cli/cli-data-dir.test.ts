import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeytarKeyStore } from '@core/vault/keytar-key-store';
import { canary } from '../../helpers/canary';
import { makeTestCore, tempDir } from '../../helpers/test-core';
import { cliEnv, collect, ensureCliBuilt, removeCliBuild, filesContaining, rest, runCli, spawnCli, startServer, waitForOutput } from './cli-harness';

/**
 * The same commands with --data-dir and no server running: the core opens in the CLI's process (the keychain vault
 * unlocks by itself, a passphrase vault from PROVENANCE_VAULT_PASSPHRASE_FILE), the caller is the local OS user
 * with origin cli, and every read is audited the same way.
 */
let dataDir: string;
let env: NodeJS.ProcessEnv;
let cliTmp: string;
const value = canary('dd-canary');
const connCredential = canary('dd-conn');
let otherSecretId: string;
let okWorkflowId: string;
let failWorkflowId: string;
/** The command with --data-dir (before exec's `--`, which hands everything after it to the child). */
const dd = (args: string[]) => (args[0] === 'exec' ? ['exec', '--data-dir', dataDir, ...args.slice(1)] : [...args, '--data-dir', dataDir]);

type AuditRow = { action: string; origin: string; outcome: string; actor: { kind: string }; details: Record<string, unknown>; target: { name: string | null } };
/** The audit log as the CLI itself reads it (in-process, no server). */
async function auditOf(action: string): Promise<AuditRow[]> {
  const r = await runCli(dd(['audit', 'tail', '-n', '500', '--json']), env);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRow).filter((e) => e.action === action);
}

beforeAll(async () => {
  await ensureCliBuilt();
  // The data dir is made by the real app, seeded over its REST API, and the app stopped: no server from here on.
  const server = await startServer();
  dataDir = server.dataDir;
  const other = (await rest<{ id: string }>(server, 'POST', '/workspaces', { name: 'Other team' })).json;
  otherSecretId = (await rest<{ id: string }>(server, 'POST', '/secrets', { name: 'theirs', value: canary('other-ws') }, other.id)).json.id;
  const settings = { site: 'datadoghq.com', baseUrl: 'http://127.0.0.1:9' };
  await rest(server, 'POST', '/connections', { name: 'dd-live', provider: 'datadog', authType: 'apikey', credential: connCredential, settings });
  const paused = (await rest<{ id: string }>(server, 'POST', '/connections', { name: 'dd-paused', provider: 'datadog', authType: 'apikey', credential: canary('paused'), settings })).json;
  await rest(server, 'PATCH', `/connections/${paused.id}`, { status: 'paused' });
  await rest(server, 'POST', '/datastores', { name: 'files' });
  const wf = (definition: unknown) => rest<{ id: string }>(server, 'POST', '/workflows', { definition });
  okWorkflowId = (await wf({ name: 'dd-ok', inputs: { n: 0 }, steps: [{ id: 'double', kind: 'transform', config: { expression: 'inputs.n * 2' } }] })).json.id;
  failWorkflowId = (await wf({ name: 'dd-fail', steps: [{ id: 'boom', kind: 'transform', config: { expression: '$error("planned failure")' } }] })).json.id;
  await server.stop();
  expect(fs.existsSync(path.join(dataDir, 'rest-api.json'))).toBe(false);
  cliTmp = tempDir('p1-cli-tmp-');
  env = cliEnv({ TMPDIR: cliTmp });
}, 120_000);

afterAll(() => {
  removeCliBuild();
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(cliTmp, { recursive: true, force: true });
});

describe('secrets and exec in-process', () => {
  it('set, list, get, rotate, rm', async () => {
    expect((await runCli(dd(['secrets', 'set', 'api-token']), env, value)).code).toBe(0);
    expect((await runCli(dd(['secrets', 'list']), env)).stdout).toContain('api-token');
    expect((await runCli(dd(['secrets', 'get', 'api-token']), env)).stdout).toBe(value);
    await runCli(dd(['secrets', 'set', 'temp']), env, 'one');
    expect(JSON.parse((await runCli(dd(['secrets', 'rotate', 'temp', '--json']), env, 'two')).stdout).version).toBe(2);
    expect((await runCli(dd(['secrets', 'rm', 'temp']), env)).code).toBe(0);
    expect((await runCli(dd(['secrets', 'get', 'temp']), env)).code).toBe(3);
  });

  it('exec: exact value in the child, *** in its output (also base64), exit codes and signals pass through', async () => {
    const script = `const v = process.env.T; console.log(require('crypto').createHash('sha256').update(v).digest('hex')); console.log(v); console.log(Buffer.from(v).toString('base64')); process.exit(3);`;
    const r = await runCli(dd(['exec', '--env', 'T=provenance://secrets/api-token', '--', process.execPath, '-e', script]), env);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe(`${createHash('sha256').update(value).digest('hex')}\n***\n***\n`);
    const s = spawnCli(dd(['exec', '--env', 'T=provenance://secrets/api-token', '--', process.execPath, '-e', "console.log('ready'); setInterval(() => {}, 1000);"]), env);
    const done = collect(s);
    await waitForOutput(s, /ready/);
    s.kill('SIGTERM');
    expect((await done).code).toBe(143);
  });

  it("a connection's credential, recorded as connection.used by the local user with origin cli", async () => {
    const r = await runCli(dd(['exec', '--env', 'C=provenance://connections/dd-live', '--', process.execPath, '-e', 'console.log(process.env.C)']), env);
    expect(r).toMatchObject({ code: 0, stdout: '***\n' });
    const [used] = await auditOf('connection.used');
    expect(used).toMatchObject({ origin: 'cli', actor: { kind: 'local' }, details: { process: 'node' } });
  });

  it('each value read is one secret.accessed row, origin cli', async () => {
    const before = (await auditOf('secret.accessed')).length;
    await runCli(dd(['exec', '--env', 'A=provenance://secrets/api-token', '--', 'true']), env);
    const rows = await auditOf('secret.accessed');
    expect(rows.length - before).toBe(1);
    expect(rows[rows.length - 1]).toMatchObject({ origin: 'cli', outcome: 'success', actor: { kind: 'local' }, details: { process: 'true' } });
  });

  it('nothing on disk holds the canary', () => {
    expect(filesContaining(dataDir, value)).toEqual([]);
    expect(filesContaining(cliTmp, value)).toEqual([]);
    expect(filesContaining(dataDir, connCredential)).toEqual([]);
  });
});

describe('bad input in-process', () => {
  it.each([
    ['an unknown secret', ['exec', '--env', 'T=provenance://secrets/no-such', '--', 'true'], 3, /^error NOT_FOUND: secret no-such not found in this workspace\n$/],
    ["another workspace's secret", () => ['exec', '--env', `T=provenance://secrets/${otherSecretId}`, '--', 'true'], 3, /^error NOT_FOUND: secret [0-9a-f-]{36} not found/],
    ['a paused connection', ['exec', '--env', 'C=provenance://connections/dd-paused', '--', 'true'], 1, /^error PRECONDITION_FAILED: connection is paused/],
  ])('%s', async (_l, args, code, line) => {
    const before = (await runCli(dd(['secrets', 'list', '--json']), env)).stdout;
    const r = await runCli(dd(typeof args === 'function' ? args() : args), env);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(line);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect((await runCli(dd(['secrets', 'list', '--json']), env)).stdout).toBe(before);
  });

  it('a data dir that does not exist is not created: exit 3', async () => {
    const missing = path.join(cliTmp, 'nope');
    const r = await runCli(['secrets', 'list', '--data-dir', missing], env);
    expect(r).toMatchObject({ code: 3, stderr: `error NOT_FOUND: no ProvenanceOne data directory at ${missing}\n` });
    expect(fs.existsSync(missing)).toBe(false);
  });

  it('--offline with no app running opens the default data dir in-process', async () => {
    const r = await runCli(['secrets', 'list', '--offline'], { ...env, PROVENANCE_DATA_DIR: dataDir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('api-token');
  });
});

describe('datastores, connections, audit in-process', () => {
  it('cp up and down, ls, rm, upload-url', async () => {
    const src = path.join(cliTmp, 'up');
    fs.mkdirSync(src, { recursive: true });
    fs.writeFileSync(path.join(src, 'a.txt'), 'alpha');
    // What looks like a crash leftover may be the app's upload in flight: a guest process never sweeps it.
    const [files] = JSON.parse((await runCli(dd(['datastores', 'ls', '--json']), env)).stdout) as Array<{ id: string }>;
    const inFlight = path.join(dataDir, 'datastores', files!.id, '.tmp', 'another-process-upload.part');
    fs.mkdirSync(path.dirname(inFlight), { recursive: true });
    fs.writeFileSync(inFlight, 'partial');
    const cp = await runCli(dd(['datastores', 'cp', src, 'ds://files/', '--json']), env);
    expect(cp.code, cp.stderr).toBe(0);
    expect(fs.existsSync(inFlight)).toBe(true);
    expect(JSON.parse((await runCli(dd(['datastores', 'ls', 'files', '--json']), env)).stdout)).toMatchObject([{ key: 'up/a.txt' }]);
    const dest = path.join(cliTmp, 'a-copy.txt');
    expect((await runCli(dd(['datastores', 'cp', 'ds://files/up/a.txt', dest]), env)).code).toBe(0);
    expect(fs.readFileSync(dest, 'utf8')).toBe('alpha');
    // No server listens: a filesystem datastore's upload URL needs the app's own API, and says so.
    const url = await runCli(dd(['datastores', 'upload-url', 'ds://files/x.bin']), env);
    expect(url.stderr.trim().split('\n')).toHaveLength(1);
    expect((await runCli(dd(['datastores', 'rm', 'ds://files/up/a.txt']), env)).code).toBe(0);
  });

  it('connections list and test; audit tail', async () => {
    expect((await runCli(dd(['connections', 'list']), env)).stdout).toMatch(/dd-paused\s+[0-9a-f-]{36}\s+datadog\s+paused/);
    expect((await runCli(dd(['connections', 'test', 'dd-live', '--json']), env)).code).toBe(1);
    const t = await runCli(dd(['audit', 'tail', '-n', '2']), env);
    expect(t.stdout.trim().split('\n')).toHaveLength(2);
  });

  it('workflows run executes in this process, always waits (it cannot outlive the command), and exits with the run', async () => {
    const ok = await runCli(dd(['workflows', 'run', okWorkflowId, '--input', 'n=21']), env);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/waiting for the run to end/);
    expect(ok.stdout).toMatch(/step double \(transform\): succeeded/);
    const json = await runCli(dd(['workflows', 'run', okWorkflowId, '--input', 'n=21', '--json']), env);
    expect(JSON.parse(json.stdout.trim().split('\n').at(-1)!)).toMatchObject({ status: 'succeeded' });
    const failed = await runCli(dd(['workflows', 'run', failWorkflowId, '--wait']), env);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/step boom \(transform\): failed — [^\n]*planned failure/);
    const missing = await runCli(dd(['workflows', 'run', '00000000-0000-4000-8000-000000000000']), env);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/^error NOT_FOUND: [^\n]+\n$/);
  });
});

describe('a passphrase vault', () => {
  let pDir: string;
  beforeAll(async () => {
    const t = makeTestCore({ keyStore: createKeytarKeyStore() }, tempDir('p1-cli-pp-'));
    pDir = t.dataDir;
    await t.core.vault.initializeWithPassphrase('correct horse battery staple', t.admin);
    t.core.secrets.create({ workspaceId: t.core.workspaces.defaultWorkspace().id, name: 'pp-secret', value: 'pp-value-123' }, t.admin);
    t.core.close();
  });
  afterAll(() => fs.rmSync(pDir, { recursive: true, force: true }));

  it('locked without a passphrase: exit 5, one line, and nothing read', async () => {
    const r = await runCli(['secrets', 'get', 'pp-secret', '--data-dir', pDir], env);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^error VAULT_LOCKED: [^\n]+\n$/);
  });

  it('unlocks from PROVENANCE_VAULT_PASSPHRASE_FILE', async () => {
    const file = path.join(cliTmp, 'pp');
    fs.writeFileSync(file, 'correct horse battery staple\n', { mode: 0o600 });
    const r = await runCli(['secrets', 'get', 'pp-secret', '--data-dir', pDir], { ...env, PROVENANCE_VAULT_PASSPHRASE_FILE: file });
    expect(r).toMatchObject({ code: 0, stdout: 'pp-value-123' });
  });
});
