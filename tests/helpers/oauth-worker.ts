import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const root = path.resolve(import.meta.dirname, '../..');

export type WorkerSummary = { done: true; ok: number; errors: string[]; distinctTokens: number };

/** Spawns tests/fakes/oauth-worker.ts as a real second process (TypeScript through jiti, aliases from tsconfig). */
export async function startWorker(cfg: { dataDir: string; keyDir: string; connectionId: string; callers: number }) {
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'node_modules/jiti/lib/jiti-cli.mjs'), path.join(root, 'tests/fakes/oauth-worker.ts')], {
    cwd: root,
    env: { ...process.env, OAUTH_WORKER: JSON.stringify(cfg), JITI_ALIAS: JSON.stringify({ '@core': path.join(root, 'electron/core'), '@shared': path.join(root, 'shared') }) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = readline.createInterface({ input: child.stdout! });
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  lines.on('line', (l) => {
    try {
      messages.push(JSON.parse(l) as Record<string, unknown>);
      waiters.splice(0).forEach((w) => w());
    } catch {
      // not ours
    }
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => (waiters.splice(0).forEach((w) => w()), r(code))));
  async function waitFor(key: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = messages.find((x) => key in x);
      if (m) return m;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`worker did not report ${key}: ${stderr.slice(-2000)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }
  await waitFor('ready', 30_000);
  return {
    pid: child.pid!,
    go: () => child.stdin!.write('go\n'),
    result: async () => (await waitFor('done', 60_000)) as unknown as WorkerSummary,
    kill9: () => child.kill('SIGKILL'),
    exited,
  };
}
