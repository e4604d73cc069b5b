import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError } from './cli-error';
import type { Client } from './client';
import { parseReference, resolveReferences, type Reference } from './references';
import { createMasker, maskedForms } from './secret-masker';

export type ExecOptions = { env: string[]; envFile?: string; mask: boolean };

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

type Assignment = { name: string; value: string; ref: Reference | null };

function assignment(text: string, where: string): Assignment {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new CliError('USAGE', `${where}: expected NAME=value`);
  const name = text.slice(0, eq).trim();
  if (!NAME.test(name)) throw new CliError('USAGE', `${where}: ${name} is not a valid environment variable name`);
  let value = text.slice(eq + 1).trim();
  if (value.length >= 2 && ((value.startsWith('"') && value.endsWith('"')) || (value.startsWith("'") && value.endsWith("'")))) value = value.slice(1, -1);
  return { name, value, ref: parseReference(value) };
}

/**
 * An env file template: `NAME=value` lines (`export ` prefix, quotes and `#` comments allowed). Values that are
 * `provenance://…` references are resolved; the others are passed as written. The file holds references, never
 * values, so it is safe to commit.
 */
export function parseEnvFile(text: string, file: string): Assignment[] {
  const out: Assignment[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    out.push(assignment(line.replace(/^export\s+/, ''), `${file}:${i + 1}`));
  });
  return out;
}

/** The child's exit as ours: its code, or 128 + the signal's number when a signal ended it (the shell convention). */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0);
}

/**
 * `exec`: resolves the references, starts CMD with them in its environment (nothing is written to disk), forwards
 * SIGINT/SIGTERM/SIGHUP, and masks every injected value (and its encodings) in CMD's stdout and stderr. Resolves
 * with the exit code to leave with.
 */
export async function runExec(client: Client, argv: readonly string[], o: ExecOptions): Promise<number> {
  if (!argv.length) throw new CliError('USAGE', 'give the command to run after --, e.g. provenanceone exec --env TOKEN=provenance://secrets/api-token -- ./deploy.sh');
  const assignments: Assignment[] = [];
  if (o.envFile) {
    let text: string;
    try {
      text = fs.readFileSync(o.envFile, 'utf8');
    } catch {
      throw new CliError('USAGE', `cannot read the env file ${o.envFile}`);
    }
    assignments.push(...parseEnvFile(text, o.envFile));
  }
  for (const e of o.env) {
    const a = assignment(e, `--env ${e.split('=')[0]}`);
    if (!a.ref) throw new CliError('USAGE', `--env ${a.name}: the value must be a provenance://secrets/… or provenance://connections/… reference`);
    assignments.push(a);
  }
  const resolved = await resolveReferences(
    client,
    assignments.flatMap((a) => (a.ref ? [a.ref] : [])),
  );
  await client.close();

  const env: NodeJS.ProcessEnv = { ...process.env };
  // The CLI's own credential is not the child's.
  delete env.PROVENANCE_API_KEY;
  const injected: string[] = [];
  for (const a of assignments) {
    if (a.ref) {
      const v = resolved.get(`${a.ref.kind}/${a.ref.ref}`)!;
      env[a.name] = v;
      injected.push(v);
    } else env[a.name] = a.value;
  }

  const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['inherit', o.mask ? 'pipe' : 'inherit', o.mask ? 'pipe' : 'inherit'] });
  const forward = (sig: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  const handlers = FORWARDED.map((sig) => [sig, forward(sig)] as const);
  for (const [sig, h] of handlers) process.on(sig, h);
  let streams: Promise<unknown>[] = [];
  if (o.mask) {
    const forms = maskedForms(injected);
    const pipeOut = (from: NodeJS.ReadableStream, to: NodeJS.WritableStream) =>
      new Promise((resolve) => {
        const m = createMasker(forms);
        from.pipe(m).pipe(to, { end: false });
        m.on('end', resolve);
      });
    streams = [pipeOut(child.stdout!, process.stdout), pipeOut(child.stderr!, process.stderr)];
  }
  return new Promise((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      for (const [sig, h] of handlers) process.off(sig, h);
      reject(new CliError(e.code === 'ENOENT' ? 'NOT_FOUND' : 'EXEC_FAILED', `cannot run ${path.basename(argv[0]!)}: ${e.code ?? 'failed'}`));
    });
    child.on('close', (code, signal) => {
      for (const [sig, h] of handlers) process.off(sig, h);
      void Promise.all(streams).then(() => resolve(exitCodeOf(code, signal)));
    });
  });
}
