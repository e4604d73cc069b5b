import type { Client } from './client';
import type { Output } from './output';
import { connectionIdOf } from './references';

export async function listConnections(client: Client, out: Output): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.call('connections:list', { limit: 500, cursor });
    rows.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  out.table(rows, ['name', 'id', 'provider', 'status']);
}

/** Runs the provider's validation; exit 1 unless the credential is valid. */
export async function testConnection(client: Client, out: Output, ref: string): Promise<number> {
  const r = await client.call('connections:test', { id: await connectionIdOf(client, ref) });
  out.record(r as unknown as Record<string, unknown>);
  return r.outcome === 'valid' ? 0 : 1;
}
