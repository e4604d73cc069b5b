import { CliError } from './cli-error';
import type { Client } from './client';
import type { Output } from './output';
import { revealSecret, secretIdOf } from './references';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads a value from stdin (never argv: argv shows in `ps` and shell history); one trailing newline is dropped. */
export async function readStdinValue(stdin: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (stdin.isTTY) throw new CliError('USAGE', 'pipe the value on stdin, e.g. printf %s "$VALUE" | provenanceone secrets set NAME');
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function idOf(client: Client, ref: string): Promise<string> {
  if (UUID.test(ref)) {
    try {
      return (await client.call('secrets:get', { id: ref })).secret.id;
    } catch (e) {
      if (!(e instanceof CliError && e.code === 'NOT_FOUND')) throw e;
    }
  }
  return secretIdOf(client, ref);
}

export async function listSecrets(client: Client, out: Output, search?: string): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.call('secrets:list', { search, limit: 500, cursor });
    rows.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  out.table(rows, ['name', 'id', 'valueType', 'version', 'updatedAt']);
}

/**
 * `get`: the value goes to stdout only when stdout is not a terminal (a pipe, `$(…)`) or with --reveal; on a
 * terminal without it, the metadata shows and nothing is read (no secret.accessed row).
 */
export async function getSecret(client: Client, out: Output, ref: string, o: { reveal: boolean; stdoutIsTTY: boolean }): Promise<void> {
  if (o.stdoutIsTTY && !o.reveal) {
    const d = await client.call('secrets:get', { id: await idOf(client, ref) });
    out.record({ ...d.secret, value: '(hidden: add --reveal to print it on a terminal)' });
    return;
  }
  const value = await revealSecret(client, ref);
  if (out.json) out.record({ value });
  else process.stdout.write(o.stdoutIsTTY ? `${value}\n` : value);
}

/** `set`: creates the secret, or rotates it to a new version when the name exists. */
export async function setSecret(client: Client, out: Output, name: string, value: string, description?: string): Promise<void> {
  if (!value) throw new CliError('USAGE', 'the value on stdin is empty');
  let id: string | null = null;
  try {
    id = await secretIdOf(client, name);
  } catch (e) {
    if (!(e instanceof CliError && e.code === 'NOT_FOUND')) throw e;
  }
  const s = id ? await client.call('secrets:rotate', { id, value }) : await client.call('secrets:create', { name, value, description });
  out.record({ id: s.id, name: s.name, version: s.version, action: id ? 'rotated' : 'created' });
}

export async function rotateSecret(client: Client, out: Output, ref: string, value: string | undefined): Promise<void> {
  const s = await client.call('secrets:rotate', { id: await idOf(client, ref), value: value || undefined });
  out.record({ id: s.id, name: s.name, version: s.version });
}

export async function removeSecret(client: Client, out: Output, ref: string, force: boolean): Promise<void> {
  const id = await idOf(client, ref);
  await client.call('secrets:delete', { id, force: force || undefined });
  out.record({ id, deleted: true });
}
