import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildCli } from '../../../scripts/build-cli.mjs';
import { spawnHeadless } from '../../helpers/headless-app';
import { tempDir } from '../../helpers/test-core';

const root = path.resolve(import.meta.dirname, '../../..');
export const LAUNCHER = path.join(root, 'bin/provenanceone.mjs');
export const OWNER_KEY = 'cli-owner-key-0123456789abcdef0123';

let built: Promise<string> | null = null;
/** This test file's own build of the CLI (test files run in parallel; none may rebuild under another's feet). */
const buildDir = path.join(root, 'out/cli-test', `${process.pid}-${Date.now()}`);
/**
 * The CLI bundle of this checkout, built as `npm run build` builds it (scripts/build-cli.mjs) into this file's own
 * folder, once per test file; the tests run it through a copy of bin/provenanceone.mjs that points there.
 */
export const ensureCliBuilt = () =>
  (built ??= buildCli(buildDir).then((entry) => {
    fs.writeFileSync(cliLauncher(), fs.readFileSync(LAUNCHER, 'utf8').replace('../out/cli/provenanceone.js', './provenanceone.js'));
    return entry;
  }));
const cliLauncher = () => path.join(buildDir, 'launcher.mjs');
export const removeCliBuild = () => fs.rmSync(buildDir, { recursive: true, force: true });

export type CliResult = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };

/** Env for the CLI: nothing inherited that could point it elsewhere (a developer's own key, URL or data dir). */
export function cliEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['PROVENANCE_API_KEY', 'PROVENANCE_URL', 'PROVENANCE_DATA_DIR', 'PROVENANCE_VAULT_PASSPHRASE_FILE', 'PROVENANCE_ADMIN_API_KEY']) delete env[k];
  return { ...env, ...extra };
}

export function spawnCli(args: readonly string[], env: NodeJS.ProcessEnv, input?: string): ChildProcess {
  const child = spawn(process.execPath, [cliLauncher(), ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.end(input ?? '');
  return child;
}

export function collect(child: ChildProcess): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

export const runCli = (args: readonly string[], env: NodeJS.ProcessEnv, input?: string) => collect(spawnCli(args, env, input));

/** Resolves when `child`'s output (stdout or stderr) matches `re`. */
export function waitForOutput(child: ChildProcess, re: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const on = (b: Buffer) => {
      text += b.toString();
      const m = re.exec(text);
      if (m) {
        child.stdout!.off('data', on);
        child.stderr!.off('data', on);
        resolve(m);
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('close', () => reject(new Error(`exited before ${re}: ${text}`)));
  });
}

export type Server = { baseUrl: string; consoleToken: string; dataDir: string; child: ChildProcess; stop(): Promise<void> };

/** The real headless app on a fresh data dir, with an owner API key. */
export async function startServer(dataDir = tempDir('p1-cli-')): Promise<Server> {
  const child = spawnHeadless(['--data-dir', dataDir, '--port', '0'], {
    env: cliEnv({ PROVENANCE_ADMIN_API_KEY: OWNER_KEY }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const [baseUrl, consoleToken] = await new Promise<[string, string]>((resolve, reject) => {
    const on = (b: Buffer) => {
      out += b.toString();
      const m = /console ready: (http:\/\/[^/]+)\/#token=(\S+)/.exec(out);
      if (m?.[1] && m[2]) resolve([m[1], m[2]]);
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (code) => reject(new Error(`headless exited with ${code}: ${out}`)));
  });
  return {
    baseUrl,
    consoleToken,
    dataDir,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
}

/** A REST call with the owner key (test setup, outside the CLI). */
export async function rest<T = unknown>(s: { baseUrl: string }, method: string, p: string, body?: unknown, workspaceId?: string): Promise<{ status: number; json: T }> {
  const headers: Record<string, string> = { 'x-api-key': OWNER_KEY };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (workspaceId) headers['x-workspace-id'] = workspaceId;
  const r = await fetch(`${s.baseUrl}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, json: (text ? JSON.parse(text) : null) as T };
}

/** Every file under `dir` whose bytes hold `needle` (the canary scans of the data dir and the temp dir). */
export function filesContaining(dir: string, needle: string, skip: (p: string) => boolean = () => false): string[] {
  const hits: string[] = [];
  const forms = [Buffer.from(needle), Buffer.from(needle).toString('base64')].map((f) => Buffer.from(f));
  const walk = (d: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (skip(p)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        try {
          const st = fs.statSync(p);
          if (st.size > 64 * 1024 * 1024) continue;
          const bytes = fs.readFileSync(p);
          if (forms.some((f) => bytes.includes(f))) hits.push(p);
        } catch {
          // unreadable (another user's, gone meanwhile): not ours
        }
      }
    }
  };
  walk(dir);
  return hits;
}
