import type { AuditEvent } from '@shared/domain/audit';
import type { Client } from './client';
import type { Output } from './output';

const line = (e: AuditEvent) =>
  `${e.at}  ${e.risk.padEnd(6)}  ${e.action.padEnd(28)}  ${e.actor.name} (${e.origin})  ${e.target.type}:${e.target.name ?? e.target.id}  ${e.outcome}`;

function print(out: Output, e: AuditEvent): void {
  process.stdout.write(out.json ? `${JSON.stringify(e)}\n` : `${line(e)}\n`);
}

/**
 * `audit tail`: the last `lines` events, oldest first; with `follow`, new events as they are written, found by
 * polling the newest page every `intervalMs` and printing what came after the last one seen. Ends on `signal`.
 */
export async function tailAudit(client: Client, out: Output, o: { lines: number; follow: boolean; intervalMs: number; signal: AbortSignal }): Promise<void> {
  const first = await client.call('audit:list', { limit: Math.min(Math.max(o.lines, 1), 500) });
  const seen = new Set<string>();
  for (const e of [...first.items].reverse()) {
    seen.add(e.id);
    print(out, e);
  }
  let last = first.items[0]?.id ?? null;
  while (o.follow && !o.signal.aborted) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, o.intervalMs);
      o.signal.addEventListener('abort', () => {
        clearTimeout(t);
        resolve();
      }, { once: true });
    });
    if (o.signal.aborted) break;
    const fresh: AuditEvent[] = [];
    let cursor: string | undefined;
    // Newest first: read back until the last event printed (at most a few pages between two polls).
    pages: for (let n = 0; n < 20; n++) {
      const page = await client.call('audit:list', { limit: 200, cursor });
      for (const e of page.items) {
        if (e.id === last || seen.has(e.id)) break pages;
        fresh.push(e);
      }
      cursor = page.nextCursor ?? undefined;
      if (!cursor || last === null) break;
    }
    for (const e of fresh.reverse()) {
      seen.add(e.id);
      print(out, e);
    }
    if (fresh.length) last = fresh[fresh.length - 1]!.id;
  }
}
