import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';

const root = path.resolve(import.meta.dirname, '../..');

/**
 * Spawns a tests/fakes/*-worker.ts script as a real second process (TypeScript through jiti, aliases from
 * tsconfig), handing it `cfg` in CORE_WORKER. It prints one JSON object per line: `ready` once started, `done`
 * with its result after "go".
 */
export async function startCoreWorker<Result extends Record<string, unknown>>(script: string, cfg: Record<string, unknown>) {
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'node_modules/jiti/lib/jiti-cli.mjs'), path.join(root, 'tests/fakes', script)], {
    cwd: root,
    env: { ...process.env, CORE_WORKER: JSON.stringify(cfg), JITI_ALIAS: JSON.stringify({ '@core': path.join(root, 'electron/core'), '@shared': path.join(root, 'shared') }) },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = readline.createInterface({ input: child.stdout! });
  const messages: Array<Record<string, unknown>> = [];
  let wake: () => void = () => {};
  lines.on('line', (l) => {
    try {
      messages.push(JSON.parse(l) as Record<string, unknown>);
    } catch {
      return; // not ours
    }
    wake();
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => (wake(), r(code))));
  // Resolves on the message, or rejects when the process ends without it (each line or the exit wakes it).
  async function waitFor(key: string): Promise<Record<string, unknown>> {
    for (;;) {
      const m = messages.find((x) => key in x);
      if (m) return m;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`worker ended without reporting ${key}: ${stderr.slice(-2000)}`);
      await new Promise<void>((r) => (wake = r));
    }
  }
  const ready = await waitFor('ready');
  return {
    ready,
    pid: child.pid!,
    go: () => child.stdin!.write('go\n'),
    result: async () => (await waitFor('done')) as Result,
    kill: () => child.kill('SIGKILL'),
    exited,
  };
}
