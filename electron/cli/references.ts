import { nameKey } from '@shared/domain/names.catalog';
import { CliError } from './cli-error';
import type { Client } from './client';

/** `provenance://secrets/<name-or-id>` or `provenance://connections/<name-or-id>` (the name percent-encoded if need be). */
export type Reference = { kind: 'secrets' | 'connections'; ref: string };

const REF = /^provenance:\/\/(secrets|connections)\/(.+)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseReference(value: string): Reference | null {
  const m = REF.exec(value.trim());
  if (!m) return null;
  let ref: string;
  try {
    ref = decodeURIComponent(m[2]!);
  } catch {
    throw new CliError('USAGE', `the reference ${value} is not valid: check its percent-encoding`);
  }
  return { kind: m[1] as Reference['kind'], ref };
}

const isNotFound = (e: unknown) => e instanceof CliError && e.code === 'NOT_FOUND';

/** A secret's id from its name or id (ids are case-sensitive UUIDs; names compare as the app compares them). */
export async function secretIdOf(client: Client, ref: string): Promise<string> {
  const want = nameKey(ref);
  let cursor: string | undefined;
  do {
    const page = await client.call('secrets:list', { search: ref.slice(0, 200), limit: 500, cursor });
    const hit = page.items.find((s) => nameKey(s.name) === want);
    if (hit) return hit.id;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  throw new CliError('NOT_FOUND', `secret ${ref} not found in this workspace`);
}

export async function connectionIdOf(client: Client, ref: string): Promise<string> {
  if (UUID.test(ref)) return ref;
  const want = nameKey(ref);
  let cursor: string | undefined;
  do {
    const page = await client.call('connections:list', { q: ref.slice(0, 100), limit: 500, cursor });
    const hit = page.items.find((c) => nameKey(c.name) === want);
    if (hit) return hit.id;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  throw new CliError('NOT_FOUND', `connection ${ref} not found in this workspace`);
}

/**
 * A secret's value, read once through the reveal path (one `secret.accessed` row). An id is tried first (one call);
 * a name is looked up, then revealed. A JSON object value is given as compact JSON.
 */
export async function revealSecret(client: Client, ref: string): Promise<string> {
  let value: unknown;
  if (UUID.test(ref)) {
    try {
      value = (await client.call('secrets:reveal', { id: ref })).value;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
  if (value === undefined) value = (await client.call('secrets:reveal', { id: await secretIdOf(client, ref) })).value;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A connection's credential (connection.use, audited as connection.used; refused when paused). */
export async function connectionCredential(client: Client, ref: string): Promise<string> {
  return (await client.call('connections:credential', { id: await connectionIdOf(client, ref) })).credential;
}

/** Each distinct reference resolved once, in order: one audited read per value. */
export async function resolveReferences(client: Client, refs: readonly Reference[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const r of refs) {
    const k = `${r.kind}/${r.ref}`;
    if (out.has(k)) continue;
    out.set(k, r.kind === 'secrets' ? await revealSecret(client, r.ref) : await connectionCredential(client, r.ref));
  }
  return out;
}
